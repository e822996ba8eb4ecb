"""Run a funnel, stored or ad hoc: visitors per step, conversion from the start and from the step before,
drop-off, and the median time between steps; optionally broken down by a visit dimension."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fieldmark.analytics.application.ports import FunnelDef, FunnelRow, Scope
from fieldmark.analytics.application.site_report import SiteReport
from fieldmark.analytics.domain.dates import resolve
from fieldmark.analytics.domain.query import Level, dimension
from fieldmark.shared_kernel.audit import Actor
from fieldmark.shared_kernel.errors import InvalidInput

KNOWN_KEYS = {"funnel_id", "steps", "window_seconds", "date_range", "filters", "segment_id", "breakdown"}
BREAKDOWN_ENTRY = {
    "visit:source",
    "visit:referrer",
    "visit:channel",
    "visit:utm_medium",
    "visit:utm_source",
    "visit:utm_campaign",
    "visit:utm_content",
    "visit:utm_term",
}


@dataclass(frozen=True)
class StepOut:
    label: str
    visitors: int
    conversion_rate: float  # of the visitors who entered the funnel (step 1), in percent
    conversion_rate_step: float  # of the visitors who reached the step before
    dropoff: int  # visitors of the step before who did not reach this one
    median_seconds_from_previous: float | None


@dataclass(frozen=True)
class FunnelGroup:
    dimensions: list[str]
    steps: list[StepOut]


@dataclass(frozen=True)
class FunnelAnswer:
    name: str
    window_seconds: int
    date_range: list[str]
    groups: list[FunnelGroup]  # one without dimensions, or one per breakdown value


def _pct(part: int, whole: int) -> float:
    return round(part / whole * 100, 2) if whole else 0.0


def _steps(funnel: FunnelDef, row: FunnelRow) -> list[StepOut]:
    out = []
    for i, step in enumerate(funnel.steps):
        reached = row.visitors[i]
        before = row.visitors[i - 1] if i else reached
        out.append(
            StepOut(
                step.name,
                reached,
                _pct(reached, row.visitors[0]),
                _pct(reached, before),
                before - reached,
                row.median_seconds[i - 1] if i else None,
            )
        )
    return out


class RunFunnel(SiteReport):
    known_keys = frozenset(KNOWN_KEYS)

    """Rules: a visitor converts to step n when they complete steps 1 to n in that order within the
    window counted from step 1 (ClickHouse's windowFunnel). Filters and segments narrow the events
    considered, as in a query. A breakdown takes a visit dimension (source, UTM, device, location...)."""

    async def execute(self, site_id: UUID, raw: dict[str, Any], actor: Actor | None = None) -> FunnelAnswer:
        site = await self._site(site_id, raw)
        if raw.get("funnel_id") is not None:
            if "steps" in raw:
                raise InvalidInput("give funnel_id or steps, not both", field="steps")
            try:
                funnel_id = UUID(str(raw["funnel_id"]))
            except ValueError:
                raise InvalidInput("funnel_id is a funnel's id", field="funnel_id") from None
            funnel = await self._sites.funnel(site_id, funnel_id)
            if funnel is None:
                raise InvalidInput("no funnel of this site has that id", field="funnel_id")
        else:
            funnel = self._sites.funnel_steps(raw.get("steps"), raw.get("window_seconds"))
        period = resolve(raw.get("date_range", "30d"), self._clock.now(), site.timezone)
        filters = await self._filters(
            site_id,
            raw,
            actor,
            no_entry="funnel filters take event and visit dimensions, not source, UTM or entry/exit page "
            "(break the funnel down by source instead)",
        )
        breakdown = None
        if raw.get("breakdown") is not None:
            breakdown = dimension(raw["breakdown"])
            if breakdown.level is not Level.SESSION and breakdown.name not in BREAKDOWN_ENTRY:
                raise InvalidInput(
                    "a funnel breaks down by a visit dimension: source, channel, referrer, UTM, device, "
                    "browser, OS, screen or location",
                    field="breakdown",
                )
        rows = await self._store.funnel(
            Scope((site.id,), period, site.timezone, site.goals), funnel, filters, breakdown
        )
        return FunnelAnswer(
            funnel.name,
            funnel.window_seconds,
            [period.start.isoformat(), period.end.isoformat()],
            [FunnelGroup(list(row.dimensions), _steps(funnel, row)) for row in rows],
        )
