"""Open an account and sign it in."""

from dataclasses import dataclass

from fieldmark.identity.application.ports import (
    PasswordHasher,
    Session,
    SessionStore,
    TeamRepository,
    UserRepository,
)
from fieldmark.identity.domain.roles import Team
from fieldmark.identity.domain.user import User, check_password_policy, normalize_email
from fieldmark.shared_kernel.clock import Clock
from fieldmark.shared_kernel.errors import PermissionDenied
from fieldmark.shared_kernel.ids import TeamId, UserId, new_id
from fieldmark.shared_kernel.text import display_name


@dataclass(frozen=True)
class RegisterCommand:
    email: str
    password: str
    name: str = ""


class RegisterAccount:
    """Creates an account and a session for it.

    Rules: the first account of an instance becomes its administrator. After that, registration is
    open only when the instance allows it (`REGISTRATION=open`); otherwise people join through an
    invitation. The email must be unused and the password must follow the documented policy. Every new
    account gets a team of its own, which it owns."""

    def __init__(
        self,
        users: UserRepository,
        hasher: PasswordHasher,
        sessions: SessionStore,
        teams: TeamRepository,
        clock: Clock,
        *,
        open_registration: bool,
    ) -> None:
        self._users = users
        self._teams = teams
        self._hasher = hasher
        self._sessions = sessions
        self._clock = clock
        self._open = open_registration

    async def execute(self, command: RegisterCommand) -> tuple[User, Session]:
        email = normalize_email(command.email)
        check_password_policy(command.password, email)
        first = await self._users.count() == 0
        if not first and not self._open:
            raise PermissionDenied("registration is closed on this instance; ask for an invitation")
        user = User(
            UserId(new_id()),
            email,
            display_name(command.name, what="your name", empty=True),
            first,
            self._clock.now(),
        )
        await self._users.add(user, self._hasher.hash(command.password))
        label = user.name or email.split("@", 1)[0]
        await self._teams.create(Team(TeamId(new_id()), f"{label}'s team", user.created_at), user.id)
        return user, await self._sessions.create(user.id)
