"""Reading the audit log: a team's security-relevant actions for its admins, a person's own sign-ins."""

from __future__ import annotations

from dataclasses import dataclass

from fieldmark.identity.application.ports import AuditLogReader
from fieldmark.shared_kernel.audit import AuditRecord
from fieldmark.shared_kernel.errors import InvalidInput
from fieldmark.shared_kernel.ids import TeamId, UserId

MAX_PAGE = 200


@dataclass(frozen=True)
class AuditPage:
    records: list[AuditRecord]
    next_before: int | None  # pass as `before` for the next (older) page; None on the last page


class ReadAuditLog:
    """Newest first, a page at a time, by keyset on the record id so new actions never shift a page."""

    def __init__(self, log: AuditLogReader) -> None:
        self._log = log

    async def of_team(self, team_id: TeamId, before: int | None, limit: int) -> AuditPage:
        _check(before, limit)
        return _page(await self._log.of_team(team_id, before, limit + 1), limit)

    async def of_user(self, user_id: UserId, before: int | None, limit: int) -> AuditPage:
        _check(before, limit)
        return _page(await self._log.of_user(user_id, before, limit + 1), limit)


def _check(before: int | None, limit: int) -> None:
    if not 1 <= limit <= MAX_PAGE:
        raise InvalidInput(f"limit must be between 1 and {MAX_PAGE}", field="limit")
    if before is not None and before < 1:
        raise InvalidInput("before must be a record id from an earlier page", field="before")


def _page(rows: list[AuditRecord], limit: int) -> AuditPage:
    if len(rows) > limit:
        return AuditPage(rows[:limit], rows[limit - 1].id)
    return AuditPage(rows, None)
