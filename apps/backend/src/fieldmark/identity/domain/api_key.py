"""API keys: a team's credential for scripts, with scopes and an optional list of sites."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from fieldmark.shared_kernel.errors import InvalidInput
from fieldmark.shared_kernel.ids import TeamId

SCOPES = ("stats:read", "events:write", "sites:manage")
PREFIX = "fmk_"


def new_key() -> str:
    return PREFIX + secrets.token_urlsafe(32)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def check_scopes(raw: list[str]) -> tuple[str, ...]:
    if not raw:
        raise InvalidInput("name at least one scope: " + ", ".join(SCOPES), field="scopes")
    for scope in raw:
        if scope not in SCOPES:
            raise InvalidInput(f"{scope!r} is not a scope ({', '.join(SCOPES)})", field="scopes")
    return tuple(dict.fromkeys(raw))


@dataclass(frozen=True)
class ApiKey:
    id: UUID
    team_id: TeamId
    name: str
    prefix: str  # the first characters, to tell keys apart in a list
    scopes: tuple[str, ...]
    # None: every site of the team, now and later. A tuple: only these sites, and never empty on a live key
    # (the store revokes a key whose last site is deleted), so no later change can widen a limited key.
    site_ids: tuple[UUID, ...] | None
    created_by: UUID | None
    created_at: datetime
    last_used_at: datetime | None = None
    revoked_at: datetime | None = None

    def covers(self, site_id: UUID) -> bool:
        return self.site_ids is None or site_id in self.site_ids

    @property
    def limited(self) -> bool:
        return self.site_ids is not None
