"""The instance's accounts and teams, for its administrator, in PostgreSQL."""

from __future__ import annotations

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from fieldmark.identity.application.ports import AccountSummary
from fieldmark.identity.domain.user import User
from fieldmark.shared_kernel.errors import StoreUnavailable
from fieldmark.shared_kernel.ids import UserId


class PsycopgAccountDirectory:
    def __init__(self, pool: AsyncConnectionPool) -> None:
        self._pool = pool

    async def accounts(self, limit: int, offset: int) -> list[AccountSummary]:
        try:
            async with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cursor:
                await cursor.execute(
                    "SELECT u.id, u.email, u.name, u.is_instance_admin, u.created_at, u.totp_enabled,"
                    " (SELECT count(*) FROM memberships m WHERE m.user_id = u.id) AS teams"
                    " FROM users u ORDER BY u.created_at, u.id LIMIT %s OFFSET %s",
                    (limit, offset),
                )
                rows = await cursor.fetchall()
        except psycopg.OperationalError as exc:
            raise StoreUnavailable.because("PostgreSQL", exc) from None
        return [
            AccountSummary(
                User(UserId(r["id"]), r["email"], r["name"], r["is_instance_admin"], r["created_at"]),
                r["totp_enabled"],
                int(r["teams"]),
            )
            for r in rows
        ]

    async def totals(self) -> tuple[int, int]:
        try:
            async with self._pool.connection() as conn:
                cursor = await conn.execute(
                    "SELECT (SELECT count(*) FROM users), (SELECT count(*) FROM teams)"
                )
                row = await cursor.fetchone()
        except psycopg.OperationalError as exc:
            raise StoreUnavailable.because("PostgreSQL", exc) from None
        return (int(row[0]), int(row[1])) if row else (0, 0)
