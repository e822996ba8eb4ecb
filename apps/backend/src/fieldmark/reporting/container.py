"""Reporting's container: it declares what it needs; bootstrap provides it."""

from typing import Any

from dependency_injector import containers, providers

from fieldmark.reporting.adapters.clickhouse_events import ClickHouseRawEvents
from fieldmark.reporting.adapters.clickhouse_imported import ClickHouseImportedRows
from fieldmark.reporting.adapters.clickhouse_persons import ClickHousePersonEvents
from fieldmark.reporting.adapters.clickhouse_retention import ClickHouseRetention
from fieldmark.reporting.adapters.mail import ConsoleReportMailer, JinjaDigestComposer, SmtpReportMailer
from fieldmark.reporting.adapters.postgres_reports import (
    PsycopgAlerts,
    PsycopgImportLog,
    PsycopgSubscriptions,
)
from fieldmark.reporting.adapters.webhooks import HttpWebhooks
from fieldmark.reporting.application.alerts import Alerts, CheckAlerts
from fieldmark.reporting.application.digests import Digests, SendDueDigests
from fieldmark.reporting.application.exports import ExportEvents, ExportView
from fieldmark.reporting.application.imports import Imports
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

    sites: providers.Dependency[Any] = providers.Dependency()  # SiteInfo over the Sites context
    people: providers.Dependency[Any] = providers.Dependency()  # People over the Identity context
    secret: providers.Dependency[bytes] = providers.Dependency(instance_of=bytes)  # signs unsubscribe links
    smtp_url: providers.Dependency[Any] = providers.Dependency()  # None: print emails on the console
    mail_from: providers.Dependency[str] = providers.Dependency(instance_of=str)
    base_url: providers.Dependency[str] = providers.Dependency(instance_of=str)
    private_webhooks: providers.Dependency[bool] = providers.Dependency(instance_of=bool)

    mailer = providers.Singleton(
        lambda url, sender: SmtpReportMailer(url, sender) if url else ConsoleReportMailer(sender),
        smtp_url,
        mail_from,
    )
    subscriptions = providers.Singleton(PsycopgSubscriptions, postgres)
    alert_store = providers.Singleton(PsycopgAlerts, postgres)
    digests = providers.Singleton(Digests, store=subscriptions, secret=secret)
    send_digests = providers.Singleton(
        SendDueDigests,
        store=subscriptions,
        stats=stats,
        sites=sites,
        people=people,
        composer=providers.Singleton(JinjaDigestComposer),
        mailer=mailer,
        secret=secret,
        base_url=base_url,
    )
    alerts = providers.Singleton(Alerts, store=alert_store, allow_private_webhooks=private_webhooks)
    check_alerts = providers.Singleton(
        CheckAlerts,
        store=alert_store,
        stats=stats,
        sites=sites,
        mailer=mailer,
        webhooks=providers.Singleton(HttpWebhooks, private_webhooks),
        base_url=base_url,
    )
    versions: providers.Dependency[Any] = providers.Dependency()  # the sites' data versions (cache)
    country_code: providers.Dependency[Any] = providers.Dependency()  # a country's name to its ISO code

    imports = providers.Singleton(
        Imports,
        rows=providers.Singleton(ClickHouseImportedRows, clickhouse),
        log=providers.Singleton(PsycopgImportLog, postgres),
        versions=versions,
        country_code=country_code,
    )
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
