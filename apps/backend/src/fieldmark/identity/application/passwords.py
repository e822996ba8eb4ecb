"""Changing a password, and resetting a forgotten one through an emailed one-time link."""

from __future__ import annotations

from fieldmark.identity.application.ports import (
    Mailer,
    MessageComposer,
    PasswordHasher,
    ResetTokens,
    Session,
    SessionStore,
    UserRepository,
)
from fieldmark.identity.domain.user import User, check_password_policy
from fieldmark.shared_kernel.audit import NO_AUDIT, AuditEvent, AuditTrail
from fieldmark.shared_kernel.errors import Gone, InvalidInput


class Passwords:
    """Rules: a new password follows the policy. A change needs the current password; it ends every other
    session and starts a new one for this browser. A reset is asked for by email address. The answer is
    the same whether or not an account has it, and only an existing account gets the email. Its link
    works once, for an hour; a refused reset (a password outside the policy, the email among them) leaves
    it usable. Using one link ends every session of the account and every other reset link, older or
    newer; so does a password change. A reset is audited as `password.reset`, a change as
    `password.changed`."""

    def __init__(
        self,
        users: UserRepository,
        hasher: PasswordHasher,
        sessions: SessionStore,
        tokens: ResetTokens,
        composer: MessageComposer,
        mailer: Mailer,
        base_url: str,
        audit: AuditTrail = NO_AUDIT,
    ) -> None:
        self._audit = audit
        self._users = users
        self._hasher = hasher
        self._sessions = sessions
        self._tokens = tokens
        self._composer = composer
        self._mailer = mailer
        self._base_url = base_url.rstrip("/")

    async def change(self, user: User, current: str, new: str) -> Session:
        stored = await self._users.password_hash(user.id)
        if stored is None or not self._hasher.verify(stored, current):
            raise InvalidInput("the current password is wrong", field="current_password")
        check_password_policy(new, user.email)
        await self._users.set_password(user.id, self._hasher.hash(new))
        await self._sessions.revoke_all(user.id)
        await self._tokens.revoke_all(user.id)
        await self._record("password.changed", user)
        return await self._sessions.create(user.id)

    async def _record(self, action: str, user: User) -> None:
        await self._audit.record(AuditEvent(action, actor_user=user.id))

    async def request_reset(self, email: str) -> None:
        found = await self._users.by_email(email.strip())
        if found is None:
            return
        token = await self._tokens.issue(found[0].id)
        await self._mailer.send(
            self._composer.password_reset(found[0], f"{self._base_url}/reset-password/{token}")
        )

    async def reset(self, token: str, new: str) -> None:
        gone = Gone("this reset link was used, has expired or never existed; ask for a new one")
        user_id = await self._tokens.peek(token)
        user = await self._users.by_id(user_id) if user_id else None
        if user is None:
            raise gone
        check_password_policy(new, user.email)  # before the link is spent, so a refused one can be retried
        if await self._tokens.redeem(token) != user.id:
            raise gone  # spent meanwhile, by a reset running at the same time
        await self._users.set_password(user.id, self._hasher.hash(new))
        await self._sessions.revoke_all(user.id)
        await self._tokens.revoke_all(user.id)
        await self._record("password.reset", user)
