"""A team's members over HTTP: list, change roles, remove, leave, transfer ownership."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, patch, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from fieldmark.identity.application.authorize import Caller
from fieldmark.identity.application.members import Members
from fieldmark.shared_kernel.access import MANAGE_MEMBERS, MANAGE_TEAM, TEAM, VIEW, access
from fieldmark.shared_kernel.ids import TeamId, UserId


class MemberOut(msgspec.Struct, frozen=True):
    user_id: str
    email: str
    name: str
    role: str


class RoleChange(msgspec.Struct, forbid_unknown_fields=True):
    role: str


class Transfer(msgspec.Struct, forbid_unknown_fields=True):
    user_id: UUID


def _members(request: Request[Any, Any, State]) -> Members:
    members: Members = request.app.state.identity.members
    return members


class MembersController(Controller):
    path = "/api/teams/{team_id:uuid}"
    tags = ["Teams"]

    @get(
        "/members", operation_id="listMembers", opt=access(TEAM, VIEW), summary="The team's members and roles"
    )
    async def list_members(
        self, request: Request[Any, Any, State], team_id: FromPath[UUID]
    ) -> list[MemberOut]:
        return [
            MemberOut(str(u.id), u.email, u.name, r.value)
            for u, r in await _members(request).list(TeamId(team_id))
        ]

    @patch(
        "/members/{user_id:uuid}",
        operation_id="changeRole",
        opt=access(TEAM, MANAGE_MEMBERS),
        status_code=204,
        summary="Change a member's role",
        description="204. 400 for an unknown role; 403 when an admin grants or takes ownership; 404 for a "
        "non-member; 409 when it would leave the team without an owner.",
    )
    async def change_role(
        self,
        request: Request[Any, Any, State],
        team_id: FromPath[UUID],
        user_id: FromPath[UUID],
        data: JSONBody[RoleChange],
    ) -> None:
        caller: Caller = request.state.caller
        assert caller.role is not None
        await _members(request).change_role(
            caller.role, TeamId(team_id), UserId(user_id), data.role, caller.user
        )

    @delete(
        "/members/{user_id:uuid}",
        operation_id="removeMember",
        opt=access(TEAM, MANAGE_MEMBERS),
        summary="Remove a member",
        description="204. 403 when an admin removes an owner; 409 for the last owner.",
    )
    async def remove_member(
        self, request: Request[Any, Any, State], team_id: FromPath[UUID], user_id: FromPath[UUID]
    ) -> None:
        caller: Caller = request.state.caller
        assert caller.role is not None
        await _members(request).remove(caller.role, TeamId(team_id), UserId(user_id), caller.user)

    @post(
        "/leave",
        operation_id="leaveTeam",
        opt=access(TEAM, VIEW),
        status_code=204,
        summary="Leave the team",
        description="204. 409 for the last owner (transfer ownership first).",
    )
    async def leave(self, request: Request[Any, Any, State], team_id: FromPath[UUID]) -> None:
        caller: Caller = request.state.caller
        await _members(request).leave(caller.person, TeamId(team_id))

    @post(
        "/transfer",
        operation_id="transferOwnership",
        opt=access(TEAM, MANAGE_TEAM),
        status_code=204,
        summary="Make another member owner; the current owner becomes admin",
        description="204. 400 when naming yourself; 403 for non-owners; 404 for a non-member.",
    )
    async def transfer(
        self, request: Request[Any, Any, State], team_id: FromPath[UUID], data: JSONBody[Transfer]
    ) -> None:
        caller: Caller = request.state.caller
        await _members(request).transfer(caller.person, TeamId(team_id), UserId(data.user_id))
