"""Teams and memberships in PostgreSQL through psycopg 3."""

from __future__ import annotations

import psycopg
from psycopg_pool import AsyncConnectionPool

from fieldmark.identity.domain.roles import Membership, Role, Team
from fieldmark.identity.domain.user import User
from fieldmark.shared_kernel.errors import Conflict, StoreUnavailable
from fieldmark.shared_kernel.ids import TeamId, UserId


class PsycopgTeamRepository:
    def __init__(self, pool: AsyncConnectionPool) -> None:
        self._pool = pool

    async def create(self, team: Team, owner: UserId) -> None:
        try:
            async with self._pool.connection() as conn, conn.transaction():
                await conn.execute(
                    "INSERT INTO teams (id, name, created_at) VALUES (%s, %s, %s)",
                    (team.id, team.name, team.created_at),
                )
                await conn.execute(
                    "INSERT INTO memberships (team_id, user_id, role) VALUES (%s, %s, 'owner')",
                    (team.id, owner),
                )
        except psycopg.OperationalError as exc:
            raise StoreUnavailable.because("PostgreSQL", exc) from None

    async def add_member(self, team_id: TeamId, user_id: UserId, role: Role) -> None:
        try:
            async with self._pool.connection() as conn:
                await conn.execute(
                    "INSERT INTO memberships (team_id, user_id, role) VALUES (%s, %s, %s)",
                    (team_id, user_id, role.value),
                )
        except psycopg.errors.UniqueViolation:
            raise Conflict("already a member of this team") from None
        except psycopg.OperationalError as exc:
            raise StoreUnavailable.because("PostgreSQL", exc) from None

    async def memberships_of(self, user_id: UserId) -> list[Membership]:
        try:
            async with self._pool.connection() as conn:
                cursor = await conn.execute(
                    "SELECT t.id, t.name, t.created_at, m.role, t.require_two_factor"
                    " FROM memberships m JOIN teams t ON t.id = m.team_id"
                    " WHERE m.user_id = %s ORDER BY t.created_at, t.id",
                    (user_id,),
                )
                rows = await cursor.fetchall()
        except psycopg.OperationalError as exc:
            raise StoreUnavailable.because("PostgreSQL", exc) from None
        return [Membership(Team(TeamId(r[0]), r[1], r[2], r[4]), Role(r[3])) for r in rows]

    async def role_of(self, team_id: TeamId, user_id: UserId) -> Role | None:
        try:
            async with self._pool.connection() as conn:
                cursor = await conn.execute(
                    "SELECT role FROM memberships WHERE team_id = %s AND user_id = %s", (team_id, user_id)
                )
                row = await cursor.fetchone()
        except psycopg.OperationalError as exc:
            raise StoreUnavailable.because("PostgreSQL", exc) from None
        return Role(row[0]) if row else None

    async def access_of(self, team_id: TeamId, user_id: UserId) -> tuple[Role, bool] | None:
        try:
            async with self._pool.connection() as conn:
                cursor = await conn.execute(
                    "SELECT m.role, t.require_two_factor FROM memberships m JOIN teams t ON t.id = m.team_id"
                    " WHERE m.team_id = %s AND m.user_id = %s",
                    (team_id, user_id),
                )
                row = await cursor.fetchone()
        except psycopg.OperationalError as exc:
            raise StoreUnavailable.because("PostgreSQL", exc) from None
        return (Role(row[0]), bool(row[1])) if row else None

    async def update(self, team: Team) -> None:
        await self._write(
            "UPDATE teams SET name = %s, require_two_factor = %s WHERE id = %s",
            (team.name, team.require_two_factor, team.id),
        )

    async def members(self, team_id: TeamId) -> list[tuple[User, Role]]:
        try:
            async with self._pool.connection() as conn:
                cursor = await conn.execute(
                    "SELECT u.id, u.email, u.name, u.is_instance_admin, u.created_at, m.role"
                    " FROM memberships m JOIN users u ON u.id = m.user_id WHERE m.team_id = %s"
                    " ORDER BY m.created_at, u.email",
                    (team_id,),
                )
                rows = await cursor.fetchall()
        except psycopg.OperationalError as exc:
            raise StoreUnavailable.because("PostgreSQL", exc) from None
        return [(User(UserId(r[0]), r[1], r[2], r[3], r[4]), Role(r[5])) for r in rows]

    async def set_role(self, team_id: TeamId, user_id: UserId, role: Role) -> None:
        await self._write(
            "UPDATE memberships SET role = %s WHERE team_id = %s AND user_id = %s",
            (role.value, team_id, user_id),
        )

    async def remove_member(self, team_id: TeamId, user_id: UserId) -> None:
        await self._write("DELETE FROM memberships WHERE team_id = %s AND user_id = %s", (team_id, user_id))

    async def _write(self, query: str, params: tuple[object, ...]) -> None:
        try:
            async with self._pool.connection() as conn:
                await conn.execute(query, params)
        except psycopg.OperationalError as exc:
            raise StoreUnavailable.because("PostgreSQL", exc) from None
