"""Analytics's container: it declares what it needs; bootstrap provides it."""

from typing import Any

from dependency_injector import containers, providers

from fieldmark.analytics.adapters.clickhouse_stats import ClickHouseStats
from fieldmark.analytics.adapters.redis_cache import CachedStats
from fieldmark.analytics.application.heatmap import Heatmap
from fieldmark.analytics.application.journeys import Journeys
from fieldmark.analytics.application.realtime import Realtime
from fieldmark.analytics.application.retention import Retention
from fieldmark.analytics.application.run_funnel import RunFunnel
from fieldmark.analytics.application.run_query import RunQuery
from fieldmark.shared_kernel.clock import Clock


class AnalyticsContainer(containers.DeclarativeContainer):
    clickhouse: providers.Dependency[Any] = providers.Dependency()  # bootstrap's ClickHousePool
    redis: providers.Dependency[Any] = providers.Dependency()  # for result caching, with its issue
    clock: providers.Dependency[Clock] = providers.Dependency()
    sites: providers.Dependency[Any] = providers.Dependency()  # SiteCatalog over the Sites context

    stats = providers.Singleton(
        CachedStats, store=providers.Singleton(ClickHouseStats, clickhouse), client=redis
    )
    run_query = providers.Singleton(RunQuery, sites=sites, store=stats, clock=clock)
    realtime = providers.Singleton(Realtime, queries=run_query, clock=clock)
    retention = providers.Singleton(Retention, sites=sites, store=stats, clock=clock, queries=run_query)
    journeys = providers.Singleton(Journeys, sites=sites, store=stats, clock=clock, queries=run_query)
    heatmap = providers.Singleton(Heatmap, sites=sites, store=stats, clock=clock, queries=run_query)
    run_funnel = providers.Singleton(RunFunnel, sites=sites, store=stats, clock=clock, queries=run_query)
