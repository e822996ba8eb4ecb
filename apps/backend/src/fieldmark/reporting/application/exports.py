"""Exports: a dashboard view as one CSV per breakdown (a zip, as Plausible exports), and a site's raw
events for a period as CSV or Parquet, streamed from ClickHouse without holding the file in memory."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fieldmark.reporting.application.ports import Periods, RawEvents, Stats
from fieldmark.reporting.domain.exports import BREAKDOWNS, MAX_ROWS, RAW_FORMATS
from fieldmark.shared_kernel.errors import InvalidInput

VIEW_KEYS = {"date_range", "filters", "segment_id"}


@dataclass(frozen=True)
class Table:
    file: str
    header: list[str]
    rows: list[list[Any]]


class ExportView:
    """Rules: the view's period, filters and segment apply to every breakdown, each through the Stats
    API's own query (so the files hold exactly the numbers the dashboard shows), up to 10,000 rows each.
    Anyone who can read the site's statistics may export them."""

    def __init__(self, stats: Stats) -> None:
        self._stats = stats

    async def execute(self, site_id: UUID, view: dict[str, Any], actor: Any = None) -> list[Table]:
        unknown = sorted(set(view) - VIEW_KEYS)
        if unknown:
            raise InvalidInput(
                f"unknown key {unknown[0]!r}; a view has {', '.join(sorted(VIEW_KEYS))}", field=unknown[0]
            )
        tables = []
        for part in BREAKDOWNS:
            query: dict[str, Any] = {
                **view,
                "date_range": view.get("date_range", "30d"),
                "metrics": list(part.metrics),
                "dimensions": [part.dimension],
                "pagination": {"limit": MAX_ROWS},
            }
            if part.dimension.startswith("time"):
                query["order_by"] = [[part.dimension, "asc"]]
            rows = await self._stats.rows(site_id, query, actor)
            tables.append(
                Table(part.file, [part.column, *part.metrics], [[*dims, *metrics] for dims, metrics in rows])
            )
        return tables


@dataclass(frozen=True)
class RawExport:
    events: int
    media_type: str
    extension: str
    chunks: AsyncIterator[bytes]


class ExportEvents:
    """Rules: a period in the Stats API's terms, in the site's time zone; `csv` (with a header row) or
    `parquet`. The number of events is known before the first byte, for the dashboard's progress."""

    def __init__(self, periods: Periods, events: RawEvents) -> None:
        self._periods = periods
        self._events = events

    async def execute(self, site_id: UUID, date_range: Any, fmt: str) -> RawExport:
        if fmt not in RAW_FORMATS:
            raise InvalidInput(f"format is one of {', '.join(RAW_FORMATS)}", field="format")
        start, end = await self._periods.resolve(site_id, date_range)
        output, media_type = RAW_FORMATS[fmt]
        count = await self._events.count(site_id, start, end)
        return RawExport(count, media_type, fmt, self._events.stream(site_id, start, end, output))
