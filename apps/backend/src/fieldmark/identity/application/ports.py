"""What Identity's use cases need from the outside world."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from fieldmark.identity.domain.api_key import ApiKey
from fieldmark.identity.domain.invitation import Invitation
from fieldmark.identity.domain.roles import Membership, Role, Team
from fieldmark.identity.domain.shared_link import SharedLink
from fieldmark.identity.domain.user import User
from fieldmark.shared_kernel.audit import AuditRecord
from fieldmark.shared_kernel.ids import TeamId, UserId


class UserRepository(Protocol):
    async def add(self, user: User, password_hash: str) -> None:
        """Store a new user; raise `Conflict` if the email is taken."""

    async def count(self) -> int: ...

    async def by_email(self, email: str) -> tuple[User, str] | None:
        """The user and their password hash, found case-insensitively."""

    async def by_id(self, user_id: UserId) -> User | None: ...

    async def set_password(self, user_id: UserId, password_hash: str) -> None: ...

    async def password_hash(self, user_id: UserId) -> str | None: ...


@dataclass(frozen=True)
class AccountSummary:
    """An account as the instance administrator's page lists it."""

    user: User
    two_factor: bool
    teams: int


class AccountDirectory(Protocol):
    """Every account and team of the instance, for its administrator."""

    async def accounts(self, limit: int, offset: int) -> list[AccountSummary]: ...

    async def totals(self) -> tuple[int, int]:
        """How many accounts and teams there are."""
        ...


class PasswordHasher(Protocol):
    def hash(self, password: str) -> str: ...

    def verify(self, password_hash: str, password: str) -> bool: ...


@dataclass(frozen=True)
class Session:
    """A signed-in browser: the cookie carries `token`; writes must also send `csrf_token`."""

    token: str
    user_id: UserId
    csrf_token: str


class SessionStore(Protocol):
    async def create(self, user_id: UserId) -> Session: ...

    async def get(self, token: str) -> Session | None: ...

    async def revoke(self, token: str) -> None: ...

    async def revoke_all(self, user_id: UserId) -> None:
        """End every session of a user, on every device."""


class ResetTokens(Protocol):
    async def issue(self, user_id: UserId) -> str:
        """A new one-time token, valid for an hour."""

    async def peek(self, token: str) -> UserId | None:
        """The token's user, leaving the token usable (to check a request before spending it)."""

    async def redeem(self, token: str) -> UserId | None:
        """The token's user, once: the token is gone afterwards."""

    async def revoke_all(self, user_id: UserId) -> None:
        """Every outstanding token of the user stops working."""


class LoginThrottle(Protocol):
    async def attempt(self, keys: list[str]) -> int:
        """Counts one attempt against every key, atomically and before the attempt is checked, so parallel
        attempts cannot slip past the limit: the seconds to wait when any key is now over it (the attempt
        must then not be checked), 0 otherwise."""

    async def succeeded(self, refund: list[str], clear: list[str]) -> None:
        """A checked attempt was right: it stops counting against `refund`, and `clear` start afresh."""


class TeamRepository(Protocol):
    async def create(self, team: Team, owner: UserId) -> None: ...

    async def add_member(self, team_id: TeamId, user_id: UserId, role: Role) -> None: ...

    async def memberships_of(self, user_id: UserId) -> list[Membership]: ...

    async def role_of(self, team_id: TeamId, user_id: UserId) -> Role | None: ...

    async def access_of(self, team_id: TeamId, user_id: UserId) -> tuple[Role, bool] | None:
        """The member's role, and whether the team requires two-factor sign-in."""

    async def update(self, team: Team) -> None:
        """Store a team's name and settings."""

    async def members(self, team_id: TeamId) -> list[tuple[User, Role]]: ...

    async def set_role(self, team_id: TeamId, user_id: UserId, role: Role) -> None: ...

    async def remove_member(self, team_id: TeamId, user_id: UserId) -> None: ...


class SiteOwnership(Protocol):
    """Which team owns a site: implemented over the Sites context."""

    async def team_of(self, site_id: UUID) -> TeamId | None: ...

    async def count(self) -> int:
        """Every site of the instance."""
        ...

    async def by_domain(self, domain: str) -> UUID | None:
        """The id of the site with this domain (Plausible's API names sites by domain)."""

    async def serves(self, site_id: UUID, url: str) -> bool:
        """Whether `url` is an http(s) page on one of the site's hostnames (its domain, or those it lists)."""
        ...


