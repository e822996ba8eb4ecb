"""Invitations: send, look at, accept (with or without an account), list, resend, revoke."""

from __future__ import annotations

from dataclasses import dataclass
from uuid import UUID

from fieldmark.identity.application.ports import (
    InvitationRepository,
    Mailer,
    MessageComposer,
    PasswordHasher,
    Session,
    SessionStore,
    TeamRepository,
    UserRepository,
)
from fieldmark.identity.domain.invitation import LIFETIME, Invitation, invitable_role, new_token, token_hash
from fieldmark.identity.domain.roles import Membership, Team
from fieldmark.identity.domain.user import User, check_password_policy, normalize_email
from fieldmark.shared_kernel.audit import NO_AUDIT, AuditEvent, AuditTrail
from fieldmark.shared_kernel.clock import Clock
from fieldmark.shared_kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from fieldmark.shared_kernel.ids import TeamId, UserId, new_id
from fieldmark.shared_kernel.text import display_name


@dataclass(frozen=True)
class InviteCommand:
    team_id: TeamId
    email: str
    role: str


@dataclass(frozen=True)
class AcceptCommand:
    token: str
    signed_in: User | None  # the caller, when a session cookie came with the request
    password: str | None = None  # to open an account, when the invitee has none
    name: str = ""


class Invitations:
    """The invitation flow of one team.

    Rules: admins and owners invite (the guard checks that); an invitation names an email and a role
    other than owner, lives seven days, and can be used once. Its token is sent by email and stored only
    as a hash. It is accepted by the account with that email (signed in as it), or, when no account has
    that email, by opening one with a password, even when registration is otherwise closed. Someone
    already in the team cannot be invited again. Resending makes a new token (the old link stops working)
    and a new seven days; revoking makes the link useless at once."""

    def __init__(
        self,
        invitations: InvitationRepository,
        teams: TeamRepository,
        users: UserRepository,
        hasher: PasswordHasher,
        sessions: SessionStore,
        composer: MessageComposer,
        mailer: Mailer,
        clock: Clock,
        base_url: str,
        audit: AuditTrail = NO_AUDIT,
    ) -> None:
        self._audit = audit
        self._invitations = invitations
        self._teams = teams
        self._users = users
        self._hasher = hasher
        self._sessions = sessions
        self._composer = composer
        self._mailer = mailer
        self._clock = clock
        self._base_url = base_url.rstrip("/")

    async def invite(self, inviter: User, command: InviteCommand) -> Invitation:
        email = normalize_email(command.email)
        role = invitable_role(command.role)
        existing = await self._users.by_email(email)
        if existing and await self._teams.role_of(command.team_id, existing[0].id) is not None:
            raise Conflict(f"{email} is already a member of this team", field="email")
        team = next(
            (m.team for m in await self._teams.memberships_of(inviter.id) if m.team.id == command.team_id),
            None,
        )
        if team is None:
            raise NotFound("no such team")
        now = self._clock.now()
        invitation = Invitation(new_id(), command.team_id, team.name, email, role, now, now + LIFETIME)
        token = new_token()
        await self._invitations.add(invitation, token_hash(token), inviter.id)
        await self._send(invitation, inviter, token)
        await self._record("invitation.sent", invitation, inviter.id)
        return invitation

    async def _record(self, action: str, invitation: Invitation, actor: UUID | None) -> None:
        await self._audit.record(
            AuditEvent(
                action, invitation.team_id, actor, None, invitation.email, {"role": invitation.role.value}
            )
        )

    async def describe(self, token: str) -> tuple[Invitation, bool]:
        """The invitation behind a link, and whether its email already has an account."""
        invitation = await self._usable(token)
        return invitation, await self._users.by_email(invitation.email) is not None

    async def accept(self, command: AcceptCommand) -> tuple[User, Membership, Session | None]:
        invitation = await self._usable(command.token)
        existing = await self._users.by_email(invitation.email)
        session: Session | None = None
        if existing is not None:
            user = existing[0]
            if command.signed_in is None or command.signed_in.id != user.id:
                raise PermissionDenied(f"sign in as {invitation.email} to accept this invitation")
        else:
            if command.password is None:
                raise InvalidInput("choose a password to open your account", field="password")
            check_password_policy(command.password, invitation.email)
            user = User(
                UserId(new_id()),
                invitation.email,
                display_name(command.name, what="your name", empty=True),
                False,
                self._clock.now(),
            )
            await self._users.add(user, self._hasher.hash(command.password))
            session = await self._sessions.create(user.id)
        if await self._teams.role_of(invitation.team_id, user.id) is None:
            await self._teams.add_member(invitation.team_id, user.id, invitation.role)
        await self._invitations.mark_accepted(invitation.id, self._clock.now())
        await self._record("invitation.accepted", invitation, user.id)
        team = Team(invitation.team_id, invitation.team_name, invitation.created_at)
        return user, Membership(team, invitation.role), session

    async def pending(self, team_id: TeamId) -> list[Invitation]:
        now = self._clock.now()
        return [
            i
            for i in await self._invitations.of_team(team_id)
            if i.accepted_at is None and i.revoked_at is None and i.expires_at > now
        ]

    async def resend(self, inviter: User, team_id: TeamId, invitation_id: UUID) -> Invitation:
        invitation = await self._of_team(team_id, invitation_id)
        if invitation.accepted_at is not None or invitation.revoked_at is not None:
            invitation.check_usable(self._clock.now())
        renewed, token = invitation.renewed(self._clock.now()), new_token()
        await self._invitations.renew(renewed, token_hash(token))
        await self._send(renewed, inviter, token)
        return renewed

    async def revoke(self, team_id: TeamId, invitation_id: UUID, actor: User | None = None) -> None:
        invitation = await self._of_team(team_id, invitation_id)
        if invitation.accepted_at is None and invitation.revoked_at is None:
            await self._invitations.mark_revoked(invitation.id, self._clock.now())
            await self._record("invitation.revoked", invitation, actor.id if actor else None)

    async def _of_team(self, team_id: TeamId, invitation_id: UUID) -> Invitation:
        invitation = await self._invitations.by_id(team_id, invitation_id)
        if invitation is None:
            raise NotFound("no such invitation")
        return invitation

    async def _usable(self, token: str) -> Invitation:
        invitation = await self._invitations.by_token_hash(token_hash(token))
        if invitation is None:
            raise NotFound("no such invitation")
        invitation.check_usable(self._clock.now())
        return invitation

    async def _send(self, invitation: Invitation, inviter: User, token: str) -> None:
        link = f"{self._base_url}/invitations/{token}"
        await self._mailer.send(self._composer.invitation(invitation, inviter, link))
