"""What the reports of one site (funnels, journeys, retention) share: the checked request, the site,
and the filters with the requested and the caller's segments."""

from __future__ import annotations

from typing import Any, ClassVar
from uuid import UUID

from fieldmark.analytics.application.ports import SiteCatalog, SiteView, StatsStore
from fieldmark.analytics.application.requests import check_keys
from fieldmark.analytics.application.run_query import RunQuery
from fieldmark.analytics.domain.query import Filter, Level, filter_dimensions, parse_filters
from fieldmark.shared_kernel.audit import Actor
from fieldmark.shared_kernel.clock import Clock
from fieldmark.shared_kernel.errors import InvalidInput


class SiteReport:
    known_keys: ClassVar[frozenset[str]] = frozenset()

    def __init__(self, sites: SiteCatalog, store: StatsStore, clock: Clock, queries: RunQuery) -> None:
        self._sites = sites
        self._store = store
        self._clock = clock
        self._queries = queries

    async def _site(self, site_id: UUID, raw: Any) -> SiteView:
        check_keys(raw, self.known_keys)
        return await self._queries.site(site_id)

    async def _filters(
        self, site_id: UUID, raw: dict[str, Any], actor: Actor | None, no_entry: str | None = None
    ) -> tuple[Filter, ...]:
        """The request's filters and segments; with `no_entry`, a filter on a visit's entry attributes
        (source, UTM, entry/exit page), which the report cannot apply, is refused with that message."""
        filters = parse_filters(raw.get("filters")) + await self._queries.segment(
            site_id, raw.get("segment_id"), actor
        )
        if no_entry and any(d.level is Level.ENTRY for d in filter_dimensions(filters)):
            raise InvalidInput(no_entry, field="filters")
        return filters
