"""Create an instance administrator from the command line."""

from dataclasses import dataclass

from fieldmark.identity.application.ports import PasswordHasher, TeamRepository, UserRepository
from fieldmark.identity.domain.roles import Team
from fieldmark.identity.domain.user import User, check_password_policy, normalize_email
from fieldmark.shared_kernel.clock import Clock
from fieldmark.shared_kernel.ids import TeamId, UserId, new_id
from fieldmark.shared_kernel.text import display_name


@dataclass(frozen=True)
class CreateInstanceAdminCommand:
    email: str
    password: str
    name: str = ""


class CreateInstanceAdmin:
    """Creates a user who administers this Fieldmark instance.

    Rules: the email must look like one and be unused (case-insensitively); the password follows the
    documented policy and is stored only as an argon2id hash. Used by `fieldmark create-admin`, which
    only someone with shell access to the server can run. Like a registered account, the admin
    owns a team of their own."""

    def __init__(
        self, users: UserRepository, hasher: PasswordHasher, clock: Clock, teams: TeamRepository | None = None
    ) -> None:
        self._teams = teams
        self._users = users
        self._hasher = hasher
        self._clock = clock

    async def execute(self, command: CreateInstanceAdminCommand) -> User:
        email = normalize_email(command.email)
        check_password_policy(command.password, email)
        user = User(
            UserId(new_id()),
            email,
            display_name(command.name, what="your name", empty=True),
            True,
            self._clock.now(),
        )
        await self._users.add(user, self._hasher.hash(command.password))
        if self._teams is not None:  # like a registered account: a team of their own, to add sites to
            label = user.name or email.split("@", 1)[0]
            await self._teams.create(Team(TeamId(new_id()), f"{label}'s team", user.created_at), user.id)
        return user
