# ruff: noqa: S608  (the SQL text is constant; the site and person are bound parameters)
"""A person's events in ClickHouse: those recorded under their hashed id, and the rest of the visits
(sessions) those were in."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any
from uuid import UUID

from fieldmark.reporting.adapters.clickhouse import CSV_SETTINGS, ClickHouseRunner, csv_safe_columns, guarded
from fieldmark.reporting.adapters.streams import stream_in_thread

_TIED = (
    "site_id = {site:UUID} AND (person_id = {person:UInt64} OR session_id IN"
    " (SELECT session_id FROM events WHERE site_id = {site:UUID} AND person_id = {person:UInt64}))"
)


class ClickHousePersonEvents:
    def __init__(self, clickhouse: ClickHouseRunner) -> None:
        self._clickhouse = clickhouse

    def export(self, site_id: UUID, person_id: int) -> AsyncIterator[bytes]:
        parameters = {"site": site_id, "person": person_id}

        def read(pump: Callable[[Iterable[bytes]], None]) -> None:
            def work(client: Any) -> None:
                with client.raw_stream(
                    f"SELECT {csv_safe_columns(client)} FROM events WHERE " + _TIED + " ORDER BY timestamp",
                    parameters=parameters,
                    settings=CSV_SETTINGS,
                    fmt="CSVWithNames",
                ) as chunks:
                    pump(chunks)

            self._clickhouse.run(work)

        return stream_in_thread(read)

    async def count(self, site_id: UUID, person_id: int) -> int:
        return int(
            await guarded(
                self._clickhouse,
                lambda client: client.command(
                    "SELECT count() FROM events WHERE " + _TIED,
                    parameters={"site": site_id, "person": person_id},
                ),
                "count the person's events",
            )
        )

    async def erase(self, site_id: UUID, person_id: int) -> None:
        await guarded(
            self._clickhouse,
            lambda client: client.command(
                "DELETE FROM " + self._clickhouse.changes("events") + " WHERE " + _TIED,
                parameters={"site": site_id, "person": person_id},
            ),
            "delete the person's events",
        )
