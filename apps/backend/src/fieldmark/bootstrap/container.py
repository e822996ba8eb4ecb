"""The root container: opens the stores once and hands them to each context's container."""

import hashlib
import inspect
from collections.abc import AsyncIterator, Awaitable, Iterator
from typing import TypeVar, cast

import redis.asyncio as aioredis
from dependency_injector import containers, providers
from psycopg_pool import AsyncConnectionPool

from fieldmark.analytics.container import AnalyticsContainer
from fieldmark.bootstrap.bridges import (
    EventsEraserForSites,
    PeopleForReporting,
    PeriodsForReporting,
    PersonIdsForReporting,
    SiteFactsForIdentity,
    SitesForAnalytics,
    SitesForIdentity,
    SitesForIngestion,
    SitesForReporting,
    StatsForReporting,
    country_code_of,
)
from fieldmark.bootstrap.engines import EngineUrls
from fieldmark.bootstrap.jobs import JobQueue
from fieldmark.bootstrap.settings import Settings
from fieldmark.bootstrap.stores import ClickHousePool, open_clickhouse, open_postgres_pool, open_redis
from fieldmark.identity.adapters.postgres_api_keys import PsycopgApiKeyRepository
from fieldmark.identity.adapters.postgres_audit import PsycopgAuditLog
from fieldmark.identity.adapters.postgres_users import PsycopgUserRepository
from fieldmark.identity.container import IdentityContainer
from fieldmark.ingestion.adapters.clickhouse_store import ClickHouseEventStore
from fieldmark.ingestion.adapters.redis_forget import RedisSiteForgetting
from fieldmark.ingestion.adapters.redis_versions import RedisDataVersions
from fieldmark.ingestion.container import IngestionContainer
from fieldmark.reporting.application.retention import ScheduleRetention
from fieldmark.reporting.container import ReportingContainer
from fieldmark.shared_kernel.clock import SystemClock
from fieldmark.sites.container import SitesContainer

T = TypeVar("T")


async def resolved(value: Awaitable[T] | T) -> T:
    """A provider's value: dependency-injector returns an awaitable while an async resource is involved."""
    if inspect.isawaitable(value):
        return cast(T, await value)
    return value


async def _postgres(urls: EngineUrls) -> AsyncIterator[AsyncConnectionPool]:
    pool = open_postgres_pool(urls.database_url)
    await pool.open(wait=False)
    try:
        yield pool
    finally:
        await pool.close()


async def _redis(urls: EngineUrls) -> AsyncIterator[aioredis.Redis]:
    client = open_redis(urls.redis_url)
    try:
        yield client
    finally:
        await client.aclose()


def _clickhouse(urls: EngineUrls) -> Iterator[ClickHousePool]:
    pool = open_clickhouse(urls)
    try:
        yield pool
    finally:
        pool.close()


class AppContainer(containers.DeclarativeContainer):
    """Stores are resources opened on first use, so a `collect` process never opens ClickHouse."""

    settings = providers.Dependency(instance_of=Settings)
    urls = providers.Dependency(instance_of=EngineUrls)
    clock = providers.Singleton(SystemClock)

    postgres = providers.Resource(_postgres, urls)
    redis = providers.Resource(_redis, urls)
    clickhouse = providers.Resource(_clickhouse, urls)
    jobs = providers.Singleton(JobQueue, urls.provided.redis_url)
    # The key of the per-site hash of the ids sites give signed-in people (Ingestion stores it; Reporting
    # finds a person's events by it).
    person_key = providers.Callable(
        lambda s: hashlib.sha256(b"person ids:" + s.secret_key.encode()).digest(), settings
    )

    # Identity keeps the audit log; Sites records its deletions in it too.
    audit_log = providers.Singleton(PsycopgAuditLog, pool=postgres)

    sites = providers.Container(
        SitesContainer,
        postgres=postgres,
        clock=clock,
        audit=audit_log,
        # A changed retention period becomes Reporting's job (its container is declared below).
        retention=providers.Singleton(ScheduleRetention, jobs),
        # Its own event store (stateless) rather than Ingestion's: the two containers would need each other.
        eraser=providers.Singleton(
            EventsEraserForSites,
            providers.Singleton(ClickHouseEventStore, clickhouse),
            providers.Singleton(RedisDataVersions, redis),
            providers.Singleton(RedisSiteForgetting, redis),
            providers.Singleton(PsycopgApiKeyRepository, pool=postgres),
            audit_log,
        ),
    )
    identity = providers.Container(
        IdentityContainer,
        postgres=postgres,
        redis=redis,
        clock=clock,
        audit=audit_log,
        open_registration=providers.Callable(lambda s: s.registration == "open", settings),
        site_ownership=providers.Singleton(SitesForIdentity, sites.sites),
        site_facts=providers.Singleton(SiteFactsForIdentity, sites.sites, sites.definitions),
        secret=providers.Callable(lambda s: s.secret_key.encode(), settings),
        smtp_url=settings.provided.smtp_url,
        mail_from=settings.provided.mail_from,
        base_url=settings.provided.base_url,
    )
    ingestion = providers.Container(
        IngestionContainer,
        redis=redis,
        clickhouse=clickhouse,
        site_directory=providers.Singleton(SitesForIngestion, sites.sites),
        clock=clock,
        geoip_db=settings.provided.geoip_db,
        max_backlog=settings.provided.ingest_max_backlog,
        ip_limit=settings.provided.ingest_ip_limit,
        site_limit=settings.provided.ingest_site_limit,
        person_key=person_key,
    )
    analytics = providers.Container(
        AnalyticsContainer,
        clickhouse=clickhouse,
        redis=redis,
        clock=clock,
        sites=providers.Singleton(SitesForAnalytics, sites.sites, sites.definitions),
    )
    reporting = providers.Container(
        ReportingContainer,
        postgres=postgres,
        redis=redis,
        clickhouse=clickhouse,
        jobs=jobs,
        clock=clock,
        person_ids=providers.Singleton(PersonIdsForReporting, person_key),
        site_teams=providers.Singleton(SitesForIdentity, sites.sites),
        audit=audit_log,
        stats=providers.Singleton(StatsForReporting, analytics.run_query),
        periods=providers.Singleton(PeriodsForReporting, sites.sites, clock),
        sites=providers.Singleton(SitesForReporting, sites.sites),
        people=providers.Singleton(PeopleForReporting, providers.Singleton(PsycopgUserRepository, postgres)),
        secret=providers.Callable(
            lambda s: hashlib.sha256(b"report links:" + s.secret_key.encode()).digest(), settings
        ),
        smtp_url=settings.provided.smtp_url,
        mail_from=settings.provided.mail_from,
        base_url=settings.provided.base_url,
        private_webhooks=settings.provided.private_webhooks,
        versions=providers.Singleton(RedisDataVersions, redis),
        country_code=providers.Object(country_code_of),
    )
