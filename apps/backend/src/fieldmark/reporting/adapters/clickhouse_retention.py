"""Retention in ClickHouse: the `events` table's TTL deletes a row once it is older than its
`retention_days` (migration 0003). Changing a site's period rewrites that column for its rows (a
mutation), and materializing the TTL in the partitions that can hold expired rows deletes them at once."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

from fieldmark.reporting.adapters.clickhouse import ClickHouseRunner, guarded


class ClickHouseRetention:
    def __init__(self, clickhouse: ClickHouseRunner) -> None:
        self._clickhouse = clickhouse

    async def restamp(self, site_id: UUID, days: int) -> None:
        await guarded(
            self._clickhouse,
            lambda client: client.command(
                f"ALTER TABLE {self._clickhouse.changes('events')} UPDATE retention_days = {{days:UInt16}}"
                " WHERE site_id = {site:UUID} AND retention_days != {days:UInt16}"
                " SETTINGS mutations_sync = 2",
                parameters={"site": site_id, "days": days},
            ),
            "restamp the site's retention",
        )

    async def expire(self, before: datetime) -> None:
        month = before.year * 100 + before.month  # partitions are months (toYYYYMM)
        table = self._clickhouse.changes("events")
        local = table.split(" ", 1)[0]

        def work(client: Any) -> None:
            partitions = client.query(
                "SELECT DISTINCT partition_id FROM system.parts WHERE database = currentDatabase()"
                " AND table = {table:String} AND active ORDER BY partition_id",
                parameters={"table": local},
            ).result_rows
            for (partition,) in partitions:
                if str(partition).isdigit() and int(partition) <= month:
                    client.command(
                        f"ALTER TABLE {table} MATERIALIZE TTL IN PARTITION ID '{partition}'"
                        " SETTINGS mutations_sync = 2"
                    )

        await guarded(self._clickhouse, work, "delete expired events")
