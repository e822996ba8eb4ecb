"""The audit log in PostgreSQL."""

from __future__ import annotations

from typing import Any
from uuid import UUID

from psycopg.types.json import Jsonb

from fieldmark.identity.adapters.postgres import PostgresRepository
from fieldmark.shared_kernel.audit import AuditEvent, AuditRecord

_SELECT = "SELECT a.*, u.email AS actor_email FROM audit_log a LEFT JOIN users u ON u.id = a.actor_user "


def _record(row: dict[str, Any]) -> AuditRecord:
    event = AuditEvent(
        row["action"], row["team_id"], row["actor_user"], row["actor_key"], row["target"], dict(row["detail"])
    )
    return AuditRecord(row["id"], row["at"], event, row["actor_email"])


class PsycopgAuditLog(PostgresRepository):
    async def forget_site(self, site_id: UUID) -> None:
        """Entries keep what happened to a deleted site (by its domain or a link's name), not its id."""
        await self._run(
            "UPDATE audit_log SET detail = detail - 'site_id' WHERE detail->>'site_id' = %s", (str(site_id),)
        )

    async def record(self, event: AuditEvent) -> None:
        await self._run(
            "INSERT INTO audit_log (team_id, actor_user, actor_key, action, target, detail)"
            " VALUES (%s, %s, %s, %s, %s, %s)",
            (
                event.team_id,
                event.actor_user,
                event.actor_key,
                event.action,
                event.target,
                Jsonb(event.detail),
            ),
        )

    async def of_team(self, team_id: UUID, before: int | None, limit: int) -> list[AuditRecord]:
        """The team's actions, and the account events (sign-ins, 2FA, passwords) of its current members."""
        rows = await self._run(
            _SELECT  # noqa: S608 (constant text; values are parameters)
            + "WHERE (a.team_id = %s OR (a.team_id IS NULL AND a.actor_user IN"
            " (SELECT user_id FROM memberships WHERE team_id = %s)))"
            " AND a.id < %s ORDER BY a.id DESC LIMIT %s",
            (team_id, team_id, before or 2**62, limit),
        )
        return [_record(r) for r in rows]

    async def of_user(self, user_id: UUID, before: int | None, limit: int) -> list[AuditRecord]:
        rows = await self._run(
            _SELECT
            + "WHERE a.actor_user = %s AND a.team_id IS NULL AND a.id < %s ORDER BY a.id DESC LIMIT %s",
            (user_id, before or 2**62, limit),
        )
        return [_record(r) for r in rows]
