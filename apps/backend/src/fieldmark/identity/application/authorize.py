"""The one authorization decision every route goes through."""

from __future__ import annotations

import hmac
from dataclasses import dataclass
from enum import StrEnum
from uuid import UUID

from fieldmark.identity.application.current_user import CurrentUser
from fieldmark.identity.application.ports import Session, SiteOwnership, TeamRepository
from fieldmark.identity.domain.roles import Permission, Role, allows
from fieldmark.identity.domain.user import User
from fieldmark.shared_kernel.errors import NotFound, PermissionDenied
from fieldmark.shared_kernel.ids import TeamId


class Scope(StrEnum):
    USER = "user"  # any signed-in user (their own account and teams)
    TEAM = "team"  # a permission on the team named in the path
    SITE = "site"  # a permission on the team that owns the site named in the path


@dataclass(frozen=True)
class AccessRequest:
    session_token: str | None
    csrf_token: str | None
    writes: bool  # an unsafe method (POST, PUT, PATCH, DELETE)
    scope: Scope
    target: UUID | None = None
    permission: Permission | None = None


@dataclass(frozen=True)
class Caller:
    user: User
    session: Session
    role: Role | None = None
    team_id: TeamId | None = None


class Authorize:
    """Decides whether a request may proceed.

    Rules: the caller is the user of the session cookie (401 without one). A write made with the cookie
    must carry the session's CSRF token (403). For a team or site in the path, the caller must be a member
    of that team (otherwise 404: whether it exists is not revealed), and the member's role must grant the
    route's permission (403)."""

    def __init__(self, current_user: CurrentUser, teams: TeamRepository, sites: SiteOwnership) -> None:
        self._current_user = current_user
        self._teams = teams
        self._sites = sites

    async def execute(self, request: AccessRequest) -> Caller:
        user, session = await self._current_user.execute(request.session_token)
        if request.writes and not hmac.compare_digest(
            (request.csrf_token or "").encode(), session.csrf_token.encode()
        ):
            raise PermissionDenied("missing or wrong X-CSRF-Token for this session", field="x-csrf-token")
        if request.scope is Scope.USER:
            return Caller(user, session)
        if request.target is None or request.permission is None:
            raise PermissionDenied("this route names no team or site")
        if request.scope is Scope.TEAM:
            team_id: TeamId | None = TeamId(request.target)
        else:
            team_id = await self._sites.team_of(request.target)
        role = await self._teams.role_of(team_id, user.id) if team_id is not None else None
        if role is None:
            raise NotFound(f"no such {request.scope.value}")
        if not allows(role, request.permission):
            raise PermissionDenied(f"a {role.value} may not do this")
        return Caller(user, session, role, team_id)
