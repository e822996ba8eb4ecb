"""`/api/auth`: register, sign in, sign out, and who is signed in. Sessions ride in an HttpOnly,
SameSite=Lax cookie (Secure behind HTTPS); writes made with that cookie must repeat the session's CSRF
token in `X-CSRF-Token`."""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import Cookie, State
from litestar.params import FromPath, JSONBody

from fieldmark.identity.application.api_keys import ApiKeys
from fieldmark.identity.application.audit_log import ReadAuditLog
from fieldmark.identity.application.authorize import Authorize, Caller
from fieldmark.identity.application.current_user import CurrentUser, LogOut
from fieldmark.identity.application.heatmap_tokens import IssueHeatmapToken
from fieldmark.identity.application.instance_admin import InstanceOverview
from fieldmark.identity.application.invitations import Invitations
from fieldmark.identity.application.log_in import LogIn, LogInCommand
from fieldmark.identity.application.members import Members
from fieldmark.identity.application.passwords import Passwords
from fieldmark.identity.application.ports import Session
from fieldmark.identity.application.register_account import RegisterAccount, RegisterCommand
from fieldmark.identity.application.shared_links import SharedLinks
from fieldmark.identity.application.teams import CreateTeam, ListTeams, TeamSettings
from fieldmark.identity.application.two_factor import TwoFactor
from fieldmark.identity.domain.user import User
from fieldmark.shared_kernel.access import PUBLIC, USER, access
from fieldmark.shared_kernel.net import RELAYED_PEER, Network, client_ip

SESSION_COOKIE = "fm_session"


@dataclass(frozen=True)
class IdentityState:
    register: RegisterAccount
    log_in: LogIn
    current_user: CurrentUser
    log_out: LogOut
    authorize: Authorize
    list_teams: ListTeams
    create_team: CreateTeam
    invitations: Invitations
    members: Members
    passwords: Passwords
    two_factor: TwoFactor
    api_keys: ApiKeys
    audit: ReadAuditLog
    shared_links: SharedLinks
    team_settings: TeamSettings
    instance_overview: InstanceOverview
    heatmap_tokens: IssueHeatmapToken
    secure_cookies: bool
    secret: bytes
    trusted_proxies: tuple[Network, ...]


def client_key(request: Request[Any, Any, State]) -> str:
    """The client's address as a keyed hash, for throttles: the address itself is never kept."""
    state = _state(request)
    peer = request.client.host if request.client else ""
    ip = client_ip(
        peer,
        request.headers.get("x-forwarded-for"),
        request.headers.get("forwarded"),
        state.trusted_proxies,
        request.headers.get(RELAYED_PEER),
    )
    return hmac.new(state.secret, ip.encode(), hashlib.sha256).hexdigest()[:32]


class RegisterBody(msgspec.Struct, forbid_unknown_fields=True):
    email: str
    password: str
    name: str = ""


class LogInBody(msgspec.Struct, forbid_unknown_fields=True):
    email: str
    password: str


class ResetRequest(msgspec.Struct, forbid_unknown_fields=True):
    email: str


class NewPassword(msgspec.Struct, forbid_unknown_fields=True):
    password: str


class PasswordChange(msgspec.Struct, forbid_unknown_fields=True):
    current_password: str
    new_password: str


class SecondFactorNeeded(msgspec.Struct, frozen=True):
    """The password was right; finish at POST /api/auth/login/2fa with a code within five minutes."""

    challenge: str
    two_factor_required: bool = True


class UserOut(msgspec.Struct, frozen=True):
    id: str
    email: str
    name: str
    is_instance_admin: bool


class SignedIn(msgspec.Struct, frozen=True):
    user: UserOut
    csrf_token: str


def _signed_in(user: User, session: Session) -> SignedIn:
    return SignedIn(UserOut(str(user.id), user.email, user.name, user.is_instance_admin), session.csrf_token)


def _state(request: Request[Any, Any, State]) -> IdentityState:
    state: IdentityState = request.app.state.identity
    return state


def _cookie(state: IdentityState, value: str, max_age: int) -> Cookie:
    return Cookie(
        key=SESSION_COOKIE,
        value=value,
        max_age=max_age,
        path="/",
        httponly=True,
        samesite="lax",
        secure=state.secure_cookies,
    )


