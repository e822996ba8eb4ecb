"""Who a session belongs to, and signing out."""

from fieldmark.identity.application.ports import Session, SessionStore, UserRepository
from fieldmark.identity.domain.user import User
from fieldmark.shared_kernel.errors import Unauthenticated


class CurrentUser:
    """The signed-in user of a session token. Unknown, expired or revoked tokens are unauthenticated."""

    def __init__(self, users: UserRepository, sessions: SessionStore) -> None:
        self._users = users
        self._sessions = sessions

    async def execute(self, token: str | None) -> tuple[User, Session]:
        session = await self._sessions.get(token) if token else None
        user = await self._users.by_id(session.user_id) if session else None
        if session is None or user is None:
            raise Unauthenticated("sign in first")
        return user, session


class LogOut:
    """Ends a session; ending one that does not exist is not an error."""

    def __init__(self, sessions: SessionStore) -> None:
        self._sessions = sessions

    async def execute(self, token: str | None) -> None:
        if token:
            await self._sessions.revoke(token)
