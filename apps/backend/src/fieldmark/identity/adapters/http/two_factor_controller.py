"""`/api/auth/2fa` and the second sign-in step: TOTP set-up with recovery codes."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, Response, get, post
from litestar.datastructures import State
from litestar.params import JSONBody

from fieldmark.identity.adapters.http.auth_controller import SignedIn, _cookie, _signed_in, client_key
from fieldmark.identity.application.authorize import Caller
from fieldmark.identity.application.two_factor import TwoFactor
from fieldmark.shared_kernel.access import PUBLIC, USER, access


class Code(msgspec.Struct, forbid_unknown_fields=True):
    code: str


class Password(msgspec.Struct, forbid_unknown_fields=True):
    password: str


class SecondStep(msgspec.Struct, forbid_unknown_fields=True):
    challenge: str
    code: str | None = None
    recovery_code: str | None = None


class Status(msgspec.Struct, frozen=True):
    enabled: bool


class SetupOut(msgspec.Struct, frozen=True):
    secret: str
    otpauth_uri: str


class RecoveryCodes(msgspec.Struct, frozen=True):
    recovery_codes: list[str]


def _two_factor(request: Request[Any, Any, State]) -> TwoFactor:
    two_factor: TwoFactor = request.app.state.identity.two_factor
    return two_factor


class TwoFactorController(Controller):
    path = "/api/auth"
    tags = ["Accounts"]

    @get("/2fa", operation_id="getTwoFactor", opt=access(USER), summary="Whether two-factor sign-in is on")
    async def status(self, request: Request[Any, Any, State]) -> Status:
        caller: Caller = request.state.caller
        return Status(await _two_factor(request).is_enabled(caller.person))

    @post(
        "/2fa/setup",
        operation_id="setUpTwoFactor",
        opt=access(USER),
        status_code=200,
        summary="Start set-up: a secret and an otpauth:// URI for an authenticator app's QR code",
        description="200. It takes effect only when a code from it is confirmed. 409 when already on.",
    )
    async def set_up(self, request: Request[Any, Any, State]) -> SetupOut:
        caller: Caller = request.state.caller
        setup = await _two_factor(request).set_up(caller.person)
        return SetupOut(setup.secret, setup.uri)

    @post(
        "/2fa/confirm",
        operation_id="confirmTwoFactor",
        opt=access(USER),
        status_code=200,
        summary="Confirm with a current code: two-factor sign-in is on; ten recovery codes, shown once",
        description="200 with the recovery codes. 400 when the code does not match (`field: code`).",
    )
    async def confirm(self, request: Request[Any, Any, State], data: JSONBody[Code]) -> RecoveryCodes:
        caller: Caller = request.state.caller
        return RecoveryCodes(await _two_factor(request).confirm(caller.person, data.code))

    @post(
        "/2fa/disable",
        operation_id="disableTwoFactor",
        opt=access(USER),
        status_code=204,
        summary="Turn two-factor sign-in off",
        description="204. 400 when the password is wrong.",
    )
    async def disable(self, request: Request[Any, Any, State], data: JSONBody[Password]) -> None:
        caller: Caller = request.state.caller
        await _two_factor(request).disable(caller.person, data.password)

    @post(
        "/login/2fa",
        operation_id="logInSecondFactor",
        opt=access(PUBLIC, same_origin=True),
        status_code=200,
        summary="Finish signing in with a code from the authenticator app, or a recovery code",
        description="200 with the session (cookie set). 401 when the code is not valid (sign in again: "
        "the challenge is spent); 410 when the challenge expired or was used; 429 after repeated failures. "
        "415 unless sent as application/json, and 403 (`field: origin`) when another site's page sent it.",
    )
    async def second_step(
        self, request: Request[Any, Any, State], data: JSONBody[SecondStep]
    ) -> Response[SignedIn]:
        user, session = await _two_factor(request).complete(
            data.challenge, data.code, data.recovery_code, client_key(request)
        )
        state = request.app.state.identity
        return Response(_signed_in(user, session), cookies=[_cookie(state, session.token, 14 * 24 * 3600)])
