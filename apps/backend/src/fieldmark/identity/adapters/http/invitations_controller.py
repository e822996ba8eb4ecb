"""Invitations over HTTP: a team's admins invite, resend and revoke; the invitee looks and accepts."""

from __future__ import annotations

import hmac
from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, Response, delete, get, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from fieldmark.identity.adapters.http.auth_controller import SESSION_COOKIE, SignedIn, _cookie, _signed_in
from fieldmark.identity.application.authorize import Caller
from fieldmark.identity.application.invitations import AcceptCommand, Invitations, InviteCommand
from fieldmark.identity.domain.invitation import Invitation
from fieldmark.identity.domain.user import User
from fieldmark.shared_kernel.access import MANAGE_MEMBERS, PUBLIC, TEAM, access
from fieldmark.shared_kernel.errors import PermissionDenied, Unauthenticated
from fieldmark.shared_kernel.ids import TeamId


class NewInvitation(msgspec.Struct, forbid_unknown_fields=True):
    email: str
    role: str


class Acceptance(msgspec.Struct, forbid_unknown_fields=True):
    password: str | None = None
    name: str = ""


class InvitationOut(msgspec.Struct, frozen=True):
    id: str
    team_id: str
    team_name: str
    email: str
    role: str
    expires_at: datetime


class InvitationView(msgspec.Struct, frozen=True):
    team_name: str
    email: str
    role: str
    expires_at: datetime
    has_account: bool


class Accepted(msgspec.Struct, frozen=True):
    team_id: str
    team_name: str
    role: str
    session: SignedIn | None


def _out(i: Invitation) -> InvitationOut:
    return InvitationOut(str(i.id), str(i.team_id), i.team_name, i.email, i.role.value, i.expires_at)


def _invitations(request: Request[Any, Any, State]) -> Invitations:
    invitations: Invitations = request.app.state.identity.invitations
    return invitations


class InvitationsController(Controller):
    tags = ["Teams"]

    @post(
        "/api/teams/{team_id:uuid}/invitations",
        operation_id="inviteMember",
        opt=access(TEAM, MANAGE_MEMBERS),
        summary="Invite someone by email",
        description="201, and the invitation emailed. 400 for an invalid email or a role other than admin, "
        "editor or viewer; 409 when the person is already a member; 503 when the mail server is down.",
    )
    async def invite(
        self, request: Request[Any, Any, State], team_id: FromPath[UUID], data: JSONBody[NewInvitation]
    ) -> InvitationOut:
        caller: Caller = request.state.caller
        return _out(
            await _invitations(request).invite(
                caller.person, InviteCommand(TeamId(team_id), data.email, data.role)
            )
        )

    @get(
        "/api/teams/{team_id:uuid}/invitations",
        operation_id="listInvitations",
        opt=access(TEAM, MANAGE_MEMBERS),
        summary="Invitations not yet accepted, revoked or expired",
    )
    async def pending(
        self, request: Request[Any, Any, State], team_id: FromPath[UUID]
    ) -> list[InvitationOut]:
        return [_out(i) for i in await _invitations(request).pending(TeamId(team_id))]

    @post(
        "/api/teams/{team_id:uuid}/invitations/{invitation_id:uuid}/resend",
        operation_id="resendInvitation",
        opt=access(TEAM, MANAGE_MEMBERS),
        status_code=200,
        summary="Send again with a new link (the old one stops working) and seven more days",
        description="200; 404 for an unknown invitation; 410 when it was accepted or revoked.",
    )
    async def resend(
        self, request: Request[Any, Any, State], team_id: FromPath[UUID], invitation_id: FromPath[UUID]
    ) -> InvitationOut:
        caller: Caller = request.state.caller
        return _out(await _invitations(request).resend(caller.person, TeamId(team_id), invitation_id))

    @delete(
        "/api/teams/{team_id:uuid}/invitations/{invitation_id:uuid}",
        operation_id="revokeInvitation",
        opt=access(TEAM, MANAGE_MEMBERS),
        summary="Revoke: the link stops working at once",
    )
    async def revoke(
        self, request: Request[Any, Any, State], team_id: FromPath[UUID], invitation_id: FromPath[UUID]
    ) -> None:
        caller: Caller = request.state.caller
        await _invitations(request).revoke(TeamId(team_id), invitation_id, caller.user)

    @get(
        "/api/invitations/{token:str}",
        operation_id="getInvitation",
        opt=access(PUBLIC),
        summary="What an invitation link offers",
        description="200; 404 for an unknown link; 410 when expired, revoked or already used.",
    )
    async def describe(self, request: Request[Any, Any, State], token: FromPath[str]) -> InvitationView:
        invitation, has_account = await _invitations(request).describe(token)
        return InvitationView(
            invitation.team_name, invitation.email, invitation.role.value, invitation.expires_at, has_account
        )

    @post(
        "/api/invitations/{token:str}/accept",
        operation_id="acceptInvitation",
        opt=access(PUBLIC, same_origin=True),
        status_code=200,
        summary="Accept: join the team, opening an account if the email has none",
        description="With an account: sign in as the invited email first (403 otherwise; a signed-in "
        "request needs X-CSRF-Token). Without one: send a password (400 when missing or outside the "
        "policy); the account is opened, signed in and its cookie set. 404 unknown link; 410 expired, "
        "revoked or used. "
        "415 unless sent as application/json, and 403 (`field: origin`) when another site's page sent it.",
    )
    async def accept(
        self, request: Request[Any, Any, State], token: FromPath[str], data: JSONBody[Acceptance]
    ) -> Response[Accepted]:
        state = request.app.state.identity
        signed_in: User | None = None
        cookie = request.cookies.get(SESSION_COOKIE)
        if cookie:
            try:
                signed_in, session = await state.current_user.execute(cookie)
            except Unauthenticated:
                signed_in = None
            else:
                sent = request.headers.get("x-csrf-token", "")
                if not hmac.compare_digest(sent.encode(), session.csrf_token.encode()):
                    raise PermissionDenied(
                        "missing or wrong X-CSRF-Token for this session", field="x-csrf-token"
                    )
        user, membership, new_session = await _invitations(request).accept(
            AcceptCommand(token, signed_in, data.password, data.name)
        )
        body = Accepted(
            str(membership.team.id),
            membership.team.name,
            membership.role.value,
            _signed_in(user, new_session) if new_session else None,
        )
        cookies = [_cookie(state, new_session.token, 14 * 24 * 3600)] if new_session else []
        return Response(body, cookies=cookies)