class InvitationRepository(Protocol):
    async def add(self, invitation: Invitation, token_hash: str, invited_by: UserId) -> None: ...

    async def by_token_hash(self, token_hash: str) -> Invitation | None: ...

    async def by_id(self, team_id: TeamId, invitation_id: UUID) -> Invitation | None: ...

    async def of_team(self, team_id: TeamId) -> list[Invitation]: ...

    async def mark_accepted(self, invitation_id: UUID, at: datetime) -> None: ...

    async def mark_revoked(self, invitation_id: UUID, at: datetime) -> None: ...

    async def renew(self, invitation: Invitation, token_hash: str) -> None: ...


@dataclass(frozen=True)
class Message:
    to: str
    subject: str
    text: str
    html: str


class MessageComposer(Protocol):
    def invitation(self, invitation: Invitation, inviter: User, link: str) -> Message: ...

    def password_reset(self, user: User, link: str) -> Message: ...


class Mailer(Protocol):
    async def send(self, message: Message) -> None:
        """Deliver or raise `StoreUnavailable` (the mail server could not be reached)."""


@dataclass(frozen=True)
class TwoFactorState:
    secret: str | None
    enabled: bool
    last_step: int | None


class TwoFactorStore(Protocol):
    async def state(self, user_id: UserId) -> TwoFactorState: ...

    async def set_pending(self, user_id: UserId, secret: str) -> None: ...

    async def enable(self, user_id: UserId, code_hashes: list[str]) -> None:
        """Turn 2FA on and replace the recovery codes."""

    async def disable(self, user_id: UserId) -> None: ...

    async def use_step(self, user_id: UserId, step: int) -> bool:
        """Record the time step of an accepted code; False if it (or a later one) was used already."""

    async def use_recovery_code(self, user_id: UserId, code_hash: str) -> bool:
        """Spend a recovery code; False if unknown or used."""


class Totp(Protocol):
    def new_secret(self) -> str: ...

    def uri(self, secret: str, account: str) -> str: ...

    def matching_step(self, secret: str, code: str) -> int | None:
        """The time step a code is valid for (now, or one step either side), or None."""


class Challenges(Protocol):
    async def issue(self, user_id: UserId) -> str:
        """A short-lived token standing for a correct password, awaiting the second factor."""

    async def redeem(self, token: str) -> UserId | None: ...


class ApiKeyRepository(Protocol):
    async def add(self, key: ApiKey, key_hash: str) -> None: ...

    async def by_hash(self, key_hash: str) -> ApiKey | None: ...

    async def of_team(self, team_id: TeamId) -> list[ApiKey]: ...

    async def revoke(self, team_id: TeamId, key_id: UUID, at: datetime) -> bool:
        """False when the team has no such live key."""

    async def touch(self, key_id: UUID, at: datetime) -> None:
        """Record a use (at most about once a minute)."""


class AuditLogReader(Protocol):
    async def of_team(self, team_id: UUID, before: int | None, limit: int) -> list[AuditRecord]: ...
    async def of_user(self, user_id: UUID, before: int | None, limit: int) -> list[AuditRecord]: ...


class SharedLinkRepository(Protocol):
    async def add(self, link: SharedLink, token_hash: str, password_hash: str | None) -> None: ...
    async def by_hash(self, token_hash: str) -> tuple[SharedLink, str | None] | None:
        """The link and its password hash (None: no password)."""

    async def of_site(self, site_id: UUID) -> list[SharedLink]: ...
    async def revoke(self, site_id: UUID, link_id: UUID, at: datetime) -> SharedLink | None: ...


@dataclass(frozen=True)
class SiteSummary:
    domain: str
    name: str
    timezone: str


@dataclass(frozen=True)
class SegmentSummary:
    id: UUID
    name: str
    filters: list[Any]


class SiteFacts(Protocol):
    """What a shared link shows of its site and segment: implemented over the Sites context."""

    async def summary(self, site_id: UUID) -> SiteSummary | None: ...
    async def shared_segment(self, site_id: UUID, segment_id: UUID) -> SegmentSummary | None:
        """The segment if it belongs to the site and is shared with it (not someone's personal one)."""
