"""`/api/teams`: the caller's teams, and new ones."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, patch, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from fieldmark.identity.application.authorize import Caller
from fieldmark.identity.application.teams import TeamSettings
from fieldmark.identity.domain.roles import Membership
from fieldmark.shared_kernel.access import MANAGE_TEAM, TEAM, USER, access
from fieldmark.shared_kernel.ids import TeamId


class NewTeam(msgspec.Struct, forbid_unknown_fields=True):
    name: str


class TeamOut(msgspec.Struct, frozen=True):
    id: str
    name: str
    role: str
    require_two_factor: bool


class TeamChange(msgspec.Struct, forbid_unknown_fields=True):
    name: str | None = None
    require_two_factor: bool | None = None


def _out(membership: Membership) -> TeamOut:
    team = membership.team
    return TeamOut(str(team.id), team.name, membership.role.value, team.require_two_factor)


class TeamsController(Controller):
    path = "/api/teams"
    tags = ["Teams"]

    @get(
        "/",
        operation_id="listTeams",
        opt=access(USER),
        summary="The caller's teams and role in each",
        description="200; 401 when not signed in.",
    )
    async def list_teams(self, request: Request[Any, Any, State]) -> list[TeamOut]:
        caller: Caller = request.state.caller
        return [_out(m) for m in await request.app.state.identity.list_teams.execute(caller.person)]

    @post(
        "/",
        operation_id="createTeam",
        opt=access(USER),
        summary="Create a team, owned by the caller",
        description="201; 400 for a name outside 1 to 100 characters; 401 when not signed in; 403 without "
        "X-CSRF-Token.",
    )
    async def create_team(self, request: Request[Any, Any, State], data: JSONBody[NewTeam]) -> TeamOut:
        caller: Caller = request.state.caller
        return _out(await request.app.state.identity.create_team.execute(caller.person, data.name))

    @patch(
        "/{team_id:uuid}",
        operation_id="changeTeam",
        opt=access(TEAM, MANAGE_TEAM),
        summary="Rename the team or require two-factor sign-in of its members (owners)",
        description="200 with the team. 400 for a name outside 1 to 100 characters, or for requiring "
        "two-factor sign-in before turning it on for one's own account (`field: require_two_factor`). "
        "Once required, members without it get 403 `field: two_factor` on the team's routes.",
    )
    async def change_team(
        self, request: Request[Any, Any, State], team_id: FromPath[UUID], data: JSONBody[TeamChange]
    ) -> TeamOut:
        caller: Caller = request.state.caller
        settings: TeamSettings = request.app.state.identity.team_settings
        return _out(await settings.change(caller.person, TeamId(team_id), data.name, data.require_two_factor))
