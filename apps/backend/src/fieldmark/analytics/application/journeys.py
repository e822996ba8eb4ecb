"""Journeys: for a page, where visitors came from and went next; and the paths taken from entry, in the
nodes-and-links form a Sankey chart draws."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import pairwise
from typing import Any
from uuid import UUID

from fieldmark.analytics.application.ports import Scope
from fieldmark.analytics.application.site_report import SiteReport
from fieldmark.analytics.domain.dates import resolve
from fieldmark.shared_kernel.audit import Actor
from fieldmark.shared_kernel.errors import InvalidInput

KNOWN_KEYS = {"page", "depth", "limit", "date_range", "filters", "segment_id"}


@dataclass(frozen=True)
class JourneysAnswer:
    page: str | None
    previous: list[tuple[str, int]]  # (page or "(entrance)", visits)
    next: list[tuple[str, int]]  # (page or "(exit)", visits)
    paths: list[tuple[list[str], int]]  # the most taken paths from entry, up to `depth` pages
    nodes: list[str]  # "<step>:<page>", for a Sankey chart
    links: list[tuple[str, str, int]]  # (source node, target node, visits)


def _int(raw: Any, default: int, low: int, high: int, field: str) -> int:
    value = default if raw is None else raw
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InvalidInput(f"{field} is a whole number from {low} to {high}", field=field)
    return value


class Journeys(SiteReport):
    known_keys = frozenset(KNOWN_KEYS)

    """Rules: a visit's pageviews in time order, a reload of the same page counted once. Previous and
    next count the views of `page` (so a visit that saw it twice counts twice). Paths count visits by
    their first `depth` pages (2 to 5); with `page`, only visits that saw it. Filters and segments pick
    whole visits."""

    async def execute(self, site_id: UUID, raw: dict[str, Any], actor: Actor | None = None) -> JourneysAnswer:
        site = await self._site(site_id, raw)
        page = raw.get("page")
        if page is not None and (not isinstance(page, str) or not page.startswith("/") or len(page) > 2000):
            raise InvalidInput("page is a path, starting with /", field="page")
        depth = _int(raw.get("depth"), 5, 2, 5, "depth")
        limit = _int(raw.get("limit"), 10, 1, 100, "limit")
        period = resolve(raw.get("date_range", "30d"), self._clock.now(), site.timezone)
        filters = await self._filters(site_id, raw, actor)
        rows = await self._store.journeys(
            Scope((site.id,), period, site.timezone, site.goals), filters, page, depth, limit
        )
        paths = [(list(steps), visits) for part, steps, visits in rows if part == "path"]
        nodes: list[str] = []
        links: dict[tuple[str, str], int] = {}
        for steps, visits in paths:
            names = [f"{i + 1}:{p}" for i, p in enumerate(steps)]
            nodes += [n for n in names if n not in nodes]
            for source, target in pairwise(names):
                links[(source, target)] = links.get((source, target), 0) + visits
        return JourneysAnswer(
            page,
            [(steps[0], visits) for part, steps, visits in rows if part == "previous"],
            [(steps[0], visits) for part, steps, visits in rows if part == "next"],
            paths,
            nodes,
            [(s, t, v) for (s, t), v in sorted(links.items(), key=lambda item: (-item[1], item[0]))],
        )
