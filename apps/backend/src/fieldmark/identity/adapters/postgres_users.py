"""Users in PostgreSQL through psycopg 3."""

from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from fieldmark.identity.domain.user import User
from fieldmark.shared_kernel.errors import Conflict, StoreUnavailable
from fieldmark.shared_kernel.ids import UserId

_SELECT = "SELECT id, email, name, password_hash, is_instance_admin, created_at FROM users"


def _user(row: dict[str, Any]) -> User:
    return User(UserId(row["id"]), row["email"], row["name"], row["is_instance_admin"], row["created_at"])


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

    async def by_email(self, email: str) -> tuple[User, str] | None:
        if "\x00" in email:
            return None  # PostgreSQL text cannot hold NUL, so no stored address has one
        row = await self._one(_SELECT + " WHERE lower(email) = lower(%s)", email)
        return (_user(row), row["password_hash"]) if row else None

    async def by_id(self, user_id: UserId) -> User | None:
        row = await self._one(_SELECT + " WHERE id = %s", user_id)
        return _user(row) if row else None

    async def _one(self, query: str, value: object) -> dict[str, Any] | None:
        try:
            async with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cursor:
                await cursor.execute(query, (value,))
                return await cursor.fetchone()
        except psycopg.OperationalError as exc:
            raise StoreUnavailable.because("PostgreSQL", exc) from None

    async def set_password(self, user_id: UserId, password_hash: str) -> None:
        try:
            async with self._pool.connection() as conn:
                await conn.execute(
                    "UPDATE users SET password_hash = %s WHERE id = %s", (password_hash, user_id)
                )
        except psycopg.OperationalError as exc:
            raise StoreUnavailable.because("PostgreSQL", exc) from None

    async def password_hash(self, user_id: UserId) -> str | None:
        row = await self._one(_SELECT + " WHERE id = %s", user_id)
        return str(row["password_hash"]) if row else None

    async def count(self) -> int:
        async with self._pool.connection() as conn:
            cursor = await conn.execute("SELECT count(*) FROM users")
            row = await cursor.fetchone()
            return int(row[0]) if row else 0
