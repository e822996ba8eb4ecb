"""TOTP two-factor authentication: set-up, confirmation with recovery codes, and the second sign-in step."""

from __future__ import annotations

import hashlib
import secrets
from dataclasses import dataclass

from fieldmark.identity.application.ports import (
    Challenges,
    LoginThrottle,
    PasswordHasher,
    Session,
    SessionStore,
    Totp,
    TwoFactorStore,
    UserRepository,
)
from fieldmark.identity.domain.user import User
from fieldmark.shared_kernel.audit import NO_AUDIT, AuditEvent, AuditTrail
from fieldmark.shared_kernel.errors import Conflict, Gone, InvalidInput, RateLimited, Unauthenticated

RECOVERY_CODES = 10


def _code_hash(code: str) -> str:
    return hashlib.sha256(code.strip().lower().replace("-", "").encode()).hexdigest()


@dataclass(frozen=True)
class Setup:
    secret: str
    uri: str  # otpauth:// for a QR code


class TwoFactor:
    """Rules: set-up gives a secret that takes effect only once a code from it is confirmed; confirming
    returns ten recovery codes, shown once and stored only as hashes. With 2FA on, a correct password
    yields a challenge (five minutes) instead of a session; the challenge and a current code, or an unused
    recovery code, give the session. A code is accepted once (no replay within its 30 s window). Turning
    2FA off needs the password. Second-step attempts have their own throttle, per account and per client (10
    within 15 minutes, counted before the code is checked): a right password does not reset it, so codes
    cannot be guessed by signing in again between guesses."""

    def __init__(
        self,
        store: TwoFactorStore,
        totp: Totp,
        challenges: Challenges,
        sessions: SessionStore,
        users: UserRepository,
        hasher: PasswordHasher,
        throttle: LoginThrottle,
        audit: AuditTrail = NO_AUDIT,
    ) -> None:
        self._audit = audit
        self._store = store
        self._totp = totp
        self._challenges = challenges
        self._sessions = sessions
        self._users = users
        self._hasher = hasher
        self._throttle = throttle

    async def _record(self, action: str, user: User, **detail: str) -> None:
        await self._audit.record(AuditEvent(action, actor_user=user.id, detail=detail))

    async def is_enabled(self, user: User) -> bool:
        return (await self._store.state(user.id)).enabled

    async def set_up(self, user: User) -> Setup:
        if (await self._store.state(user.id)).enabled:
            raise Conflict("two-factor authentication is on already; turn it off first")
        secret = self._totp.new_secret()
        await self._store.set_pending(user.id, secret)
        return Setup(secret, self._totp.uri(secret, user.email))

    async def confirm(self, user: User, code: str) -> list[str]:
        state = await self._store.state(user.id)
        if state.enabled:
            raise Conflict("two-factor authentication is on already")
        if state.secret is None:
            raise InvalidInput("start the set-up first", field="code")
        step = self._totp.matching_step(state.secret, code)
        if step is None:
            raise InvalidInput("that code does not match; check the device's clock", field="code")
        codes = ["-".join(secrets.token_hex(3) for _ in range(2)) for _ in range(RECOVERY_CODES)]
        await self._store.enable(user.id, [_code_hash(c) for c in codes])
        await self._store.use_step(user.id, step)
        await self._record("two_factor.enabled", user)
        return codes

    async def disable(self, user: User, password: str) -> None:
        stored = await self._users.password_hash(user.id)
        if stored is None or not self._hasher.verify(stored, password):
            raise InvalidInput("the password is wrong", field="password")
        await self._store.disable(user.id)
        await self._record("two_factor.disabled", user)

    async def challenge(self, user: User) -> str:
        return await self._challenges.issue(user.id)

    async def complete(
        self, challenge: str, code: str | None, recovery_code: str | None, client: str = ""
    ) -> tuple[User, Session]:
        user_id = await self._challenges.redeem(challenge)
        user = await self._users.by_id(user_id) if user_id else None
        if user is None:
            raise Gone("this sign-in has expired; enter the password again")
        keys = [f"second-factor:account:{user.id}", f"second-factor:client:{client}"]
        wait = await self._throttle.attempt(keys)
        if wait:
            raise RateLimited(f"too many failed sign-ins; try again in {wait} s", retry_after=wait)
        state = await self._store.state(user.id)
        accepted = False
        if code and state.secret:
            step = self._totp.matching_step(state.secret, code)
            accepted = step is not None and await self._store.use_step(user.id, step)
        elif recovery_code:
            accepted = await self._store.use_recovery_code(user.id, _code_hash(recovery_code))
        method = "totp" if code else "recovery_code"
        if not accepted:
            await self._record("login.failed", user, reason="second_factor", method=method)
            raise Unauthenticated("that code is not valid; sign in again")
        await self._throttle.succeeded(refund=keys[1:], clear=keys[:1])
        await self._record("login.succeeded", user, second_factor=method)
        return user, await self._sessions.create(user.id)
