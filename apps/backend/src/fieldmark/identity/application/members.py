"""A team's members: who they are, their roles, leaving, removal and ownership."""

from __future__ import annotations

from fieldmark.identity.application.ports import TeamRepository
from fieldmark.identity.domain.roles import Role
from fieldmark.identity.domain.user import User
from fieldmark.shared_kernel.audit import NO_AUDIT, AuditEvent, AuditTrail
from fieldmark.shared_kernel.errors import Conflict, InvalidInput, NotFound, PermissionDenied
from fieldmark.shared_kernel.ids import TeamId, UserId


class Members:
    """Rules: a team always has at least one owner, so the last owner can neither leave, be removed nor
    be demoted; ownership is given by an owner (transfer makes the new member owner and the old one
    admin). Admins manage editors and viewers and may make others admins; only owners touch owners.
    Anyone may leave a team, except its last owner."""

    def __init__(self, teams: TeamRepository, audit: AuditTrail = NO_AUDIT) -> None:
        self._teams = teams
        self._audit = audit

    async def _record(
        self, action: str, team_id: TeamId, actor: User | None, target: UserId, **detail: str
    ) -> None:
        await self._audit.record(
            AuditEvent(action, team_id, actor.id if actor else None, None, str(target), detail)
        )

    async def list(self, team_id: TeamId) -> list[tuple[User, Role]]:
        return await self._teams.members(team_id)

    async def change_role(
        self, actor_role: Role, team_id: TeamId, user_id: UserId, raw_role: str, actor: User | None = None
    ) -> None:
        try:
            role = Role(raw_role)
        except ValueError:
            raise InvalidInput(f"{raw_role!r} is not a role", field="role") from None
        current = await self._member(team_id, user_id)
        if Role.OWNER in (role, current) and actor_role is not Role.OWNER:
            raise PermissionDenied("only an owner may grant or take ownership")
        if current is Role.OWNER and role is not Role.OWNER:
            await self._keep_an_owner(team_id)
        await self._teams.set_role(team_id, user_id, role)
        await self._record("role.changed", team_id, actor, user_id, previous=current.value, role=role.value)

    async def remove(
        self, actor_role: Role, team_id: TeamId, user_id: UserId, actor: User | None = None
    ) -> None:
        current = await self._member(team_id, user_id)
        if current is Role.OWNER:
            if actor_role is not Role.OWNER:
                raise PermissionDenied("only an owner may remove an owner")
            await self._keep_an_owner(team_id)
        await self._teams.remove_member(team_id, user_id)
        await self._record("member.removed", team_id, actor, user_id, role=current.value)

    async def leave(self, user: User, team_id: TeamId) -> None:
        if await self._member(team_id, user.id) is Role.OWNER:
            await self._keep_an_owner(team_id)
        await self._teams.remove_member(team_id, user.id)
        await self._record("member.left", team_id, user, user.id)

    async def transfer(self, owner: User, team_id: TeamId, to: UserId) -> None:
        if to == owner.id:
            raise InvalidInput("you are the owner already", field="user_id")
        await self._member(team_id, to)
        await self._teams.set_role(team_id, to, Role.OWNER)
        await self._teams.set_role(team_id, owner.id, Role.ADMIN)
        await self._record("ownership.transferred", team_id, owner, to)

    async def _member(self, team_id: TeamId, user_id: UserId) -> Role:
        role = await self._teams.role_of(team_id, user_id)
        if role is None:
            raise NotFound("no such member", field="user_id")
        return role

    async def _keep_an_owner(self, team_id: TeamId) -> None:
        owners = [u for u, r in await self._teams.members(team_id) if r is Role.OWNER]
        if len(owners) <= 1:
            raise Conflict("a team must keep an owner: transfer ownership first")
