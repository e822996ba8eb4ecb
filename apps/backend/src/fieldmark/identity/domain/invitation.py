"""An invitation to join a team with a role, valid for seven days until accepted or revoked."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from uuid import UUID

from fieldmark.identity.domain.roles import Role
from fieldmark.shared_kernel.errors import Gone, InvalidInput
from fieldmark.shared_kernel.ids import TeamId

LIFETIME = timedelta(days=7)


def new_token() -> str:
    return secrets.token_urlsafe(32)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitable_role(raw: str) -> Role:
    """Anyone but an owner: ownership is transferred, never handed out by invitation."""
    try:
        role = Role(raw)
    except ValueError:
        raise InvalidInput(f"{raw!r} is not a role (admin, editor or viewer)", field="role") from None
    if role is Role.OWNER:
        raise InvalidInput("ownership is transferred, not given by invitation", field="role")
    return role


@dataclass(frozen=True)
class Invitation:
    id: UUID
    team_id: TeamId
    team_name: str
    email: str
    role: Role
    created_at: datetime
    expires_at: datetime
    accepted_at: datetime | None = None
    revoked_at: datetime | None = None

    def check_usable(self, now: datetime) -> None:
        if self.revoked_at is not None:
            raise Gone("this invitation was revoked")
        if self.accepted_at is not None:
            raise Gone("this invitation was already accepted")
        if now >= self.expires_at:
            raise Gone("this invitation has expired; ask for a new one")

    def renewed(self, now: datetime) -> Invitation:
        return replace(self, created_at=now, expires_at=now + LIFETIME)
