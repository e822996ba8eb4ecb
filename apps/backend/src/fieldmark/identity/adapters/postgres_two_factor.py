"""Two-factor state and recovery codes in PostgreSQL. The TOTP secret must be readable to check codes,
so it is kept encrypted (Fernet: AES-128-CBC with HMAC-SHA256) under a key derived from SECRET_KEY: a
copy of the database alone does not give anyone's authenticator seed."""

from __future__ import annotations

import base64

import psycopg
from cryptography.fernet import Fernet, InvalidToken
from cryptography.hazmat.primitives import hashes
from cryptography.hazmat.primitives.kdf.hkdf import HKDF
from psycopg_pool import AsyncConnectionPool

from fieldmark.identity.application.ports import TwoFactorState
from fieldmark.shared_kernel.errors import StoreUnavailable
from fieldmark.shared_kernel.ids import UserId

_ENCRYPTED = "fernet:"


def _fernet(secret_key: bytes) -> Fernet:
    key = HKDF(algorithm=hashes.SHA256(), length=32, salt=None, info=b"fieldmark totp secrets").derive(
        secret_key
    )
    return Fernet(base64.urlsafe_b64encode(key))


class PsycopgTwoFactorStore:
    def __init__(self, pool: AsyncConnectionPool, secret_key: bytes) -> None:
        self._pool = pool
        self._fernet = _fernet(secret_key)

    def _seal(self, secret: str) -> str:
        return _ENCRYPTED + self._fernet.encrypt(secret.encode()).decode()

    def _open(self, stored: str | None) -> str | None:
        if stored is None or not stored.startswith(_ENCRYPTED):
            return stored  # kept before encryption: still works, sealed again at the next set-up
        try:
            return self._fernet.decrypt(stored[len(_ENCRYPTED) :].encode()).decode()
        except InvalidToken:
            return None  # SECRET_KEY changed: two-factor must be set up again (recovery codes still work)

    async def _run(self, query: str, params: tuple[object, ...]) -> list[tuple[object, ...]]:
        try:
            async with self._pool.connection() as conn:
                cursor = await conn.execute(query, params)
                return await cursor.fetchall() if cursor.description else []
        except psycopg.OperationalError as exc:
            raise StoreUnavailable.because("PostgreSQL", exc) from None

    async def state(self, user_id: UserId) -> TwoFactorState:
        rows = await self._run(
            "SELECT totp_secret, totp_enabled, totp_last_step FROM users WHERE id = %s", (user_id,)
        )
        if not rows:
            return TwoFactorState(None, False, None)
        secret, enabled, last = rows[0]
        return TwoFactorState(self._open(secret), bool(enabled), last)  # type: ignore[arg-type]

    async def set_pending(self, user_id: UserId, secret: str) -> None:
        await self._run(
            "UPDATE users SET totp_secret = %s, totp_enabled = false WHERE id = %s",
            (self._seal(secret), user_id),
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
        except psycopg.OperationalError as exc:
            raise StoreUnavailable.because("PostgreSQL", exc) from None

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
