"""Team roles and what each may do; docs/permissions.md is the same matrix in prose."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from fieldmark.shared_kernel.ids import TeamId


class Role(StrEnum):
    OWNER = "owner"
    ADMIN = "admin"
    EDITOR = "editor"
    VIEWER = "viewer"


class Permission(StrEnum):
    VIEW = "view"  # see the team, its members, its sites and their statistics
    EDIT_SITES = "edit_sites"  # change a site's settings, goals, funnels and segments
    MANAGE_SITES = "manage_sites"  # create and delete sites
    MANAGE_MEMBERS = "manage_members"  # invite, remove and change the roles of members
    MANAGE_TEAM = "manage_team"  # rename or delete the team, transfer ownership


PERMISSIONS: dict[Role, frozenset[Permission]] = {
    Role.VIEWER: frozenset({Permission.VIEW}),
    Role.EDITOR: frozenset({Permission.VIEW, Permission.EDIT_SITES}),
    Role.ADMIN: frozenset(
        {Permission.VIEW, Permission.EDIT_SITES, Permission.MANAGE_SITES, Permission.MANAGE_MEMBERS}
    ),
    Role.OWNER: frozenset(Permission),
}


def allows(role: Role, permission: Permission) -> bool:
    return permission in PERMISSIONS[role]


@dataclass(frozen=True)
class Team:
    id: TeamId
    name: str
    created_at: datetime
    require_two_factor: bool = False  # members without two-factor sign-in are refused the team's routes


@dataclass(frozen=True)
class Membership:
    team: Team
    role: Role
