"""Invitations in PostgreSQL through psycopg 3."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from fieldmark.identity.adapters.postgres import PostgresRepository
from fieldmark.identity.domain.invitation import Invitation
from fieldmark.identity.domain.roles import Role
from fieldmark.shared_kernel.ids import TeamId, UserId

_SELECT = (
    "SELECT i.id, i.team_id, t.name AS team_name, i.email, i.role, i.created_at, i.expires_at, i.accepted_at,"
    " i.revoked_at FROM invitations i JOIN teams t ON t.id = i.team_id"
)


def _invitation(row: dict[str, Any]) -> Invitation:
    return Invitation(
        row["id"],
        TeamId(row["team_id"]),
        row["team_name"],
        row["email"],
        Role(row["role"]),
        row["created_at"],
        row["expires_at"],
        row["accepted_at"],
        row["revoked_at"],
    )


class PsycopgInvitationRepository(PostgresRepository):
    async def add(self, invitation: Invitation, token_hash: str, invited_by: UserId) -> None:
        await self._run(
            "INSERT INTO invitations"
            " (id, team_id, email, role, token_hash, invited_by, created_at, expires_at)"
            " VALUES (%s, %s, %s, %s, %s, %s, %s, %s)",
            (
                invitation.id,
                invitation.team_id,
                invitation.email,
                invitation.role.value,
                token_hash,
                invited_by,
                invitation.created_at,
                invitation.expires_at,
            ),
        )

    async def by_token_hash(self, token_hash: str) -> Invitation | None:
        rows = await self._run(_SELECT + " WHERE i.token_hash = %s", (token_hash,))
        return _invitation(rows[0]) if rows else None

    async def by_id(self, team_id: TeamId, invitation_id: UUID) -> Invitation | None:
        rows = await self._run(_SELECT + " WHERE i.team_id = %s AND i.id = %s", (team_id, invitation_id))
        return _invitation(rows[0]) if rows else None

    async def of_team(self, team_id: TeamId) -> list[Invitation]:
        rows = await self._run(_SELECT + " WHERE i.team_id = %s ORDER BY i.created_at", (team_id,))
        return [_invitation(row) for row in rows]

    async def mark_accepted(self, invitation_id: UUID, at: datetime) -> None:
        await self._run("UPDATE invitations SET accepted_at = %s WHERE id = %s", (at, invitation_id))

    async def mark_revoked(self, invitation_id: UUID, at: datetime) -> None:
        await self._run("UPDATE invitations SET revoked_at = %s WHERE id = %s", (at, invitation_id))

    async def renew(self, invitation: Invitation, token_hash: str) -> None:
        await self._run(
            "UPDATE invitations SET token_hash = %s, created_at = %s, expires_at = %s WHERE id = %s",
            (token_hash, invitation.created_at, invitation.expires_at, invitation.id),
        )
