# ruff: noqa: S608  (SQL text is built from the model's closed sets only; values are bound parameters)
"""The query model compiled to ClickHouse SQL. Only names from the model's closed sets are written into
the SQL text; every value (sites, instants, time zone, filter values, property keys, limits) is a bound
`{name:Type}` parameter. Each query runs with a time limit, in a worker thread (chDB has no async client).

The shape: visits (`v`) are computed when a query needs a visit's own figures or its entry attributes;
then events (joined to their visit when needed) are grouped per dimension values and visit, and those
groups per dimension values. So a visit counts once per row it belongs to, a filter on an event narrows
both the events counted and the visits that had one, and a filter on a visit attribute narrows whole visits.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from datetime import datetime, timedelta
from typing import Any, TypeVar
from uuid import UUID
from zoneinfo import ZoneInfo

from fieldmark.analytics.application.ports import ClickScope, FunnelDef, FunnelRow, HeatmapRows, Row, Scope
from fieldmark.analytics.domain.query import (
    COUNTRY_NAME,
    ENGAGEMENT_METRICS,
    GOAL,
    GOAL_METRICS,
    VISIT_METRICS,
    Combination,
    Condition,
    Dimension,
    Filter,
    GoalDef,
    Interval,
    Level,
    Metric,
    Query,
    country_names,
    filter_dimensions,
    select_goals,
)
from fieldmark.shared_kernel.errors import StoreUnavailable
from fieldmark.shared_kernel.patterns import wildcard_regex

log = logging.getLogger(__name__)

TIME_LIMIT_S = 15
T = TypeVar("T")
DIRECT = "Direct / None"
ENTRY_COLUMNS = (
    "referrer_source",
    "referrer",
    "channel",
    "utm_medium",
    "utm_source",
    "utm_campaign",
    "utm_content",
    "utm_term",
)
_BUCKET = {
    Interval.MINUTE: "toString(toStartOfMinute(toTimeZone(e.timestamp, {tz})))",
    Interval.HOUR: "toString(toStartOfHour(toTimeZone(e.timestamp, {tz})))",
    Interval.DAY: "toString(toDate(toTimeZone(e.timestamp, {tz})))",
    Interval.WEEK: "toString(toMonday(toTimeZone(e.timestamp, {tz})))",
    Interval.MONTH: "toString(toStartOfMonth(toTimeZone(e.timestamp, {tz})))",
}
# Per (dimension values, visit) group → per dimension values.
_OUTER = {
    Metric.VISITORS: "uniq(visitor_id)",
    Metric.VISITS: "count()",
    Metric.PAGEVIEWS: "sum(pv)",
    Metric.EVENTS: "sum(ev)",
    Metric.VIEWS_PER_VISIT: "if(count() = 0, 0, round(sum(pv) / count(), 2))",
    Metric.BOUNCE_RATE: "if(count() = 0, 0, round(avg(bounce) * 100))",
    Metric.VISIT_DURATION: "if(count() = 0, 0, round(avg(duration)))",
    Metric.PERCENTAGE: "uniq(visitor_id)",  # turned into a share of the total by the use case
    Metric.CONVERSION_RATE: "uniq(visitor_id)",  # likewise, of the visitors without the goal filter
    Metric.CONVERSIONS: "sum(pv) + sum(ev)",
    Metric.TOTAL_REVENUE: "round(sum(rev), 2)",
    Metric.AVERAGE_REVENUE: "if(sum(rev_n) = 0, 0, round(sum(rev) / sum(rev_n), 2))",
}


class Params:
    def __init__(self) -> None:
        self.values: dict[str, Any] = {}

    def bind(self, value: Any, kind: str) -> str:
        name = f"p{len(self.values)}"
        self.values[name] = value
        return "{" + name + ":" + kind + "}"


def visits_sql(in_range: str) -> tuple[str, str]:
    """The visits CTE (each visit's entry attributes and own figures) and the join onto events `e`."""
    entry = ",\n    ".join(f"argMin({c}, timestamp) AS {c}" for c in ENTRY_COLUMNS)
    cte = (
        "WITH v AS (\n  SELECT session_id,\n"
        "    argMinIf(pathname, timestamp, kind = 'pageview') AS entry_page,\n"
        "    argMaxIf(pathname, timestamp, kind = 'pageview') AS exit_page,\n"
        f"    {entry},\n"
        "    countIf(kind = 'pageview') AS visit_pageviews,\n"
        "    countIf(kind = 'custom' AND interactive) AS visit_interactions,\n"
        "    dateDiff('second', min(timestamp), max(timestamp)) AS visit_duration\n"
        f"  FROM events WHERE {in_range} AND kind IN ('pageview', 'custom', 'engagement')\n"
        "  GROUP BY session_id\n)\n"
    )
    return cte, " INNER JOIN v ON v.session_id = e.session_id"


class Compiler:
    """One query's SQL: every value goes through `Params.bind`."""

    def __init__(self, scope: Scope, query: Query) -> None:
        self.scope = scope
        self.query = query
        self.params = Params()
        self.tz = self.params.bind(scope.timezone, "String")
        self.session = "e"  # where a visit's constant attributes (device, location) are read from
        self._range: tuple[str, str, str] | None = None

    # Goals -------------------------------------------------------------------------------------
    def goal(self, goal: GoalDef) -> str:
        if goal.kind == "pageview":
            if goal.path and "*" not in goal.path:  # an exact path: equality is cheaper than a regex
                return f"(e.kind = 'pageview' AND e.pathname = {self.params.bind(goal.path, 'String')})"
            return (
                f"(e.kind = 'pageview' AND match(e.pathname, {self.params.bind(goal.path_regex, 'String')}))"
            )
        sql = f"e.kind = 'custom' AND e.name = {self.params.bind(goal.event, 'String')}"
        if goal.property_key:
            key = self.params.bind(goal.property_key, "String")
            sql += f" AND e.props[{key}] = {self.params.bind(goal.property_value, 'String')}"
        return f"({sql})"

    def any_goal(self, goals: tuple[GoalDef, ...]) -> str:
        return "(" + " OR ".join(self.goal(g) for g in goals) + ")" if goals else "0"

    def goal_column(self) -> str:
        goals = self.scope.goals
        if not goals:
            return "arrayJoin(CAST([], 'Array(String)'))"
        names = ", ".join(f"if({self.goal(g)}, {self.params.bind(g.name, 'String')}, '')" for g in goals)
        return f"arrayJoin(arrayFilter(x -> x != '', [{names}]))"

    def revenue_goals(self) -> tuple[GoalDef, ...]:
        """The revenue goals in play: those the goal filters pick, or every one."""
        chosen = [
            set(select_goals(item, self.scope.goals))
            for item in self.query.filters
            if isinstance(item, Condition)
            and item.dimension.name == GOAL
            and not item.operator.endswith("_not")
        ]
        goals = [g for g in self.scope.goals if g.currency and all(g in c for c in chosen)]
        return tuple(goals)

    def revenue(self, goal_alias: str | None) -> tuple[str, str]:
        """Per event: the amount it brings to the row (in its goal's currency), and whether it counts."""
        parts = []
        for goal in self.revenue_goals():
            currency = self.params.bind(goal.currency, "String")
            cond = f"{self.goal(goal)} AND e.revenue_currency = {currency} AND e.revenue_amount IS NOT NULL"
            if goal_alias is not None:
                cond = f"{goal_alias} = {self.params.bind(goal.name, 'String')} AND {cond}"
            parts.append(f"({cond})")
        if not parts:
            return "0", "0"
        counted = " OR ".join(parts)
        return f"if({counted}, toFloat64(assumeNotNull(e.revenue_amount)), 0)", counted

    # Dimensions and filters --------------------------------------------------------------------
    def column(self, dim: Dimension) -> str:
        if dim.level is Level.TIME:
            assert dim.interval is not None
            return _BUCKET[dim.interval].format(tz=self.tz)
        if dim.name == GOAL:
            return self.goal_column()
        if dim.property_key:
            return f"e.props[{self.params.bind(dim.property_key, 'String')}]"
        if dim.name == COUNTRY_NAME:
            codes, names = country_names()
            return (
                f"transform({self.session}.country_code, {self.params.bind(codes, 'Array(String)')},"
                f" {self.params.bind(names, 'Array(String)')}, toString({self.session}.country_code))"
            )
        if dim.name == "visit:source":  # a visit with no referrer and no UTM source, as Plausible names it
            return f"if(v.{dim.column} = '', '{DIRECT}', v.{dim.column})"
        if dim.level is Level.ENTRY:
            return f"v.{dim.column}"
        if dim.level is Level.SESSION:
            return f"{self.session}.{dim.column}"
        return f"e.{dim.column}"

    def condition(self, item: Condition) -> str:
        negate = item.operator.endswith("_not")
        op = item.operator.removesuffix("_not")
        if item.dimension.name == GOAL:
            sql = self.any_goal(select_goals(item, self.scope.goals))
            return f"NOT {sql}" if negate else sql
        column = self.column(item.dimension)
        values = list(item.values)
        if op == "is":
            if item.case_sensitive:
                sql = f"{column} IN {self.params.bind(values, 'Array(String)')}"
            else:
                sql = f"lower({column}) IN {self.params.bind([v.lower() for v in values], 'Array(String)')}"
        elif op == "contains":
            function = "multiSearchAny" if item.case_sensitive else "multiSearchAnyCaseInsensitive"
            sql = f"{function}({column}, {self.params.bind(values, 'Array(String)')})"
        else:
            patterns = [wildcard_regex(v) for v in values] if op == "matches_wildcard" else values
            if not item.case_sensitive:
                patterns = ["(?i)" + p for p in patterns]
            sql = f"multiMatchAny({column}, {self.params.bind(patterns, 'Array(String)')})"
        return f"NOT ({sql})" if negate else f"({sql})"

    def filter(self, item: Filter) -> str:
        if isinstance(item, Condition):
            return self.condition(item)
        if isinstance(item, Combination):
            joiner = " AND " if item.operator == "and" else " OR "
            return "(" + joiner.join(self.filter(child) for child in item.children) + ")"
        return f"NOT {self.filter(item.child)}"

    # The whole statement -----------------------------------------------------------------------
    def compile(self) -> tuple[str, dict[str, Any], list[str]]:
        """The SQL, its parameters, and the result's column names (d0… for dimensions, then metrics).

        Three shapes, the cheapest that answers: *flat* (no visit figures: one pass over events),
        *visits* (visit figures by visit attributes only: one pass grouping events into visits), and
        *general* (visit figures by event attributes or time: events joined to their visits)."""
        query = self.query
        levels = {d.level for d in (*query.dimensions, *filter_dimensions(query.filters))}
        visit_metrics = bool(VISIT_METRICS & set(query.metrics))
        if not visit_metrics and Level.ENTRY not in levels:
            return self._flat()
        if not levels & {Level.EVENT, Level.TIME}:
            return self._visits()
        return self._general()

    def range_params(self) -> tuple[str, str, str]:
        """The scope's sites, start and end as parameters, bound once per statement."""
        if self._range is None:
            bind, scope = self.params.bind, self.scope
            self._range = (
                bind(list(scope.sites), "Array(UUID)"),
                bind(scope.period.start_utc.replace(tzinfo=None), "DateTime64(3, 'UTC')"),
                bind(scope.period.end_utc.replace(tzinfo=None), "DateTime64(3, 'UTC')"),
            )
        return self._range

    def in_range(self, alias: str = "") -> str:
        """Rows of the scope's sites within its period (of the table `alias`, if given)."""
        sites, start, end = self.range_params()
        at = f"{alias}." if alias else ""
        return f"{at}site_id IN {sites} AND {at}timestamp >= {start} AND {at}timestamp < {end}"

    def events(self, filters: tuple[Filter, ...], kinds: str = "'pageview', 'custom'") -> list[str]:
        """The conditions on events `e`: in range, of these kinds, matching the filters."""
        return [self.in_range("e"), f"e.kind IN ({kinds})", *(self.filter(f) for f in filters)]

    def _finish(
        self, select_from: str, dims: list[str], metrics: dict[Metric, str], cte: str = ""
    ) -> tuple[str, dict[str, Any], list[str]]:
        query, bind = self.query, self.params.bind
        aliases = [f"d{i}" for i in range(len(dims))]
        columns = [*(f"{sql} AS {alias}" for sql, alias in zip(dims, aliases, strict=True))]
        columns += [f"{metrics[m]} AS m_{m.value}" for m in query.metrics]
        group = f"\nGROUP BY {', '.join(aliases)}" if aliases else ""
        limit = (
            f"\nLIMIT {bind(query.limit, 'UInt32')} OFFSET {bind(query.offset, 'UInt32')}" if aliases else ""
        )
        sql = f"{cte}SELECT {', '.join(columns)}\n{select_from}{group}{_order(query, aliases)}{limit}"
        return sql, self.params.values, [*aliases, *(m.value for m in query.metrics)]

    def _flat(self) -> tuple[str, dict[str, Any], list[str]]:
        query, scope = self.query, self.scope
        dims = [self.column(d) for d in query.dimensions]
        engagement = bool(ENGAGEMENT_METRICS & set(query.metrics))
        kinds = "'pageview', 'custom', 'engagement'" if engagement else "'pageview', 'custom'"
        where = self.events(query.filters, kinds)
        goal_alias = next((f"d{i}" for i, d in enumerate(query.dimensions) if d.name == GOAL), None)
        if goal_alias is not None and scope.goals:
            where.append(self.any_goal(scope.goals))
        metrics = {
            Metric.VISITORS: "uniq(e.visitor_id)",
            Metric.VISITS: "uniq(e.session_id)",
            Metric.PAGEVIEWS: "countIf(e.kind = 'pageview')",
            Metric.EVENTS: "countIf(e.kind = 'custom')",
            Metric.PERCENTAGE: "uniq(e.visitor_id)",
            Metric.CONVERSION_RATE: "uniq(e.visitor_id)",
            Metric.CONVERSIONS: "count()",  # every event left completes a goal of the query
            # seconds a page was visible per view, and the deepest scroll per view, in percent
            Metric.TIME_ON_PAGE: "if(countIf(e.kind = 'engagement') = 0, 0,"
            " round(avgIf(e.engagement_ms, e.kind = 'engagement') / 1000))",
            Metric.SCROLL_DEPTH: "if(countIf(e.kind = 'engagement') = 0, 0,"
            " round(avgIf(e.scroll_depth, e.kind = 'engagement')))",
        }
        if GOAL_METRICS & set(query.metrics):
            amount, counted = self.revenue(goal_alias)
            metrics[Metric.TOTAL_REVENUE] = f"round(sum({amount}), 2)"
            metrics[Metric.AVERAGE_REVENUE] = (
                f"if(countIf({counted}) = 0, 0, round(sum({amount}) / countIf({counted}), 2))"
            )
        return self._finish(f"FROM events AS e\nWHERE {' AND '.join(where)}", dims, metrics)

    def _visits(self) -> tuple[str, dict[str, Any], list[str]]:
        query = self.query
        self.session = "v"
        used = {d.name: d for d in (*query.dimensions, *filter_dimensions(query.filters))}.values()
        attributes = []
        for dim in used:
            if dim.name == "visit:entry_page":
                attributes.append("argMinIf(pathname, timestamp, kind = 'pageview') AS entry_page")
            elif dim.name == "visit:exit_page":
                attributes.append("argMaxIf(pathname, timestamp, kind = 'pageview') AS exit_page")
            elif dim.level is Level.ENTRY:
                attributes.append(f"argMin({dim.column}, timestamp) AS {dim.column}")
            else:
                attributes.append(f"any({dim.column}) AS {dim.column}")
        visits = (
            "FROM (\n  SELECT session_id, any(visitor_id) AS visitor_id, countIf(kind = 'pageview') AS pv,"
            " countIf(kind = 'custom') AS ev,"
            " countIf(kind = 'pageview') <= 1 AND countIf(kind = 'custom' AND interactive) = 0 AS bounce,"
            " dateDiff('second', min(timestamp), max(timestamp)) AS duration"
            + "".join(f", {a}" for a in dict.fromkeys(attributes))
            + f"\n  FROM events WHERE {self.in_range()}"
            " AND kind IN ('pageview', 'custom', 'engagement')\n  GROUP BY session_id\n) AS v"
        )
        dims = [self.column(d) for d in query.dimensions]
        filters = [self.filter(f) for f in query.filters]
        # A visit counts where it has a pageview or custom event in the range (not engagement alone).
        where = " AND ".join(["(pv + ev) > 0", *filters])
        return self._finish(f"{visits}\nWHERE {where}", dims, _OUTER)

    def _general(self) -> tuple[str, dict[str, Any], list[str]]:
        query, scope = self.query, self.scope
        in_range = self.in_range()
        dims = [self.column(d) for d in query.dimensions]
        aliases = [f"d{i}" for i in range(len(dims))]
        where = self.events(query.filters)
        goal_alias = next((a for a, d in zip(aliases, query.dimensions, strict=True) if d.name == GOAL), None)
        if goal_alias is not None and scope.goals:
            where.append(self.any_goal(scope.goals))  # only events some goal counts
        extra = ""
        if GOAL_METRICS & set(query.metrics):
            amount, counted = self.revenue(goal_alias)
            extra += f", sum({amount}) AS rev, countIf({counted}) AS rev_n"
        visits_cte, join = "", ""
        if query.needs_visits():
            visits_cte, join = visits_sql(in_range)
            extra += (
                ", any(v.visit_pageviews <= 1 AND v.visit_interactions = 0) AS bounce,"
                " any(v.visit_duration) AS duration"
            )
        group_inner = ", ".join(f"{sql} AS {alias}" for sql, alias in zip(dims, aliases, strict=True))
        inner = (
            f"SELECT {group_inner + ', ' if group_inner else ''}"
            "e.session_id AS sid, any(e.visitor_id) AS visitor_id,"
            " countIf(e.kind = 'pageview') AS pv, countIf(e.kind = 'custom') AS ev"
            f"{extra}\n  FROM events AS e{join}\n  WHERE {' AND '.join(where)}\n"
            f"  GROUP BY {', '.join([*aliases, 'sid'])}"
        )
        return self._finish(f"FROM (\n  {inner}\n)", aliases, _OUTER, visits_cte)


def compile_query(scope: Scope, query: Query) -> tuple[str, dict[str, Any], list[str]]:
    return Compiler(scope, query).compile()


def _order(query: Query, aliases: list[str]) -> str:
    if not aliases:
        return ""
    names = {d.name: alias for d, alias in zip(query.dimensions, aliases, strict=True)}
    terms = [f"{names.get(o.field, 'm_' + o.field)} {'DESC' if o.descending else 'ASC'}" for o in query.order]
    if not terms:
        times = [names[d.name] for d in query.dimensions if d.is_time]
        terms = [f"{t} ASC" for t in times] or [f"m_{query.metrics[0].value} DESC"]
    terms += [f"{alias} ASC" for alias in aliases if not any(t.startswith(alias + " ") for t in terms)]
    return "\nORDER BY " + ", ".join(terms)


class ClickHouseStats:
    """The Analytics context's `StatsStore` over the shared events table."""

    def __init__(self, clickhouse: Any) -> None:  # bootstrap's ClickHousePool
        self._clickhouse = clickhouse

    async def aggregate(self, scope: Scope, query: Query) -> list[Row]:
        sql, params, columns = compile_query(scope, query)
        dims = len(query.dimensions)
        return await self._query(
            sql,
            params,
            lambda rows: [
                Row(
                    tuple(str(v) for v in row[:dims]),
                    dict(zip(columns[dims:], _numbers(row[dims:]), strict=True)),
                )
                for row in rows
            ],
        )

    async def imported(self, scope: Scope, dimension: str | None, limit: int) -> list[Row]:
        zone = ZoneInfo(scope.timezone)
        first = scope.period.start.astimezone(zone).date()
        last = (scope.period.end - timedelta(microseconds=1)).astimezone(zone).date()
        params = {"sites": list(scope.sites), "first": first, "last": last, "limit": limit}
        sums = (
            "sum(visitors) AS visitors, sum(visits) AS visits, sum(pageviews) AS pageviews,"
            " sum(bounces) AS bounces, sum(visit_duration) AS visit_duration, sum(events) AS events"
        )
        where = "site_id IN {sites:Array(UUID)} AND date >= {first:Date} AND date <= {last:Date}"
        if dimension is None:
            sql = f"SELECT {sums} FROM imported WHERE {where} AND dimension = '' HAVING count() > 0"
        elif dimension == "time:day":
            sql = (
                f"SELECT toString(date) AS d, {sums} FROM imported WHERE {where} AND dimension = ''"
                " GROUP BY d"
            )
        else:
            params["dimension"] = dimension
            sql = (
                f"SELECT value AS d, {sums} FROM imported WHERE {where} AND dimension = {{dimension:String}}"
                " GROUP BY d ORDER BY visitors DESC, d LIMIT {limit:UInt32}"
            )
        names = ["visitors", "visits", "pageviews", "bounces", "visit_duration", "events"]
        keyed = dimension is not None
        return await self._query(
            sql,
            params,
            lambda rows: [
                Row(
                    (str(row[0]),) if keyed else (),
                    dict(zip(names, (int(v) for v in row[1 if keyed else 0 :]), strict=True)),
                )
                for row in rows
            ],
        )

    async def funnel(
        self, scope: Scope, funnel: FunnelDef, filters: tuple[Filter, ...], breakdown: Dimension | None
    ) -> list[FunnelRow]:
        sql, params, steps = compile_funnel(scope, funnel, filters, breakdown)
        dims = 1 if breakdown is not None else 0

        def convert(rows: list[Any]) -> list[FunnelRow]:
            out = []
            for row in rows:
                counts = [int(v) for v in row[dims : dims + steps]]
                medians = [
                    None if v != v or counts[i + 1] == 0 else round(float(v) / 1000, 1)
                    for i, v in enumerate(row[dims + steps :])
                ]
                out.append(FunnelRow(tuple(str(v) for v in row[:dims]), counts, medians))
            return out

        return await self._query(sql, params, convert)

    async def heatmap(
        self, scope: Scope, filters: tuple[Filter, ...], clicks: ClickScope, columns: int
    ) -> HeatmapRows:
        sql, params = compile_heatmap(scope, filters, clicks, columns)

        def convert(rows: list[Any]) -> HeatmapRows:
            grid, elements, scroll, bad = [], [], [], []
            for part, key, tag, label, a, b, c, rage, dead, pages in rows:
                if part == "grid":
                    grid.append((int(a), int(b), int(c)))
                elif part == "scroll":
                    scroll.append((int(a), int(c)))
                else:
                    elements.append((str(key), str(tag), str(label), int(c)))
                    if rage or dead:
                        bad.append((str(key), int(rage), int(dead), sorted(str(p) for p in pages)))
            elements.sort(key=lambda e: (-e[3], e[0]))
            bad.sort(key=lambda t: (-(t[1] + t[2]), t[0]))
            return HeatmapRows(grid, elements[:50], scroll, bad[:50])

        return await self._query(sql, params, convert)

    async def click_pages(
        self, scope: Scope, filters: tuple[Filter, ...], clicks: ClickScope, limit: int
    ) -> list[tuple[str, int]]:
        compiler = Compiler(scope, Query(metrics=(Metric.VISITORS,), filters=filters))
        where = _clicks_where(compiler, filters, clicks)
        limit_p = compiler.params.bind(limit, "UInt32")
        sql = (
            f"SELECT pathname, count() AS clicks FROM events WHERE {where}"
            f" GROUP BY pathname ORDER BY clicks DESC, pathname LIMIT {limit_p}"
        )
        return await self._query(
            sql, compiler.params.values, lambda rows: [(str(p), int(n)) for p, n in rows]
        )

    async def journeys(
        self, scope: Scope, filters: tuple[Filter, ...], page: str | None, depth: int, limit: int
    ) -> list[tuple[str, tuple[str, ...], int]]:
        sql, params = compile_journeys(scope, filters, page, depth, limit)
        return await self._query(
            sql, params, lambda rows: [(str(part), tuple(steps), int(visits)) for part, steps, visits in rows]
        )

    async def retention(
        self, scope: Scope, unit: str, basis: str, filters: tuple[Filter, ...]
    ) -> list[tuple[str, int, int]]:
        sql, params = compile_retention(scope, unit, basis, filters)
        return await self._query(sql, params, lambda rows: [(str(c), int(n), int(ids)) for c, n, ids in rows])

    async def has_people(self, scope: Scope) -> bool:
        return await self._query(
            "SELECT count() > 0 FROM events WHERE site_id IN {sites:Array(UUID)} AND person_id != 0"
            " AND timestamp >= {start:DateTime64(3, 'UTC')} AND timestamp < {end:DateTime64(3, 'UTC')}",
            {
                "sites": list(scope.sites),
                "start": scope.period.start_utc.replace(tzinfo=None),
                "end": scope.period.end_utc.replace(tzinfo=None),
            },
            lambda rows: bool(rows[0][0]),
        )

    async def first_event(self, sites: tuple[UUID, ...]) -> datetime | None:
        return await self._query(
            "SELECT min(timestamp), count() FROM events WHERE site_id IN {sites:Array(UUID)}",
            {"sites": list(sites)},
            lambda rows: rows[0][0] if rows[0][1] else None,
        )

    async def _query(self, sql: str, params: dict[str, Any], convert: Callable[[list[Any]], T]) -> T:
        """Run one query in a worker thread, under the time limit, and convert its rows there too."""

        def work(client: Any) -> T:
            return convert(
                client.query(
                    sql, parameters=params, settings={"max_execution_time": TIME_LIMIT_S}
                ).result_rows
            )

        try:
            answer: T = await self._clickhouse.arun(work)
        except Exception as exc:  # the engine's own text stays in the server's log
            log.warning("statistics query failed: %s", exc)
            raise StoreUnavailable("the statistics could not be computed right now; try again") from None
        return answer


def _numbers(values: tuple[Any, ...] | list[Any]) -> list[float | int]:
    out: list[float | int] = []
    for value in values:
        number = float(value)
        out.append(int(number) if number.is_integer() else round(number, 2))
    return out


def compile_funnel(
    scope: Scope, funnel: FunnelDef, filters: tuple[Filter, ...], breakdown: Dimension | None
) -> tuple[str, dict[str, Any], int]:
    """Per visitor: the furthest step reached in order within the window (`windowFunnel`), and the
    first time of each step after the one before (for the median times between steps)."""
    compiler = Compiler(scope, Query(metrics=(Metric.VISITORS,)))
    bind = compiler.params.bind
    conditions = [compiler.goal(step) for step in funnel.steps]
    where = [
        *compiler.events(filters),
        "(" + " OR ".join(conditions) + ")",  # only events some step matches: windowFunnel needs no others
    ]
    # Per step, the visitor's times at it; then the first time at each step after the one before.
    times = [
        f"groupArrayIf(toUnixTimestamp64Milli(e.timestamp), {c}) AS a{i}" for i, c in enumerate(conditions, 1)
    ]
    times.append("arrayMin(a1) AS t1")
    for i in range(2, len(conditions) + 1):
        times.append(f"arrayMin(arrayFilter(x -> x >= t{i - 1}, a{i})) AS t{i}")
    group = ""
    select_dim = ""
    if breakdown is not None:
        column = compiler.column(breakdown).replace("v.", "e.")  # visit attributes: the visitor's first
        first = f"argMin({column}, e.timestamp)" if breakdown.level is Level.ENTRY else f"any({column})"
        if breakdown.name == "visit:source":
            first = f"argMin(if(e.referrer_source = '', '{DIRECT}', e.referrer_source), e.timestamp)"
        select_dim = f"{first} AS d0, "
        group = "d0"
    window = bind(funnel.window_seconds, "UInt64")
    inner = (
        f"SELECT {select_dim}e.visitor_id AS vid,"
        f" windowFunnel({window})(toDateTime(e.timestamp), {', '.join(conditions)}) AS level,"
        f" {', '.join(times)}"
        f" FROM events AS e WHERE {' AND '.join(where)} GROUP BY vid"
    )
    counts = [f"countIf(level >= {i})" for i in range(1, len(conditions) + 1)]
    medians = [
        f"quantileExactIf(0.5)(t{i} - t{i - 1}, level >= {i} AND t{i} >= t{i - 1})"
        for i in range(2, len(conditions) + 1)
    ]
    outer_select = ", ".join([*(["d0"] if group else []), *counts, *medians])
    sql = f"SELECT {outer_select} FROM ({inner}) WHERE level >= 1"
    if group:
        sql += " GROUP BY d0 ORDER BY countIf(level >= 1) DESC, d0 LIMIT 100"
    return sql, compiler.params.values, len(conditions)


def _page_condition(compiler: Compiler, page: str) -> str:
    if "*" in page:
        return f"match(pathname, {compiler.params.bind(wildcard_regex(page), 'String')})"
    return f"pathname = {compiler.params.bind(page, 'String')}"


def _clicks_where(
    compiler: Compiler, filters: tuple[Filter, ...], clicks: ClickScope, kind: str = "click"
) -> str:
    """The scope's events of `kind` on the page, device and viewport asked, of visits the filters pick."""
    bind = compiler.params.bind
    where = [compiler.in_range(), f"kind = '{kind}'", _page_condition(compiler, clicks.page)]
    if clicks.device:
        where.append(f"device = {bind(clicks.device, 'String')}")
    if clicks.viewport and kind == "click":
        low, high = clicks.viewport
        where.append(f"viewport_width BETWEEN {bind(low, 'UInt16')} AND {bind(high, 'UInt16')}")
    if filters:
        query = Query(metrics=(Metric.VISITS,), filters=filters)
        cte, join = visits_sql(compiler.in_range()) if query.needs_visits() else ("", "")
        matching = " AND ".join(compiler.events(filters))
        inner = f"{cte}SELECT e.session_id FROM events AS e{join} WHERE {matching}"
        where.append(f"session_id IN ({inner})")
    return " AND ".join(where)


def compile_heatmap(
    scope: Scope, filters: tuple[Filter, ...], clicks: ClickScope, columns: int
) -> tuple[str, dict[str, Any]]:
    """One pass over the page's clicks, grouped two ways (GROUPING SETS): by cell of a grid of squares a
    `columns`-th of the document's width (document coordinates over document width, so centred layouts
    line up across widths), and by element, with its rage and dead clicks and the pages they happen on;
    then the page's pageviews by the bucket of their deepest scroll."""
    compiler = Compiler(scope, Query(metrics=(Metric.VISITORS,), filters=filters))
    bind = compiler.params.bind
    click_where = _clicks_where(compiler, filters, clicks)
    views_where = _clicks_where(compiler, filters, clicks, kind="engagement")
    cols = bind(columns, "UInt32")
    cell = f"document_width / {cols}"
    sql = (
        "SELECT if(grouping(selector) = 0, 'element', 'grid') AS part, selector AS key, any(tag), any(label),"
        " a, b, count() AS c, countIf(rage), countIf(dead), groupUniqArrayIf(10)(pathname, rage OR dead)"
        " FROM (SELECT selector, tag, label, rage, dead, pathname,"
        f" least(toUInt32(floor(click_x / ({cell}))), toUInt32({cols} - 1)) AS a,"
        f" toUInt32(floor(click_y / ({cell}))) AS b"
        f" FROM events WHERE {click_where} AND document_width > 0)"
        " GROUP BY GROUPING SETS ((a, b), (selector))\n"
        "UNION ALL SELECT 'scroll', '', '', '',"
        " toUInt32(intDiv(scroll_depth, 5) * 5) AS a, 0, count(), 0, 0, []"
        f" FROM events WHERE {views_where} GROUP BY a"
    )
    return sql, compiler.params.values


def compile_journeys(
    scope: Scope, filters: tuple[Filter, ...], page: str | None, depth: int, limit: int
) -> tuple[str, dict[str, Any]]:
    """Each visit's pageviews in order (reloads of the same page collapsed), from the visits that match
    the filters; then, for `page`, the pages before and after each view of it, and the paths from entry."""
    query = Query(metrics=(Metric.VISITS,), filters=filters)
    compiler = Compiler(scope, query)
    bind = compiler.params.bind
    in_range = compiler.in_range()
    cte, join = visits_sql(in_range) if query.needs_visits() else ("", "")
    matching = ""
    if filters:
        where = " AND ".join(compiler.events(filters))
        matching = f" AND session_id IN (SELECT e.session_id FROM events AS e{join} WHERE {where})"
    paths = (
        "SELECT session_id,"
        " arrayMap(x -> x.2, arraySort(x -> x.1, groupArray((timestamp, pathname)))) AS raw,"
        " arrayFilter((p, i) -> i = 1 OR p != raw[i - 1], raw, arrayEnumerate(raw)) AS path"
        f" FROM events WHERE {in_range} AND kind = 'pageview'{matching} GROUP BY session_id"
    )
    page_p = bind(page or "", "String")
    limit_p = bind(limit, "UInt32")
    depth_p = bind(depth, "UInt8")
    union = (
        f"SELECT 'previous' AS part, [if(i = 1, '(entrance)', path[i - 1])] AS steps, count() AS visits"
        f" FROM ({paths}) ARRAY JOIN arrayEnumerate(path) AS i WHERE path[i] = {page_p}"
        f" GROUP BY steps ORDER BY visits DESC, steps LIMIT {limit_p}\n"
        f"UNION ALL SELECT 'next', [if(i = length(path), '(exit)', path[i + 1])] AS steps, count() AS visits"
        f" FROM ({paths}) ARRAY JOIN arrayEnumerate(path) AS i WHERE path[i] = {page_p}"
        f" GROUP BY steps ORDER BY visits DESC, steps LIMIT {limit_p}\n"
        f"UNION ALL SELECT 'path', arraySlice(path, 1, {depth_p}) AS steps, count() AS visits"
        f" FROM ({paths}) WHERE length(path) > 0"
        + (f" AND has(path, {page_p})" if page else "")
        + f" GROUP BY steps ORDER BY visits DESC, steps LIMIT {limit_p}"
    )
    return f"{cte}SELECT part, steps, visits FROM ({union})", compiler.params.values


def compile_retention(
    scope: Scope, unit: str, basis: str, filters: tuple[Filter, ...]
) -> tuple[str, dict[str, Any]]:
    """Cohorts by first-seen day or week (over all the site's history), and how many of each came back
    in each later period of the range. `basis` is the id followed: person_id or visitor_id."""
    compiler = Compiler(scope, Query(metrics=(Metric.VISITORS,), filters=filters))
    bind = compiler.params.bind
    sites_p, start_p, end_p = compiler.range_params()
    first_day = bind(scope.period.start.date(), "Date")
    column = "person_id" if basis == "person" else "visitor_id"
    bucket = "toDate" if unit == "day" else "toMonday"
    local = f"{bucket}(toTimeZone(e.timestamp, {compiler.tz}))"
    known = f"e.site_id IN {sites_p} AND e.kind IN ('pageview', 'custom') AND e.{column} != 0"
    where = " AND ".join(compiler.filter(f) for f in filters) or "1"
    sql = (
        f"WITH firsts AS (SELECT e.{column} AS id, min({local}) AS cohort FROM events AS e"
        f" WHERE {known} AND e.timestamp < {end_p} GROUP BY id)\n"
        "SELECT toString(f.cohort) AS cohort,"
        f" dateDiff('{unit}', f.cohort, a.period) AS n, uniqExact(a.id) AS ids\n"
        f"FROM (SELECT DISTINCT e.{column} AS id, {local} AS period FROM events AS e"
        f" WHERE {known} AND e.timestamp >= {start_p} AND e.timestamp < {end_p} AND {where}) AS a\n"
        "INNER JOIN firsts AS f ON f.id = a.id\n"
        f"WHERE f.cohort >= {bucket}({first_day}) AND n >= 0\n"
        "GROUP BY cohort, n ORDER BY cohort, n"
    )
    return sql, compiler.params.values
