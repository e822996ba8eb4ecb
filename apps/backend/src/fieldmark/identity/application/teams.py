"""Teams a user belongs to, and new ones."""

from __future__ import annotations

from dataclasses import replace

from fieldmark.identity.application.ports import TeamRepository, TwoFactorStore
from fieldmark.identity.domain.roles import Membership, Role, Team
from fieldmark.identity.domain.user import User
from fieldmark.shared_kernel.audit import NO_AUDIT, AuditEvent, AuditTrail
from fieldmark.shared_kernel.clock import Clock
from fieldmark.shared_kernel.errors import InvalidInput, NotFound
from fieldmark.shared_kernel.ids import TeamId, new_id
from fieldmark.shared_kernel.text import display_name


class CreateTeam:
    """Creates a team whose owner is its creator. Rules: a name of 1 to 100 characters."""

    def __init__(self, teams: TeamRepository, clock: Clock) -> None:
        self._teams = teams
        self._clock = clock

    async def execute(self, creator: User, name: str) -> Membership:
        team = Team(TeamId(new_id()), _check_name(name), self._clock.now())
        await self._teams.create(team, creator.id)
        return Membership(team, Role.OWNER)


class ListTeams:
    """The teams a user belongs to, with their role in each."""

    def __init__(self, teams: TeamRepository) -> None:
        self._teams = teams

    async def execute(self, user: User) -> list[Membership]:
        return await self._teams.memberships_of(user.id)


class TeamSettings:
    """An owner renames the team or requires two-factor sign-in of its members. Rules: a name of 1 to
    100 characters; the owner turning the requirement on must have two-factor sign-in already, so the
    change never locks out the person making it."""

    def __init__(
        self, teams: TeamRepository, two_factor: TwoFactorStore, audit: AuditTrail = NO_AUDIT
    ) -> None:
        self._teams = teams
        self._two_factor = two_factor
        self._audit = audit

    async def change(
        self, owner: User, team_id: TeamId, name: str | None, require_two_factor: bool | None
    ) -> Membership:
        current = next((m for m in await self._teams.memberships_of(owner.id) if m.team.id == team_id), None)
        if current is None:
            raise NotFound("no such team")
        team = current.team
        if name is not None:
            team = replace(team, name=_check_name(name))
        if require_two_factor is not None:
            if require_two_factor and not (await self._two_factor.state(owner.id)).enabled:
                raise InvalidInput(
                    "turn on two-factor sign-in for your own account before requiring it of the team",
                    field="require_two_factor",
                )
            team = replace(team, require_two_factor=require_two_factor)
        await self._teams.update(team)
        if team.require_two_factor != current.team.require_two_factor:
            action = "team.two_factor_required" if team.require_two_factor else "team.two_factor_optional"
            await self._audit.record(AuditEvent(action, team_id, owner.id, None, team.name))
        if team.name != current.team.name:
            await self._audit.record(
                AuditEvent(
                    "team.renamed", team_id, owner.id, None, team.name, {"previous": current.team.name}
                )
            )
        return Membership(team, current.role)


def _check_name(raw: str) -> str:
    return display_name(raw, what="a team name")
