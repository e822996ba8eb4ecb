"""Two-factor state and recovery codes in PostgreSQL."""

from __future__ import annotations

import psycopg
from psycopg_pool import AsyncConnectionPool

from fieldmark.identity.application.ports import TwoFactorState
from fieldmark.shared_kernel.errors import StoreUnavailable
from fieldmark.shared_kernel.ids import UserId


class PsycopgTwoFactorStore:
    def __init__(self, pool: AsyncConnectionPool) -> None:
        self._pool = pool

    async def _run(self, query: str, params: tuple[object, ...]) -> list[tuple[object, ...]]:
        try:
            async with self._pool.connection() as conn:
                cursor = await conn.execute(query, params)
                return await cursor.fetchall() if cursor.description else []
        except psycopg.OperationalError:
            raise StoreUnavailable("PostgreSQL is unavailable") from None

    async def state(self, user_id: UserId) -> TwoFactorState:
        rows = await self._run(
            "SELECT totp_secret, totp_enabled, totp_last_step FROM users WHERE id = %s", (user_id,)
        )
        if not rows:
            return TwoFactorState(None, False, None)
        secret, enabled, last = rows[0]
        return TwoFactorState(secret, bool(enabled), last)  # type: ignore[arg-type]

    async def set_pending(self, user_id: UserId, secret: str) -> None:
        await self._run(
            "UPDATE users SET totp_secret = %s, totp_enabled = false WHERE id = %s", (secret, user_id)
        )

    async def enable(self, user_id: UserId, code_hashes: list[str]) -> None:
        try:
            async with self._pool.connection() as conn, conn.transaction():
                await conn.execute("UPDATE users SET totp_enabled = true WHERE id = %s", (user_id,))
                await conn.execute("DELETE FROM recovery_codes WHERE user_id = %s", (user_id,))
                async with conn.cursor() as cursor:
                    await cursor.executemany(
                        "INSERT INTO recovery_codes (user_id, code_hash) VALUES (%s, %s)",
                        [(user_id, h) for h in code_hashes],
                    )
        except psycopg.OperationalError:
            raise StoreUnavailable("PostgreSQL is unavailable") from None

    async def disable(self, user_id: UserId) -> None:
        await self._run(
            "UPDATE users SET totp_secret = NULL, totp_enabled = false, totp_last_step = NULL WHERE id = %s",
            (user_id,),
        )
        await self._run("DELETE FROM recovery_codes WHERE user_id = %s", (user_id,))

    async def use_step(self, user_id: UserId, step: int) -> bool:
        rows = await self._run(
            "UPDATE users SET totp_last_step = %s"
            " WHERE id = %s AND (totp_last_step IS NULL OR totp_last_step < %s)"
            " RETURNING 1",
            (step, user_id, step),
        )
        return bool(rows)

    async def use_recovery_code(self, user_id: UserId, code_hash: str) -> bool:
        rows = await self._run(
            "UPDATE recovery_codes SET used_at = now()"
            " WHERE user_id = %s AND code_hash = %s AND used_at IS NULL"
            " RETURNING 1",
            (user_id, code_hash),
        )
        return bool(rows)
