"""Security-relevant events any context records, kept by Identity's audit log."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Protocol
from uuid import UUID


@dataclass(frozen=True)
class AuditEvent:
    action: str  # e.g. "login.failed", "role.changed", "api_key.created", "site.deleted"
    team_id: UUID | None = None
    actor_user: UUID | None = None
    actor_key: UUID | None = None
    target: str = ""  # what was acted on: an email, a site's domain, a key's name
    detail: dict[str, str] = field(default_factory=dict)  # never a password, token or key


@dataclass(frozen=True)
class AuditRecord:
    id: int
    at: datetime
    event: AuditEvent
    actor_email: str | None = None  # the person behind actor_user, while the account exists


@dataclass(frozen=True)
class Actor:
    """Who made a request, as any context may know it: a person, or an API key."""

    user_id: UUID | None = None
    key_id: UUID | None = None
    permissions: frozenset[str] = frozenset()  # what it may do on the team or site in the path
    shared_link_id: UUID | None = None  # a visitor holding a shared link, who may only read
    segment_id: UUID | None = None  # every answer to this caller is restricted to this segment
    # An API key limited to some sites: team-wide answers cover only these. None: no limit.
    only_sites: tuple[UUID, ...] | None = None

    def sees(self, site_id: UUID) -> bool:
        return self.only_sites is None or site_id in self.only_sites


class AuditTrail(Protocol):
    async def record(self, event: AuditEvent) -> None: ...


class _NoAudit:
    async def record(self, event: AuditEvent) -> None:
        """Keeps nothing: for use cases built without an audit log (unit tests, one-off commands)."""


NO_AUDIT: AuditTrail = _NoAudit()
