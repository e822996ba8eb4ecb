"""`/api/teams`: the caller's teams, and new ones."""

from __future__ import annotations

from typing import Any

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import JSONBody

from fieldmark.identity.application.authorize import Caller
from fieldmark.identity.domain.roles import Membership
from fieldmark.shared_kernel.access import USER, access


class NewTeam(msgspec.Struct, forbid_unknown_fields=True):
    name: str


class TeamOut(msgspec.Struct, frozen=True):
    id: str
    name: str
    role: str


def _out(membership: Membership) -> TeamOut:
    return TeamOut(str(membership.team.id), membership.team.name, membership.role.value)


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
