"""Teams a user belongs to, and new ones."""

from __future__ import annotations

from fieldmark.identity.application.ports import TeamRepository
from fieldmark.identity.domain.roles import Membership, Role, Team
from fieldmark.identity.domain.user import User
from fieldmark.shared_kernel.clock import Clock
from fieldmark.shared_kernel.errors import InvalidInput
from fieldmark.shared_kernel.ids import TeamId, new_id


class CreateTeam:
    """Creates a team whose owner is its creator. Rules: a name of 1 to 100 characters."""

    def __init__(self, teams: TeamRepository, clock: Clock) -> None:
        self._teams = teams
        self._clock = clock

    async def execute(self, creator: User, name: str) -> Membership:
        name = name.strip()
        if not 1 <= len(name) <= 100:
            raise InvalidInput("a team name has 1 to 100 characters", field="name")
        team = Team(TeamId(new_id()), name, self._clock.now())
        await self._teams.create(team, creator.id)
        return Membership(team, Role.OWNER)


class ListTeams:
    """The teams a user belongs to, with their role in each."""

    def __init__(self, teams: TeamRepository) -> None:
        self._teams = teams

    async def execute(self, user: User) -> list[Membership]:
        return await self._teams.memberships_of(user.id)
