"""Answer one statistics query for a site: check it, resolve its dates in the site's zone, apply the
segment, run it and, when asked, the comparison period, and shape the answer like Plausible's v2."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field, replace
from datetime import UTC
from typing import Any
from uuid import UUID
from zoneinfo import available_timezones

from fieldmark.analytics.application.ports import Row, Scope, SiteCatalog, SiteView, StatsStore
from fieldmark.analytics.application.requests import check_keys
from fieldmark.analytics.domain.dates import DateRange, buckets, comparison_range, label, resolve
from fieldmark.analytics.domain.imported import WEIGHTED, merge, skip_reason
from fieldmark.analytics.domain.query import (
    GOAL,
    Combination,
    ComparisonMode,
    Condition,
    Metric,
    Query,
    check_combination,
    dimension,
    parse_filters,
    parse_metrics,
    parse_order,
    parse_pagination,
)
from fieldmark.shared_kernel.audit import Actor
from fieldmark.shared_kernel.clock import Clock
from fieldmark.shared_kernel.errors import InvalidInput, NotFound

KNOWN_KEYS = {
    "metrics",
    "date_range",
    "dimensions",
    "filters",
    "order_by",
    "include",
    "pagination",
    "segment_id",
}


@dataclass
class ResultRow:
    dimensions: list[str]
    metrics: list[float | int]
    comparison: dict[str, Any] | None = None


@dataclass
class QueryAnswer:
    results: list[ResultRow]
    query: dict[str, Any]
    meta: dict[str, Any] = field(default_factory=dict)


def _change(metric: str, current: float | int, previous: float | int) -> float | int | None:
    """Percentage change; for bounce rate, the difference in points (as Plausible reports it)."""
    if metric == Metric.BOUNCE_RATE.value:
        return round(current - previous, 2)
    if previous == 0:
        return None
    change = round((current - previous) / previous * 100, 1)
    return int(change) if change.is_integer() else change


def _order_key(field: str, query: Query) -> Callable[[Row], Any]:
    index = next((i for i, d in enumerate(query.dimensions) if d.name == field), None)
    if index is not None:
        return lambda row: row.dimensions[index]
    return lambda row: float(row.metrics.get(field, 0))


class RunQuery:
    """Rules: metrics, dimensions, operators and ranges come from closed sets (400 naming the field
    otherwise); values are only ever bound parameters. A shared link restricted to a segment has that
    segment's filters added to every query. Time series are complete: buckets without events are zeros."""

    def __init__(self, sites: SiteCatalog, store: StatsStore, clock: Clock) -> None:
        self._sites = sites
        self._store = store
        self._clock = clock

    async def execute(self, site_id: UUID, raw: dict[str, Any], actor: Actor | None = None) -> QueryAnswer:
        return await self.execute_on(await self.site(site_id), raw, actor)

    async def site(self, site_id: UUID) -> SiteView:
        """The site with its time zone and goals; 404 when there is none."""
        site = await self._sites.site(site_id)
        if site is None:
            raise NotFound("no such site")
        return site

    async def execute_on(
        self, site: SiteView, raw: dict[str, Any], actor: Actor | None = None
    ) -> QueryAnswer:
        """A query of a site already looked up, for callers asking several (the realtime view)."""
        check_keys(raw, KNOWN_KEYS)
        return await self._answer(site, (site.id,), raw, actor, str(site.id))

    async def execute_team(
        self, team_id: UUID, raw: dict[str, Any], actor: Actor | None = None
    ) -> QueryAnswer:
        """The same query over every site of a team, summed (a visitor of two sites counts twice), with
        dates in `timezone` (default UTC). Goals and segments belong to one site: not here."""
        check_keys(raw, (KNOWN_KEYS - {"segment_id"}) | {"timezone"})
        sites = await self._sites.team_sites(team_id)
        if actor is not None:
            sites = [s for s in sites if actor.sees(s.id)]
        zone = raw.get("timezone", "UTC")
        if not isinstance(zone, str) or zone not in available_timezones():
            raise InvalidInput(f"{zone!r} is not an IANA time zone", field="timezone")
        body = {k: v for k, v in raw.items() if k != "timezone"}
        view = SiteView(team_id, zone, ())
        return await self._answer(view, tuple(s.id for s in sites) or (team_id,), body, actor, str(team_id))

    async def _answer(
        self, site: SiteView, sites: tuple[UUID, ...], raw: dict[str, Any], actor: Actor | None, label_id: str
    ) -> QueryAnswer:
        site_id = site.id
        first = utc(await self._store.first_event(sites)) if raw.get("date_range") == "all" else None
        period = resolve(raw.get("date_range", "30d"), self._clock.now(), site.timezone, first)
        metrics = parse_metrics(raw.get("metrics"))
        raw_dims = raw.get("dimensions") or []
        if not isinstance(raw_dims, list):
            raise InvalidInput("dimensions is a list", field="dimensions")
        dims = tuple(dimension(d, period.default_interval()) for d in raw_dims)
        filters = parse_filters(raw.get("filters"))
        filters += await self.segment(site_id, raw.get("segment_id"), actor)
        limit, offset = parse_pagination(raw.get("pagination"))
        comparison = self._comparison(raw.get("include"))
        with_imports = isinstance(raw.get("include"), dict) and raw["include"].get("imports") is True
        query = Query(
            metrics,
            dims,
            filters,
            parse_order(raw.get("order_by"), metrics, dims),
            limit,
            offset,
        )
        check_combination(query)

        scope = Scope(sites, period, site.timezone, site.goals)
        meta: dict[str, Any] = {}
        skip = skip_reason(query) if with_imports else None
        if with_imports:
            meta["imports_included"] = skip is None
            if skip is not None:
                meta["imports_skip_reason"] = skip
        rows = (
            await self._rows_with_imports(scope, query)
            if with_imports and skip is None
            else await self._rows(scope, query)
        )
        results = [ResultRow(list(r.dimensions), [r.metrics[m.value] for m in metrics]) for r in rows]
        if comparison is not None:
            previous_period = comparison_range(period, comparison)
            earlier = replace(scope, period=previous_period)
            previous = (
                await self._rows_with_imports(earlier, query)
                if with_imports and skip is None
                else await self._rows(earlier, query)
            )
            self._compare(query, results, rows, previous, period, previous_period)
        time_dim = next((d for d in dims if d.is_time), None)
        if time_dim is not None:
            assert time_dim.interval is not None
            meta["time_labels"] = [label(b, time_dim.interval) for b in buckets(period, time_dim.interval)]
        return QueryAnswer(
            results,
            {
                "site_id": label_id,
                "metrics": [m.value for m in metrics],
                "date_range": [period.start.isoformat(), period.end.isoformat()],
                "dimensions": [d.name for d in dims],
                "filters": raw.get("filters") or [],
                "order_by": [[o.field, "desc" if o.descending else "asc"] for o in query.order],
                "pagination": {"limit": limit, "offset": offset},
                **({"comparison": comparison.value} if comparison else {}),
            },
            meta,
        )

    async def segment(self, site_id: UUID, raw: Any, actor: Actor | None) -> tuple[Any, ...]:
        """The requested segment's filters, and always the shared link's segment."""
        out: tuple[Any, ...] = ()
        wanted = [raw] if raw is not None else []
        if actor is not None and actor.segment_id is not None:
            wanted.append(str(actor.segment_id))
        for segment_id in wanted:
            try:
                key = UUID(str(segment_id))
            except ValueError:
                raise InvalidInput("segment_id is a segment's id", field="segment_id") from None
            user = actor.user_id if actor else None
            stored = await self._sites.segment_filters(site_id, key, user)
            if stored is None:
                raise InvalidInput("no segment of this site has that id", field="segment_id")
            out += (Combination("and", parse_filters(stored)),)
        return out

    @staticmethod
    def _comparison(include: Any) -> ComparisonMode | None:
        if include is None:
            return None
        if not isinstance(include, dict) or set(include) - {
            "comparisons",
            "time_labels",
            "total_rows",
            "imports",
        }:
            raise InvalidInput('include is {"comparisons": {"mode": ...}}', field="include")
        raw = include.get("comparisons")
        if raw is None:
            return None
        try:
            return ComparisonMode(str(raw.get("mode") if isinstance(raw, dict) else raw))
        except ValueError:
            raise InvalidInput(
                'comparisons.mode is "previous_period" or "year_over_year"', field="include"
            ) from None

    async def _rows_with_imports(self, scope: Scope, query: Query) -> list[Row]:
        """Collected rows with the imported history's added (see domain.imported): visits are asked for
        too, to weigh rates and averages; rows are ordered and cut again after merging."""
        extra: tuple[Metric, ...] = ()
        if set(query.metrics) & WEIGHTED and Metric.VISITS not in query.metrics:
            extra += (Metric.VISITS,)
        if Metric.VIEWS_PER_VISIT in query.metrics and Metric.PAGEVIEWS not in query.metrics:
            extra += (Metric.PAGEVIEWS,)
        wide = replace(query, metrics=query.metrics + extra, limit=query.limit + query.offset, offset=0)
        native = {row.dimensions: row.metrics for row in await self._rows(scope, wide)}
        dimension = query.dimensions[0].name if query.dimensions else None
        if dimension is not None and query.dimensions[0].is_time:
            dimension = "time:day"
        imported = {r.dimensions: r.metrics for r in await self._store.imported(scope, dimension, wide.limit)}
        keys = list(native) + [k for k in imported if k not in native]
        merged = [Row(k, merge(native.get(k, {}), imported.get(k, {}), query.metrics)) for k in keys]
        if query.dimensions and query.dimensions[0].is_time:
            merged.sort(key=lambda r: r.dimensions)
        else:
            first = query.metrics[0].value
            merged.sort(key=lambda r: (-float(r.metrics.get(first, 0)), r.dimensions))
            for order in reversed(query.order):
                merged.sort(key=_order_key(order.field, query), reverse=order.descending)
        return merged[query.offset : query.offset + query.limit]

    async def _rows(self, scope: Scope, query: Query) -> list[Row]:
        rows = await self._store.aggregate(scope, query)
        period = scope.period
        if Metric.CONVERSION_RATE in query.metrics:
            await self._conversion_rates(scope, query, rows)
        if Metric.PERCENTAGE in query.metrics:
            totals = await self._store.aggregate(
                scope, replace(query, metrics=(Metric.VISITORS,), dimensions=(), order=())
            )
            total = totals[0].metrics[Metric.VISITORS.value] if totals else 0
            for row in rows:
                share = row.metrics[Metric.PERCENTAGE.value]
                row.metrics[Metric.PERCENTAGE.value] = round(share / total * 100, 1) if total else 0
        if len(query.dimensions) == 1 and query.dimensions[0].is_time and not query.order:
            rows = self._complete(rows, period, query)
        return rows

    async def _conversion_rates(self, scope: Scope, query: Query, rows: list[Row]) -> None:
        """Converting visitors over the visitors of the same group without the goal: the whole query's
        when the breakdown is by goal alone, each row's own group otherwise."""
        kept = [i for i, d in enumerate(query.dimensions) if d.name != GOAL]
        base_query = replace(
            query,
            metrics=(Metric.VISITORS,),
            dimensions=tuple(query.dimensions[i] for i in kept),
            filters=tuple(
                f for f in query.filters if not (isinstance(f, Condition) and f.dimension.name == GOAL)
            ),
            order=(),
            offset=0,
            limit=10_000,
        )
        found = await self._store.aggregate(scope, base_query)
        base = {r.dimensions: r.metrics[Metric.VISITORS.value] for r in found}
        for row in rows:
            total = base.get(tuple(row.dimensions[i] for i in kept), 0)
            converted = row.metrics[Metric.CONVERSION_RATE.value]
            row.metrics[Metric.CONVERSION_RATE.value] = round(converted / total * 100, 2) if total else 0

    @staticmethod
    def _complete(rows: list[Row], period: DateRange, query: Query) -> list[Row]:
        interval = query.dimensions[0].interval
        assert interval is not None
        found = {r.dimensions[0]: r for r in rows}
        zero = dict.fromkeys((m.value for m in query.metrics), 0)
        labels = [label(b, interval) for b in buckets(period, interval)]
        page = labels[query.offset : query.offset + query.limit]
        return [found.get(x) or Row((x,), dict(zero)) for x in page]

    @staticmethod
    def _compare(
        query: Query,
        results: list[ResultRow],
        rows: list[Row],
        previous: list[Row],
        period: DateRange,
        previous_period: DateRange,
    ) -> None:
        time_index = next((i for i, d in enumerate(query.dimensions) if d.is_time), None)
        if time_index is not None:
            interval = query.dimensions[time_index].interval
            assert interval is not None
            now_labels = [label(b, interval) for b in buckets(period, interval)]
            then_labels = [label(b, interval) for b in buckets(previous_period, interval)]
            shift = dict(zip(now_labels, then_labels, strict=False))
        else:
            shift = {}
        by_dims = {r.dimensions: r for r in previous}
        zero = dict.fromkeys((m.value for m in query.metrics), 0)
        for result, row in zip(results, rows, strict=True):
            key = list(row.dimensions)
            if time_index is not None:
                key[time_index] = shift.get(key[time_index], "")
            before = by_dims.get(tuple(key))
            values = before.metrics if before else zero
            result.comparison = {
                "dimensions": key,
                "metrics": [values[m.value] for m in query.metrics],
                "change": [_change(m.value, row.metrics[m.value], values[m.value]) for m in query.metrics],
            }


def utc(moment: Any) -> Any:
    return moment.replace(tzinfo=UTC) if moment is not None and moment.tzinfo is None else moment
