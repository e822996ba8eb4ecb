"""Reporting's container: it declares what it needs; bootstrap provides it."""

from typing import Any

from dependency_injector import containers, providers

from fieldmark.reporting.adapters.clickhouse_events import ClickHouseRawEvents
from fieldmark.reporting.adapters.clickhouse_persons import ClickHousePersonEvents
from fieldmark.reporting.adapters.clickhouse_retention import ClickHouseRetention
from fieldmark.reporting.application.exports import ExportEvents, ExportView
from fieldmark.reporting.application.persons import PersonData
from fieldmark.reporting.application.retention import ApplyRetention, ScheduleRetention
from fieldmark.shared_kernel.clock import Clock


class ReportingContainer(containers.DeclarativeContainer):
    postgres: providers.Dependency[Any] = providers.Dependency()  # typed when its adapters land
    redis: providers.Dependency[Any] = providers.Dependency()  # typed when its adapters land
    clickhouse: providers.Dependency[Any] = providers.Dependency()  # bootstrap's ClickHousePool
    jobs: providers.Dependency[Any] = providers.Dependency()  # bootstrap's JobQueue
    clock: providers.Dependency[Clock] = providers.Dependency()

    person_ids: providers.Dependency[Any] = providers.Dependency()  # Ingestion's hashing of person ids
    site_teams: providers.Dependency[Any] = providers.Dependency()  # over the Sites context
    audit: providers.Dependency[Any] = providers.Dependency()  # AuditTrail, kept by Identity
    stats: providers.Dependency[Any] = providers.Dependency()  # the Stats API, over Analytics
    periods: providers.Dependency[Any] = providers.Dependency()  # date ranges in a site's zone

    export_view = providers.Singleton(ExportView, stats=stats)
    export_events = providers.Singleton(
        ExportEvents, periods=periods, events=providers.Singleton(ClickHouseRawEvents, clickhouse)
    )

    schedule_retention = providers.Singleton(ScheduleRetention, jobs=jobs)
    persons = providers.Singleton(
        PersonData,
        ids=person_ids,
        events=providers.Singleton(ClickHousePersonEvents, clickhouse),
        sites=site_teams,
        audit=audit,
    )
    apply_retention = providers.Singleton(
        ApplyRetention, store=providers.Singleton(ClickHouseRetention, clickhouse), clock=clock
    )