class AuthController(Controller):
    path = "/api/auth"
    tags = ["Accounts"]

    @post(
        "/register",
        opt=access(PUBLIC, same_origin=True),
        operation_id="register",
        status_code=201,
        summary="Open an account (the first becomes instance admin) and sign it in",
        description="201 with the user and the session's CSRF token, and the session cookie set. 400 for an "
        "invalid email or a password outside the policy (10 to 1,024 characters, not one repeated character, "
        "not the email); 403 when registration is closed (REGISTRATION=invite, the default, once an "
        "account exists); 409 when the email is taken. "
        "415 unless sent as application/json, and 403 (`field: origin`) when another site's page sent it.",
    )
    async def register(
        self, request: Request[Any, Any, State], data: JSONBody[RegisterBody]
    ) -> Response[SignedIn]:
        state = _state(request)
        user, session = await state.register.execute(RegisterCommand(data.email, data.password, data.name))
        return Response(
            _signed_in(user, session),
            status_code=201,
            cookies=[_cookie(state, session.token, 14 * 24 * 3600)],
        )

    @post(
        "/login",
        opt=access(PUBLIC, same_origin=True),
        operation_id="logIn",
        status_code=200,
        summary="Sign in with email and password",
        description="200 with the user and a new session's CSRF token; or, with two-factor authentication "
        "on, 200 `{two_factor_required, challenge}` and no session yet. The cookie is replaced and any "
        "previous session of this browser revoked. 401 when the email or password is wrong (the same "
        "answer for both); 429 with Retry-After after 10 failures in 15 minutes for the account or client. "
        "415 unless sent as application/json, and 403 (`field: origin`) when another site's page sent it.",
    )
    async def log_in(
        self, request: Request[Any, Any, State], data: JSONBody[LogInBody]
    ) -> Response[SignedIn | SecondFactorNeeded]:
        state = _state(request)
        client = client_key(request)
        result = await state.log_in.execute(
            LogInCommand(data.email, data.password, client, request.cookies.get(SESSION_COOKIE))
        )
        if result.session is None:
            assert result.challenge is not None
            return Response(SecondFactorNeeded(challenge=result.challenge))
        return Response(
            _signed_in(result.user, result.session),
            cookies=[_cookie(state, result.session.token, 14 * 24 * 3600)],
        )

    @post(
        "/logout",
        opt=access(USER),
        operation_id="logOut",
        status_code=204,
        summary="Sign out",
        description="204 and the cookie cleared. Needs X-CSRF-Token (403 without it); 401 when not "
        "signed in.",
    )
    async def log_out(self, request: Request[Any, Any, State]) -> Response[None]:
        state = _state(request)
        caller: Caller = request.state.caller  # signed in, with the CSRF token checked, by the guard
        await state.log_out.execute(caller.browser_session.token)
        return Response(None, status_code=204, cookies=[_cookie(state, "", 0)])

    @get(
        "/me",
        opt=access(USER),
        operation_id="getMe",
        summary="The signed-in user and the session's CSRF token",
        description="200 when signed in, 401 otherwise.",
        cache=False,
    )
    async def me(self, request: Request[Any, Any, State]) -> SignedIn:
        caller: Caller = request.state.caller
        return _signed_in(caller.person, caller.browser_session)

    @post(
        "/password",
        opt=access(USER),
        operation_id="changePassword",
        status_code=200,
        summary="Change the password; every other session ends",
        description="200 with a new session (cookie replaced). 400 when the current password is wrong "
        "(`field: current_password`) or the new one is outside the policy.",
    )
    async def change_password(
        self, request: Request[Any, Any, State], data: JSONBody[PasswordChange]
    ) -> Response[SignedIn]:
        state = _state(request)
        caller: Caller = request.state.caller
        session = await state.passwords.change(caller.person, data.current_password, data.new_password)
        return Response(
            _signed_in(caller.person, session), cookies=[_cookie(state, session.token, 14 * 24 * 3600)]
        )

    @post(
        "/password-reset",
        opt=access(PUBLIC),
        operation_id="requestPasswordReset",
        status_code=202,
        summary="Email a one-time reset link",
        description="202 whether or not an account has this email, so the answer reveals nothing; only an "
        "existing account gets the email. The link works once, for an hour.",
    )
    async def request_reset(self, request: Request[Any, Any, State], data: JSONBody[ResetRequest]) -> None:
        await _state(request).passwords.request_reset(data.email)

    @post(
        "/password-reset/{token:str}",
        opt=access(PUBLIC, same_origin=True),
        operation_id="resetPassword",
        status_code=204,
        summary="Set a new password with a reset link; every session of the account ends",
        description="204. 400 for a password outside the policy (the link stays usable); 410 when the link "
        "was used, expired or never existed. "
        "415 unless sent as application/json, and 403 (`field: origin`) when another site's page sent it.",
    )
    async def reset(
        self, request: Request[Any, Any, State], token: FromPath[str], data: JSONBody[NewPassword]
    ) -> None:
        await _state(request).passwords.reset(token, data.password)
