"""Imports over HTTP: upload another tool's export, list a site's imports, remove one."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, delete, get, post
from litestar.datastructures import State
from litestar.params import FromPath, FromQuery

from fieldmark.reporting.application.imports import ImportRecord, Imports
from fieldmark.shared_kernel.access import MANAGE_SITES, SITE, VIEW, access


class ImportOut(msgspec.Struct, frozen=True):
    id: str
    source: str
    file_name: str
    first_day: date
    last_day: date
    visitors: int
    pageviews: int
    created_at: datetime


def _out(r: ImportRecord) -> ImportOut:
    return ImportOut(
        str(r.id), r.source, r.file_name, r.first_day, r.last_day, r.visitors, r.pageviews, r.created_at
    )


class ImportsController(Controller):
    tags = ["Imports"]

    @post(
        "/api/sites/{site_id:uuid}/imports",
        operation_id="importData",
        opt=access(SITE, MANAGE_SITES),
        summary="Import another tool's history: Plausible's CSV export, or GA4's BigQuery export",
        description="201 with the import. The body is the file itself (up to 200 MB), `?file_name=` its "
        "name: Plausible's CSV export zip (or one `imported_<table>_<from>_<to>.csv`), or GA4's BigQuery "
        "export as newline-delimited JSON, gzipped or not. The Stats API adds imported figures when asked "
        "(`include.imports`). Admins and owners; 400 `field: file` says what is wrong with the file.",
        request_max_body_size=200 * 2**20,
    )
    async def add(
        self, request: Request[Any, Any, State], site_id: FromPath[UUID], file_name: FromQuery[str] = "upload"
    ) -> ImportOut:
        imports: Imports = request.app.state.reporting.imports
        data = await request.body()
        return _out(await imports.add(site_id, file_name, data, request.state.actor.user_id))

    @get(
        "/api/sites/{site_id:uuid}/imports",
        operation_id="listImports",
        opt=access(SITE, VIEW),
        summary="The site's imports",
        description="200, oldest first: source, file, days covered, and the file's visitors and pageviews.",
    )
    async def listing(self, request: Request[Any, Any, State], site_id: FromPath[UUID]) -> list[ImportOut]:
        imports: Imports = request.app.state.reporting.imports
        return [_out(r) for r in await imports.of_site(site_id)]

    @delete(
        "/api/sites/{site_id:uuid}/imports/{import_id:uuid}",
        operation_id="removeImport",
        opt=access(SITE, MANAGE_SITES),
        summary="Remove an import and its figures",
        description="204. Admins and owners; 404 for an unknown import.",
    )
    async def remove(
        self, request: Request[Any, Any, State], site_id: FromPath[UUID], import_id: FromPath[UUID]
    ) -> None:
        imports: Imports = request.app.state.reporting.imports
        await imports.remove(site_id, import_id)
