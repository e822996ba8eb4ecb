"""Exports over HTTP: a dashboard view as a zip of CSVs, and raw events as CSV or Parquet."""

from __future__ import annotations

import csv
import io
import zipfile
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody
from litestar.response import Response, Stream

from fieldmark.reporting.adapters.http.files import file_operation
from fieldmark.reporting.application.exports import ExportEvents, ExportView, Table
from fieldmark.reporting.domain.csv_cells import neutral
from fieldmark.reporting.domain.exports import RAW_FORMATS
from fieldmark.shared_kernel.access import SITE, STATS_READ, VIEW, access


class RawIn(msgspec.Struct, forbid_unknown_fields=True):
    date_range: str | list[str] = "30d"
    format: str = "csv"


def _zip(tables: list[Table]) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for table in tables:
            text = io.StringIO()
            writer = csv.writer(text, lineterminator="\n")
            writer.writerow(table.header)
            writer.writerows([neutral(cell) for cell in row] for row in table.rows)
            archive.writestr(table.file, text.getvalue())
    return buffer.getvalue()


class ExportsController(Controller):
    tags = ["Exports"]

    @post(
        "/api/sites/{site_id:uuid}/export",
        operation_id="exportView",
        opt=access(SITE, VIEW, key_scope=STATS_READ),
        summary="The dashboard's view as a zip of CSV files, one per breakdown",
        description="200 `application/zip`. Body: the view, `{date_range?, filters?, segment_id?}` as in the "
        "Stats API (default the last 30 days). Files: visitors (by day), sources, channels, UTM mediums, "
        "sources and campaigns, pages, entry and exit pages, countries, regions, cities, browsers, operating "
        "systems, devices, custom events and conversions, up to 10,000 rows each, with the numbers the Stats "
        "API gives. Members and keys with `stats:read`; 400 names a bad field.",
        status_code=200,
        operation_class=file_operation("A zip of CSV files", "application/zip"),
    )
    async def view(
        self, request: Request[Any, Any, State], site_id: FromPath[UUID], data: JSONBody[dict[str, Any]]
    ) -> Response[bytes]:
        use_case: ExportView = request.app.state.reporting.export_view
        tables = await use_case.execute(site_id, data, request.state.actor)
        return Response(
            _zip(tables),
            media_type="application/zip",
            headers={"Content-Disposition": 'attachment; filename="fieldmark-export.zip"'},
        )

    @post(
        "/api/sites/{site_id:uuid}/export/events",
        operation_id="exportEvents",
        opt=access(SITE, VIEW, key_scope=STATS_READ),
        summary="The site's raw events for a period, as CSV or Parquet, streamed",
        description="200, streamed from ClickHouse (memory stays bounded at any size): `text/csv` with a "
        "header row, or Parquet (`format: parquet`). `date_range` as in the Stats API (default 30d), in "
        "the site's time zone. `X-Fieldmark-Events` gives the number of events before the first byte, for "
        "progress. Members and keys with `stats:read`; 400 for a bad `date_range` or `format`.",
        status_code=200,
        operation_class=file_operation(
            "The events, as CSV or Parquet", *(media for _, media in RAW_FORMATS.values())
        ),
    )
    async def events(
        self, request: Request[Any, Any, State], site_id: FromPath[UUID], data: JSONBody[RawIn]
    ) -> Stream:
        use_case: ExportEvents = request.app.state.reporting.export_events
        export = await use_case.execute(site_id, data.date_range, data.format)
        return Stream(
            export.chunks,
            media_type=export.media_type,
            headers={
                "Content-Disposition": f'attachment; filename="events.{export.extension}"',
                "X-Fieldmark-Events": str(export.events),
                "Access-Control-Expose-Headers": "X-Fieldmark-Events",
            },
        )
