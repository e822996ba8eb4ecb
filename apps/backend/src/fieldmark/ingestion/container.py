"""Ingestion's container: it declares what it needs; bootstrap provides it."""

from typing import Any

from dependency_injector import containers, providers

from fieldmark.ingestion.adapters.cached_sites import CachedSiteDirectory
from fieldmark.ingestion.adapters.clickhouse_store import ClickHouseEventStore
from fieldmark.ingestion.adapters.geo import open_geo_locator
from fieldmark.ingestion.adapters.redis_forget import RedisSiteForgetting
from fieldmark.ingestion.adapters.redis_queue import RedisEventQueue
from fieldmark.ingestion.adapters.redis_salts import RedisSaltStore
from fieldmark.ingestion.adapters.redis_stream import RedisEventStream
from fieldmark.ingestion.adapters.redis_versions import RedisDataVersions
from fieldmark.ingestion.adapters.referrers import KnownReferrers, bundled_referrer_list
from fieldmark.ingestion.adapters.user_agents import UaParserClientSoftware
from fieldmark.ingestion.application.collect_events import CollectEvents
from fieldmark.ingestion.application.write_stream import StreamWriter, WriterSettings


class IngestionContainer(containers.DeclarativeContainer):
    redis: providers.Dependency[Any] = providers.Dependency()
    clickhouse: providers.Dependency[Any] = providers.Dependency()
    person_key: providers.Dependency[bytes] = providers.Dependency(instance_of=bytes)  # from SECRET_KEY
    site_directory: providers.Dependency[Any] = (
        providers.Dependency()
    )  # a SiteDirectory over the Sites context
    clock: providers.Dependency[Any] = providers.Dependency()
    geoip_db: providers.Dependency[Any] = providers.Dependency()  # a DB-IP folder, a MaxMind file, or None
    max_backlog: providers.Dependency[int] = providers.Dependency(instance_of=int)
    ip_limit: providers.Dependency[int] = providers.Dependency(instance_of=int)
    site_limit: providers.Dependency[int] = providers.Dependency(instance_of=int)

    sites = providers.Singleton(CachedSiteDirectory, inner=site_directory)
    software = providers.Singleton(UaParserClientSoftware)
    geo = providers.Singleton(open_geo_locator, geoip_db)
    referrers = providers.Singleton(KnownReferrers, providers.Callable(bundled_referrer_list))
    salts = providers.Singleton(RedisSaltStore, redis)
    queue = providers.Singleton(
        RedisEventQueue,
        redis,
        max_backlog=max_backlog,
        ip_limit_per_minute=ip_limit,
        site_limit_per_minute=site_limit,
    )
    collect_events = providers.Singleton(
        CollectEvents,
        sites=sites,
        software=software,
        geo=geo,
        referrers=referrers,
        salts=salts,
        queue=queue,
        clock=clock,
        person_key=person_key,
    )

    event_store = providers.Singleton(ClickHouseEventStore, clickhouse)
    writer_settings = providers.Singleton(WriterSettings)
    stream = providers.Factory(RedisEventStream, redis)  # one per consumer name
    data_versions = providers.Singleton(RedisDataVersions, redis)
    forgetting = providers.Singleton(RedisSiteForgetting, redis)
    writer = providers.Factory(
        StreamWriter, store=event_store, settings=writer_settings, versions=data_versions, gone=forgetting
    )
