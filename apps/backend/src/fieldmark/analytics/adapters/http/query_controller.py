"""The Stats API: one query endpoint for every statistic of a site."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, get, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from fieldmark.analytics.application.journeys import Journeys
from fieldmark.analytics.application.realtime import Realtime
from fieldmark.analytics.application.retention import Retention
from fieldmark.analytics.application.run_funnel import RunFunnel
from fieldmark.analytics.application.run_query import QueryAnswer, RunQuery
from fieldmark.shared_kernel.access import SITE, STATS_READ, TEAM, VIEW, access


# Metrics are integers (visitors) or not (bounce rate): typed `float`, which JSON Schema's `number` spells
# for both; `float | int` would be a `oneOf` that an integer matches twice, so no integer would be valid.
class ComparisonOut(msgspec.Struct, frozen=True):
    dimensions: list[str]
    metrics: list[float]
    change: list[float | None]


class ResultOut(msgspec.Struct, frozen=True, omit_defaults=True):
    dimensions: list[str]
    metrics: list[float]
    comparison: ComparisonOut | None = None


class QueryOut(msgspec.Struct, frozen=True):
    results: list[ResultOut]
    query: dict[str, Any]
    meta: dict[str, Any]


class StepOut(msgspec.Struct, frozen=True):
    label: str
    visitors: int
    conversion_rate: float
    conversion_rate_step: float
    dropoff: int
    median_seconds_from_previous: float | None


class FunnelGroupOut(msgspec.Struct, frozen=True):
    dimensions: list[str]
    steps: list[StepOut]


class FunnelOut(msgspec.Struct, frozen=True):
    name: str
    window_seconds: int
    date_range: list[str]
    groups: list[FunnelGroupOut]


class MinuteOut(msgspec.Struct, frozen=True):
    minute: str
    visitors: int
    pageviews: int


class CountOut(msgspec.Struct, frozen=True):
    name: str
    visitors: int


class RealtimeOut(msgspec.Struct, frozen=True):
    current_visitors: int
    minutes: list[MinuteOut]
    top_pages: list[CountOut]
    top_sources: list[CountOut]


class PageCount(msgspec.Struct, frozen=True):
    page: str
    visits: int


class PathCount(msgspec.Struct, frozen=True):
    steps: list[str]
    visits: int


class LinkOut(msgspec.Struct, frozen=True):
    source: str
    target: str
    value: int


class JourneysOut(msgspec.Struct, frozen=True):
    page: str | None
    previous: list[PageCount]
    next: list[PageCount]
    paths: list[PathCount]
    nodes: list[str]
    links: list[LinkOut]


class CohortOut(msgspec.Struct, frozen=True):
    cohort: str
    size: int
    returning: list[int]
    rates: list[float]


class RetentionOut(msgspec.Struct, frozen=True):
    basis: str
    note: str
    period: str
    cohorts: list[CohortOut]


def _out(answer: QueryAnswer) -> QueryOut:
    return QueryOut(
        [
            ResultOut(r.dimensions, r.metrics, ComparisonOut(**r.comparison) if r.comparison else None)
            for r in answer.results
        ],
        answer.query,
        answer.meta,
    )


class QueryController(Controller):
    tags = ["Stats"]

    @post(
        "/api/sites/{site_id:uuid}/query",
        operation_id="querySite",
        opt=access(SITE, VIEW, key_scope=STATS_READ, shared=True),
        status_code=200,
        summary="Query a site's statistics: metrics by dimensions, filtered, over a date range",
        description="The body is Plausible's Stats API v2 query without `site_id` (see docs/api/stats.md), "
        "plus an optional `segment_id`. 200 `{results: [{dimensions, metrics, comparison?}], query, meta}`. "
        "400 with `field` for an unknown metric, dimension, operator, date range, order or pagination; 503 "
        "when ClickHouse cannot answer (its own error text is never returned).",
    )
    async def query(
        self, request: Request[Any, Any, State], site_id: FromPath[UUID], data: JSONBody[dict[str, Any]]
    ) -> QueryOut:
        use_case: RunQuery = request.app.state.analytics.run_query
        return _out(await use_case.execute(site_id, data, request.state.actor))

    @post(
        "/api/v2/query",
        operation_id="plausibleQuery",
        opt=access(SITE, VIEW, key_scope=STATS_READ, site_in_body="site_id"),
        status_code=200,
        summary="Plausible Stats API v2: the same query, with the site named by its domain in `site_id`",
        description="For existing Plausible API clients: `Authorization: Bearer <key with stats:read>`. "
        "200 as Plausible answers; 400 for a missing `site_id` or a query error; 404 for a site the key "
        "cannot see. See docs/api/stats.md for what is shared with Plausible.",
    )
    async def plausible_query(
        self, request: Request[Any, Any, State], data: JSONBody[dict[str, Any]]
    ) -> QueryOut:
        use_case: RunQuery = request.app.state.analytics.run_query
        body = {k: v for k, v in data.items() if k != "site_id"}
        return _out(await use_case.execute(request.state.caller.site_id, body, request.state.actor))

    @post(
        "/api/sites/{site_id:uuid}/funnel",
        operation_id="runFunnel",
        opt=access(SITE, VIEW, key_scope=STATS_READ, shared=True),
        status_code=200,
        summary="Run a funnel: a stored one (`funnel_id`) or ad hoc `steps`, over a date range",
        description="200 `{name, window_seconds, date_range, groups: [{dimensions, steps: [{label, visitors, "
        "conversion_rate, conversion_rate_step, dropoff, median_seconds_from_previous}]}]}`. 400 names "
        "`funnel_id`, `steps`, `window_seconds`, `breakdown`, `filters` or `date_range`.",
    )
    async def funnel(
        self, request: Request[Any, Any, State], site_id: FromPath[UUID], data: JSONBody[dict[str, Any]]
    ) -> FunnelOut:
        use_case: RunFunnel = request.app.state.analytics.run_funnel
        answer = await use_case.execute(site_id, data, request.state.actor)
        return FunnelOut(
            answer.name,
            answer.window_seconds,
            answer.date_range,
            [FunnelGroupOut(g.dimensions, [StepOut(**vars(s)) for s in g.steps]) for g in answer.groups],
        )

    @post(
        "/api/teams/{team_id:uuid}/query",
        operation_id="queryTeam",
        opt=access(TEAM, VIEW, key_scope=STATS_READ, filters_sites=True),
        status_code=200,
        summary="The same query over every site of a team (the team roll-up)",
        description="The body of the site query, plus `timezone` (default UTC) and without `segment_id`. "
        "Figures are sums over the sites (a visitor of two sites counts twice). A key limited to some sites "
        "covers only those.",
    )
    async def team_query(
        self, request: Request[Any, Any, State], team_id: FromPath[UUID], data: JSONBody[dict[str, Any]]
    ) -> QueryOut:
        use_case: RunQuery = request.app.state.analytics.run_query
        return _out(await use_case.execute_team(team_id, data, request.state.actor))

    @get(
        "/api/sites/{site_id:uuid}/realtime",
        operation_id="realtime",
        opt=access(SITE, VIEW, key_scope=STATS_READ, shared=True),
        summary="Visitors now (last 5 minutes), and the last 30 minutes by minute with top pages and sources",
        description="200. Fresh as soon as the writer lands a batch (within about a second).",
    )
    async def realtime(self, request: Request[Any, Any, State], site_id: FromPath[UUID]) -> RealtimeOut:
        use_case: Realtime = request.app.state.analytics.realtime
        view = await use_case.execute(site_id, request.state.actor)
        return RealtimeOut(
            view.current_visitors,
            [MinuteOut(m, v, p) for m, v, p in view.minutes],
            [CountOut(name, v) for name, v in view.top_pages],
            [CountOut(name, v) for name, v in view.top_sources],
        )

    @post(
        "/api/sites/{site_id:uuid}/journeys",
        operation_id="journeys",
        opt=access(SITE, VIEW, key_scope=STATS_READ, shared=True),
        status_code=200,
        summary="Where visitors came from and went next around a page, and the paths taken from entry",
        description="Body: `{page?, depth? (2-5, default 5), limit? (1-100, default 10), date_range, "
        "filters, segment_id}`. 200 `{page, previous, next, paths, nodes, links}` (`nodes` and `links` "
        "draw a Sankey chart). 400 names the field.",
    )
    async def journeys(
        self, request: Request[Any, Any, State], site_id: FromPath[UUID], data: JSONBody[dict[str, Any]]
    ) -> JourneysOut:
        use_case: Journeys = request.app.state.analytics.journeys
        answer = await use_case.execute(site_id, data, request.state.actor)
        return JourneysOut(
            answer.page,
            [PageCount(p, v) for p, v in answer.previous],
            [PageCount(p, v) for p, v in answer.next],
            [PathCount(steps, v) for steps, v in answer.paths],
            answer.nodes,
            [LinkOut(s, t, v) for s, t, v in answer.links],
        )

    @post(
        "/api/sites/{site_id:uuid}/retention",
        operation_id="retention",
        opt=access(SITE, VIEW, key_scope=STATS_READ, shared=True),
        status_code=200,
        summary="Cohorts by first-seen day or week and how many came back in each later period",
        description="Body: `{period: day|week, basis?: person|visitor, date_range, filters, segment_id}`. "
        "200 `{basis, note, period, cohorts: [{cohort, size, returning, rates}]}`. Anonymous visitors "
        "cannot be followed across days (the daily salt): `basis` and `note` say what was measured.",
    )
    async def retention(
        self, request: Request[Any, Any, State], site_id: FromPath[UUID], data: JSONBody[dict[str, Any]]
    ) -> RetentionOut:
        use_case: Retention = request.app.state.analytics.retention
        answer = await use_case.execute(site_id, data, request.state.actor)
        return RetentionOut(
            answer.basis,
            answer.note,
            answer.period,
            [CohortOut(c.cohort, c.size, c.returning, c.rates) for c in answer.cohorts],
        )
