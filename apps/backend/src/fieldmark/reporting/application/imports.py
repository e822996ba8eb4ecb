"""Importing another tool's history, listing imports and removing one."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from uuid import UUID

from fieldmark.reporting.application.ports import DataVersions, ImportedRows, ImportLog
from fieldmark.reporting.domain.imports import MAX_BYTES, TOTALS, Aggregate, parse_ga4, parse_plausible
from fieldmark.shared_kernel.errors import InvalidInput, NotFound


@dataclass(frozen=True)
class ImportRecord:
    id: UUID
    site_id: UUID
    source: str
    file_name: str
    first_day: date
    last_day: date
    visitors: int  # the file's daily visitors, summed
    pageviews: int
    created_by: UUID | None
    created_at: datetime


class Imports:
    """Rules: admins and owners import (the route's guard). The format is recognised from the content:
    a zip or a CSV of Plausible's export, or GA4's BigQuery export as newline-delimited JSON (gzipped or
    not). An import adds to what is there; removing it takes out exactly its rows. Statistics cached for
    the site are dropped either way."""

    def __init__(self, rows: ImportedRows, log: ImportLog, versions: DataVersions, country_code: Any) -> None:
        self._rows = rows
        self._log = log
        self._versions = versions
        self._country_code = country_code

    async def add(self, site_id: UUID, file_name: str, data: bytes, user_id: UUID | None) -> ImportRecord:
        if not data:
            raise InvalidInput("the file is empty", field="file")
        if len(data) > MAX_BYTES:
            raise InvalidInput(f"the file is over {MAX_BYTES >> 20} MB", field="file")
        head = data.lstrip()[:1]
        if data[:2] == b"\x1f\x8b" or head == b"{":
            source, aggregates = "ga4", parse_ga4(data, self._country_code)
        else:
            source, aggregates = "plausible", parse_plausible(file_name, data)
        totals = [a for a in aggregates if a.dimension == TOTALS]
        if not totals:
            raise InvalidInput("the file holds no day of data", field="file")
        record = ImportRecord(
            uuid.uuid4(),
            site_id,
            source,
            file_name[:200] or "upload",
            min(a.day for a in totals),
            max(a.day for a in totals),
            sum(a.visitors for a in totals),
            sum(a.pageviews for a in totals),
            user_id,
            datetime.now().astimezone(),
        )
        await self._rows.insert(site_id, record.id, aggregates)
        await self._log.add(record)
        await self._versions.bump({site_id})
        return record

    async def of_site(self, site_id: UUID) -> list[ImportRecord]:
        return list(await self._log.of_site(site_id))

    async def remove(self, site_id: UUID, import_id: UUID) -> None:
        if await self._log.remove(site_id, import_id) is None:
            raise NotFound("no such import")
        await self._rows.delete(site_id, import_id)
        await self._versions.bump({site_id})


__all__ = ["Aggregate", "ImportRecord", "Imports"]
