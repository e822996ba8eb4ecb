"""Sign in with an email and a password."""

import secrets
from dataclasses import dataclass

from fieldmark.identity.application.ports import (
    Challenges,
    LoginThrottle,
    PasswordHasher,
    Session,
    SessionStore,
    TwoFactorStore,
    UserRepository,
)
from fieldmark.identity.domain.user import User
from fieldmark.shared_kernel.audit import NO_AUDIT, AuditEvent, AuditTrail
from fieldmark.shared_kernel.errors import RateLimited, Unauthenticated


@dataclass(frozen=True)
class SignIn:
    """Either a session, or a challenge to finish with a second factor."""

    user: User
    session: Session | None
    challenge: str | None = None


@dataclass(frozen=True)
class LogInCommand:
    email: str
    password: str
    client: str  # an address token, never the address itself
    previous_token: str | None = None


class LogIn:
    """Starts a session for the account whose email and password match.

    Rules: an account, and a client, may make 10 attempts within 15 minutes; more are refused until the
    window passes (429), without checking the password. Each attempt counts before it is checked, so
    parallel attempts cannot pass the limit. A right password clears the account's count and does not
    count against the client. With two-factor authentication on, a correct
    password yields a challenge to complete with a code instead of a session. A wrong email and a wrong
    password get the same answer, in the same time. A new session token is issued on every sign-in and
    the previous one, if the browser sent it, is revoked, so a session fixed before sign-in is worthless."""

    def __init__(
        self,
        users: UserRepository,
        hasher: PasswordHasher,
        sessions: SessionStore,
        throttle: LoginThrottle,
        two_factor: TwoFactorStore | None = None,
        challenges: Challenges | None = None,
        audit: AuditTrail = NO_AUDIT,
    ) -> None:
        self._audit = audit
        self._two_factor = two_factor
        self._challenges = challenges
        self._users = users
        self._hasher = hasher
        self._sessions = sessions
        self._throttle = throttle
        # Verified when the email is unknown, so both cases cost the same hash.
        self._nobody = hasher.hash(secrets.token_hex(16))

    async def execute(self, command: LogInCommand) -> SignIn:
        keys = [f"account:{command.email.strip().lower()}", f"client:{command.client}"]
        wait = await self._throttle.attempt(keys)
        if wait:
            raise RateLimited(f"too many failed sign-ins; try again in {wait} s", retry_after=wait)
        found = await self._users.by_email(command.email.strip())
        valid = self._hasher.verify(found[1] if found else self._nobody, command.password)
        if found is None or not valid:
            if found is not None:
                await self._audit.record(
                    AuditEvent("login.failed", actor_user=found[0].id, detail={"reason": "password"})
                )
            raise Unauthenticated("the email or the password is wrong")
        await self._throttle.succeeded(refund=keys[1:], clear=keys[:1])
        if command.previous_token:
            await self._sessions.revoke(command.previous_token)
        user = found[0]
        if self._two_factor and self._challenges and (await self._two_factor.state(user.id)).enabled:
            return SignIn(user, None, await self._challenges.issue(user.id))  # recorded at the second step
        await self._audit.record(AuditEvent("login.succeeded", actor_user=user.id))
        return SignIn(user, await self._sessions.create(user.id))
