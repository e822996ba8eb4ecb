"""What Identity's PostgreSQL repositories share: a query that answers rows as dicts, or 503."""

from __future__ import annotations

from typing import Any

import psycopg
from psycopg.rows import dict_row
from psycopg_pool import AsyncConnectionPool

from fieldmark.shared_kernel.errors import StoreUnavailable


class PostgresRepository:
    def __init__(self, pool: AsyncConnectionPool) -> None:
        self._pool = pool

    async def _run(self, query: str, params: tuple[Any, ...]) -> list[dict[str, Any]]:
        try:
            async with self._pool.connection() as conn, conn.cursor(row_factory=dict_row) as cursor:
                await cursor.execute(query, params)
                return await cursor.fetchall() if cursor.description else []
        except psycopg.OperationalError as exc:
            raise StoreUnavailable.because("PostgreSQL", exc) from None
