"""Imported aggregates in ClickHouse's `imported` table (migration 0004)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol
from uuid import UUID

from fieldmark.reporting.domain.imports import Aggregate
from fieldmark.shared_kernel.errors import StoreUnavailable

COLUMNS = [
    "site_id",
    "import_id",
    "date",
    "dimension",
    "value",
    "visitors",
    "visits",
    "pageviews",
    "bounces",
    "visit_duration",
    "events",
]


class ClickHouseRunner(Protocol):
    async def arun(self, work: Callable[[Any], Any]) -> Any: ...

    def changes(self, table: str) -> str: ...


class ClickHouseImportedRows:
    def __init__(self, clickhouse: ClickHouseRunner) -> None:
        self._clickhouse = clickhouse

    async def insert(self, site_id: UUID, import_id: UUID, rows: list[Aggregate]) -> None:
        data = [
            [site_id, import_id, a.day, a.dimension, a.value, a.visitors, a.visits, a.pageviews, a.bounces,
             a.visit_duration, a.events]
            for a in rows
        ]  # fmt: skip
        try:
            await self._clickhouse.arun(lambda client: client.insert("imported", data, column_names=COLUMNS))
        except Exception as exc:
            raise StoreUnavailable(f"ClickHouse could not store the import ({type(exc).__name__})") from None

    async def delete(self, site_id: UUID, import_id: UUID) -> None:
        try:
            await self._clickhouse.arun(
                lambda client: client.command(
                    f"DELETE FROM {self._clickhouse.changes('imported')}"  # noqa: S608
                    " WHERE site_id = {s:UUID} AND import_id = {i:UUID}",
                    parameters={"s": site_id, "i": import_id},
                )
            )
        except Exception as exc:
            raise StoreUnavailable(f"ClickHouse could not delete the import ({type(exc).__name__})") from None
