"""Imported aggregates in ClickHouse's `imported` table (migration 0004)."""

from __future__ import annotations

from uuid import UUID

from fieldmark.reporting.adapters.clickhouse import ClickHouseRunner, guarded
from fieldmark.reporting.domain.imports import Aggregate

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


class ClickHouseImportedRows:
    def __init__(self, clickhouse: ClickHouseRunner) -> None:
        self._clickhouse = clickhouse

    async def insert(self, site_id: UUID, import_id: UUID, rows: list[Aggregate]) -> None:
        data = [
            [site_id, import_id, a.day, a.dimension, a.value, a.visitors, a.visits, a.pageviews, a.bounces,
             a.visit_duration, a.events]
            for a in rows
        ]  # fmt: skip
        await guarded(
            self._clickhouse,
            lambda client: client.insert("imported", data, column_names=COLUMNS),
            "store the import",
        )

    async def delete(self, site_id: UUID, import_id: UUID) -> None:
        await guarded(
            self._clickhouse,
            lambda client: client.command(
                f"DELETE FROM {self._clickhouse.changes('imported')}"  # noqa: S608
                " WHERE site_id = {s:UUID} AND import_id = {i:UUID}",
                parameters={"s": site_id, "i": import_id},
            ),
            "delete the import",
        )
