"""What Analytics's use cases need from the outside world."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID

from fieldmark.analytics.domain.dates import DateRange
from fieldmark.analytics.domain.query import Dimension, Filter, GoalDef, Query


@dataclass(frozen=True)
class Row:
    dimensions: tuple[str, ...]
    metrics: dict[str, float | int]


@dataclass(frozen=True)
class SiteView:
    id: UUID
    timezone: str
    goals: tuple[GoalDef, ...] = ()


@dataclass(frozen=True)
class FunnelDef:
    name: str
    steps: tuple[GoalDef, ...]  # each step a matcher; its name is the step's label
    window_seconds: int


@dataclass(frozen=True)
class FunnelRow:
    dimensions: tuple[str, ...]
    visitors: list[int]  # per step: visitors who reached it, in order, within the window
    median_seconds: list[float | None]  # per step after the first: median time from the step before


@dataclass(frozen=True)
class Scope:
    """Which events a query reads: the sites, the period, the zone its labels are in, the goals it knows."""

    sites: tuple[UUID, ...]
    period: DateRange
    timezone: str
    goals: tuple[GoalDef, ...] = ()


class SiteCatalog(Protocol):
    """What Analytics reads of the Sites context: implemented over it in bootstrap."""

    async def site(self, site_id: UUID) -> SiteView | None: ...

    async def funnel(self, site_id: UUID, funnel_id: UUID) -> FunnelDef | None: ...

    async def team_sites(self, team_id: UUID) -> list[SiteView]: ...

    def funnel_steps(self, raw: Any, window_seconds: Any) -> FunnelDef:
        """An ad hoc funnel, checked by the same rules as stored ones (400 naming the field)."""

    async def segment_filters(
        self, site_id: UUID, segment_id: UUID, user_id: UUID | None
    ) -> list[Any] | None:
        """A segment's filters if the caller may use it (shared with the site, or the caller's own)."""


@dataclass(frozen=True)
class ClickScope:
    """Which clicks a heatmap reads: a page (an exact path, or a pattern with `*` and `**`), and
    optionally a device class and a range of viewport widths."""

    page: str
    device: str | None = None
    viewport: tuple[int, int] | None = None


@dataclass(frozen=True)
class HeatmapRows:
    grid: list[tuple[int, int, int]]  # (column, row, clicks): cells of document width / columns
    elements: list[tuple[str, str, str, int]]  # (selector, tag, label, clicks), most clicked first
    scroll: list[tuple[int, int]]  # (depth bucket, 0 to 100 by 5: views whose deepest point is in it)
    misbehaving: list[tuple[str, int, int, list[str]]]  # (selector, rage clicks, dead clicks, pages)


class StatsStore(Protocol):
    async def aggregate(self, scope: Scope, query: Query) -> list[Row]: ...

    async def imported(self, scope: Scope, dimension: str | None, limit: int) -> list[Row]:
        """Imported history's sums over the period's days (`visitors`, `visits`, `pageviews`, `bounces`,
        `visit_duration`, `events`), by `dimension` (a breakdown, `time:day`, or None for the totals)."""

    async def first_event(self, sites: tuple[UUID, ...]) -> datetime | None: ...

    async def retention(
        self, scope: Scope, unit: str, basis: str, filters: tuple[Filter, ...]
    ) -> list[tuple[str, int, int]]:
        """Rows of (cohort's first period, periods later, ids seen then); basis "person" or "visitor"."""

    async def has_people(self, scope: Scope) -> bool: ...

    async def journeys(
        self, scope: Scope, filters: tuple[Filter, ...], page: str | None, depth: int, limit: int
    ) -> list[tuple[str, tuple[str, ...], int]]:
        """Rows of ("previous" | "next" | "path", pages, visits)."""

    async def funnel(
        self, scope: Scope, funnel: FunnelDef, filters: tuple[Filter, ...], breakdown: Dimension | None
    ) -> list[FunnelRow]: ...

    async def heatmap(
        self, scope: Scope, filters: tuple[Filter, ...], clicks: ClickScope, columns: int
    ) -> HeatmapRows: ...

    async def click_pages(
        self, scope: Scope, filters: tuple[Filter, ...], clicks: ClickScope, limit: int
    ) -> list[tuple[str, int]]:
        """The pages (matching `clicks.page`) with the most clicks."""
