"""Retention: cohorts by first-seen day or week, and the share of each that came back later.

Be honest about the daily salt: an anonymous visitor's id changes every day, so an anonymous visitor
exists only within a day and cannot be seen coming back. Cross-day retention needs a person id, which a
site sends for signed-in users (`fieldmark('identify', id)`, hashed per site before storage). The answer
says which basis it used."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fieldmark.analytics.application.ports import Scope
from fieldmark.analytics.application.site_report import SiteReport
from fieldmark.analytics.domain.dates import resolve
from fieldmark.shared_kernel.audit import Actor
from fieldmark.shared_kernel.errors import InvalidInput

KNOWN_KEYS = {"period", "basis", "date_range", "filters", "segment_id"}
NOTES = {
    "person": "Cohorts of signed-in people, by the person id the site sends (hashed per site).",
    "visitor": (
        "Cohorts of anonymous visitors. Their ids change every day (the daily salt), so nobody can be seen "
        "returning on a later day: later periods are empty by design. Send a person id for signed-in users "
        "to measure retention across days."
    ),
}


@dataclass(frozen=True)
class Cohort:
    cohort: str  # its first day, or the Monday of its first week, in the site's zone
    size: int
    returning: list[int]  # per period from the first (period 0 is the cohort itself)
    rates: list[float]  # the same as percentages of the cohort


@dataclass(frozen=True)
class RetentionAnswer:
    basis: str
    note: str
    period: str
    cohorts: list[Cohort]


class Retention(SiteReport):
    known_keys = frozenset(KNOWN_KEYS)

    async def execute(
        self, site_id: UUID, raw: dict[str, Any], actor: Actor | None = None
    ) -> RetentionAnswer:
        site = await self._site(site_id, raw)
        unit = raw.get("period", "week")
        if unit not in ("day", "week"):
            raise InvalidInput('period is "day" or "week"', field="period")
        basis = raw.get("basis")
        if basis not in (None, "person", "visitor"):
            raise InvalidInput('basis is "person" or "visitor"', field="basis")
        period = resolve(
            raw.get("date_range", "91d" if unit == "week" else "30d"), self._clock.now(), site.timezone
        )
        filters = await self._filters(
            site_id,
            raw,
            actor,
            no_entry="retention filters take event and visit dimensions, not source, UTM or entry/exit page",
        )
        scope = Scope((site.id,), period, site.timezone, site.goals)
        if basis is None:
            basis = "person" if await self._store.has_people(scope) else "visitor"
        rows = await self._store.retention(scope, unit, basis, filters)
        by_cohort: dict[str, dict[int, int]] = {}
        for cohort, n, ids in rows:
            by_cohort.setdefault(cohort, {})[n] = ids
        cohorts = []
        for cohort, counts in sorted(by_cohort.items()):
            size = counts.get(0, 0)
            length = max(counts) + 1
            returning = [counts.get(i, 0) for i in range(length)]
            cohorts.append(
                Cohort(
                    cohort, size, returning, [round(c / size * 100, 1) if size else 0.0 for c in returning]
                )
            )
        return RetentionAnswer(basis, NOTES[basis], unit, cohorts)
