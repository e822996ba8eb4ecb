"""Users in PostgreSQL through psycopg 3."""

import psycopg
from psycopg_pool import AsyncConnectionPool

from fieldmark.identity.domain.user import User
from fieldmark.shared_kernel.errors import Conflict, StoreUnavailable


class PsycopgUserRepository:
    def __init__(self, pool: AsyncConnectionPool) -> None:
        self._pool = pool

    async def add(self, user: User, password_hash: str) -> None:
        try:
            async with self._pool.connection() as conn:
                await conn.execute(
                    "INSERT INTO users (id, email, name, password_hash, is_instance_admin, created_at)"
                    " VALUES (%s, %s, %s, %s, %s, %s)",
                    (user.id, user.email, user.name, password_hash, user.is_instance_admin, user.created_at),
                )
        except psycopg.errors.UniqueViolation:
            raise Conflict(f"an account with the email {user.email} exists", field="email") from None
        except psycopg.OperationalError as exc:
            raise StoreUnavailable(
                f"PostgreSQL is unavailable: {exc.sqlstate or 'connection failed'}"
            ) from None

    async def count(self) -> int:
        async with self._pool.connection() as conn:
            cursor = await conn.execute("SELECT count(*) FROM users")
            row = await cursor.fetchone()
            return int(row[0]) if row else 0
