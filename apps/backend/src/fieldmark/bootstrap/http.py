"""The Litestar app factory: routes per role, stores opened at start-up, every error as problem+json."""

from __future__ import annotations

import asyncio
import gc
import logging
import os
import sys
from dataclasses import dataclass
from functools import partial
from http import HTTPStatus

import psycopg
from dependency_injector.errors import Error as DependencyError
from litestar import Litestar, Router
from litestar.exceptions import HTTPException
from litestar.openapi import OpenAPIConfig
from litestar.openapi.plugins import ScalarRenderPlugin
from litestar.plugins.problem_details import (
    ProblemDetailsConfig,
    ProblemDetailsException,
    ProblemDetailsPlugin,
)
from litestar.types import ControllerRouterHandler

import fieldmark
from fieldmark.analytics.adapters.http.heatmap_controller import HeatmapController
from fieldmark.analytics.adapters.http.query_controller import QueryController
from fieldmark.analytics.application.heatmap import Heatmap
from fieldmark.analytics.application.journeys import Journeys
from fieldmark.analytics.application.realtime import Realtime
from fieldmark.analytics.application.retention import Retention
from fieldmark.analytics.application.run_funnel import RunFunnel
from fieldmark.analytics.application.run_query import RunQuery
from fieldmark.bootstrap.authorization import authorize
from fieldmark.bootstrap.background import BackgroundServices
from fieldmark.bootstrap.container import AppContainer, resolved
from fieldmark.bootstrap.engines import EngineUrls
from fieldmark.bootstrap.health import HealthController, Probe, liveness
from fieldmark.bootstrap.heatmap_cors import heatmap_cors
from fieldmark.bootstrap.job_handlers import declare_jobs
from fieldmark.bootstrap.jobs import JobWorker
from fieldmark.bootstrap.openapi_problems import document_problems
from fieldmark.bootstrap.processes import UPSTREAM_ENV, upstream_proxy
from fieldmark.bootstrap.roles import Role, uses_clickhouse
from fieldmark.bootstrap.scheduler import Scheduler
from fieldmark.bootstrap.security_headers import security_headers
from fieldmark.bootstrap.static import dashboard_index, dashboard_route, tracker_files
from fieldmark.bootstrap.stores import probe_clickhouse, probe_postgres, probe_redis
from fieldmark.identity.adapters.http.admin_controller import AdminController
from fieldmark.identity.adapters.http.api_keys_controller import ApiKeysController
from fieldmark.identity.adapters.http.audit_controller import AuditController
from fieldmark.identity.adapters.http.auth_controller import AuthController, IdentityState
from fieldmark.identity.adapters.http.heatmap_token_controller import HeatmapTokenController
from fieldmark.identity.adapters.http.invitations_controller import InvitationsController
from fieldmark.identity.adapters.http.members_controller import MembersController
from fieldmark.identity.adapters.http.shared_links_controller import SharedLinksController
from fieldmark.identity.adapters.http.teams_controller import TeamsController
from fieldmark.identity.adapters.http.two_factor_controller import TwoFactorController
from fieldmark.ingestion.adapters.http.collect_asgi import collect_endpoint, document
from fieldmark.ingestion.adapters.redis_stream import stream_status
from fieldmark.ingestion.application.collect_events import CollectEvents
from fieldmark.ingestion.application.ports import SiteDirectory
from fieldmark.reporting.adapters.http.exports_controller import ExportsController
from fieldmark.reporting.adapters.http.imports_controller import ImportsController
from fieldmark.reporting.adapters.http.persons_controller import PersonsController
from fieldmark.reporting.adapters.http.reports_controller import ReportsController
from fieldmark.reporting.application.alerts import Alerts
from fieldmark.reporting.application.digests import Digests
from fieldmark.reporting.application.exports import ExportEvents, ExportView
from fieldmark.reporting.application.imports import Imports
from fieldmark.reporting.application.persons import PersonData
from fieldmark.shared_kernel import errors
from fieldmark.shared_kernel.access import PUBLIC, access
from fieldmark.shared_kernel.net import Network, host_of_origin, parse_networks
from fieldmark.sites.adapters.http.definitions_controller import (
    FunnelsController,
    GoalsController,
    SegmentsController,
)
from fieldmark.sites.adapters.http.sites_controller import SitesController
from fieldmark.sites.application.create_site import CreateSite
from fieldmark.sites.application.definitions import Funnels, Goals, Segments
from fieldmark.sites.application.edit_site import EditSite
from fieldmark.sites.application.manage_sites import DeleteSite, GetSite, ListSites, ResetSiteData

log = logging.getLogger(__name__)

# The one place where application errors become HTTP statuses.
STATUS_OF: dict[type[errors.ApplicationError], int] = {
    errors.InvalidInput: 400,
    errors.Unauthenticated: 401,
    errors.PermissionDenied: 403,
    errors.NotFound: 404,
    errors.Conflict: 409,
    errors.Gone: 410,
    errors.RateLimited: 429,
    errors.StoreUnavailable: 503,
}


def _application_problem(exc: errors.ApplicationError) -> ProblemDetailsException:
    status = next((code for kind, code in STATUS_OF.items() if isinstance(exc, kind)), 400)
    extra = {"field": exc.field} if exc.field else None
    retry_after = getattr(exc, "retry_after", 5 if status == 503 else None)
    headers = {"Retry-After": str(retry_after)} if retry_after is not None else None
    return ProblemDetailsException(
        status_code=status, title=_title(status), detail=exc.detail, extra=extra, headers=headers
    )


def _http_problem(exc: HTTPException) -> ProblemDetailsException:
    extra = exc.extra if exc.extra else None
    return ProblemDetailsException(
        status_code=exc.status_code,
        title=_title(exc.status_code),
        detail=exc.detail,
        extra=extra,
        headers=exc.headers,
    )


def _data_problem(exc: psycopg.DataError) -> ProblemDetailsException:
    """A value PostgreSQL cannot hold (text with NUL) that no use case rule caught first: the caller's
    input, so 400, not 500. Any other data error is unexpected."""
    if "NUL" not in str(exc) and not isinstance(exc, psycopg.errors.UntranslatableCharacter):
        return _unexpected_problem(exc)
    return ProblemDetailsException(
        status_code=400, title=_title(400), detail="text values cannot contain NUL characters"
    )


def _encoding_problem(exc: UnicodeDecodeError) -> ProblemDetailsException:
    """A JSON body whose strings are not UTF-8: msgspec raises this rather than a decode error."""
    return ProblemDetailsException(
        status_code=400, title=_title(400), detail="malformed JSON: a string is not valid UTF-8"
    )


def _nesting_problem(exc: RecursionError) -> ProblemDetailsException:
    """A JSON body nested deeper than Python's stack: msgspec raises RecursionError while decoding it."""
    if "deserializing" not in str(exc):
        return _unexpected_problem(exc)  # our own runaway recursion: a bug, logged
    return ProblemDetailsException(
        status_code=400, title=_title(400), detail="malformed JSON: nested too deeply"
    )


def _unexpected_problem(exc: Exception) -> ProblemDetailsException:
    """Anything unplanned: logged with its traceback here, never shown to the caller."""
    log.error("unhandled error", exc_info=exc)
    return ProblemDetailsException(
        status_code=500,
        title="Internal Server Error",
        detail="An unexpected error occurred; it has been logged.",
    )


def _title(status: int) -> str:
    try:
        return _TITLES.get(status) or HTTPStatus(status).phrase
    except ValueError:
        return "Error"


_TITLES = {413: "Content Too Large"}  # RFC 9110's name; Python 3.11 says "Request Entity Too Large"


@dataclass(frozen=True)
class IngestionState:
    """What the collect endpoint needs, resolved once at start-up rather than per request."""

    collect: CollectEvents
    sites: SiteDirectory
    trusted_proxies: tuple[Network, ...]


@dataclass(frozen=True)
class AnalyticsState:
    run_query: RunQuery
    run_funnel: RunFunnel
    realtime: Realtime
    journeys: Journeys
    heatmap: Heatmap
    retention: Retention


@dataclass
class ReportingState:
    persons: PersonData
    export_view: ExportView
    export_events: ExportEvents
    digests: Digests
    alerts: Alerts
    imports: Imports


@dataclass(frozen=True)
class SitesState:
    list: ListSites
    create: CreateSite
    get: GetSite
    delete: DeleteSite
    reset: ResetSiteData
    edit: EditSite
    goals: Goals
    funnels: Funnels
    segments: Segments
    base_url: str


def _https(container: AppContainer) -> bool:
    try:
        return bool(container.settings().base_url.startswith("https://"))
    except DependencyError:
        return False


def _urls_of(container: AppContainer) -> EngineUrls | None:
    """None for an app built only to print its OpenAPI schema, with no stores behind it."""
    try:
        return container.urls()
    except DependencyError:
        return None


def create_app(
    container: AppContainer, roles: frozenset[Role], *, writers: int = 0, stable_writer_names: bool = False
) -> Litestar:
    """The HTTP app for a process with the given roles, its stores opened on start-up; with the worker
    role, `writers` stream writer tasks run beside it."""
    probes: dict[str, Probe] = {}
    queue = container.jobs() if _urls_of(container) is not None else None
    if queue is not None:
        declare_jobs(container, queue)
    jobs = JobWorker(queue) if queue is not None and Role.WORKER in roles else None
    scheduler = None
    if queue is not None and Role.SCHEDULER in roles:
        scheduler = Scheduler(queue, container.urls().redis_url)
    services = BackgroundServices(
        container, writers, stable_names=stable_writer_names, jobs=jobs, scheduler=scheduler
    )

    async def open_stores(app: Litestar) -> None:
        postgres = await resolved(container.postgres())
        redis = await resolved(container.redis())
        probes["postgres"] = partial(probe_postgres, postgres)
        probes["redis"] = partial(probe_redis, redis)
        app.state.stream_status = partial(stream_status, redis)
        if uses_clickhouse(roles):
            clickhouse = await asyncio.to_thread(container.clickhouse)
            probes["clickhouse"] = partial(probe_clickhouse, clickhouse)
        if Role.COLLECT in roles:
            settings = container.settings()
            app.state.ingestion = IngestionState(
                collect=await resolved(container.ingestion.collect_events()),
                sites=await resolved(container.ingestion.sites()),
                trusted_proxies=parse_networks(settings.trusted_proxies),
            )
        if Role.API in roles:
            settings = container.settings()
            app.state.identity = IdentityState(
                register=await resolved(container.identity.register_account()),
                log_in=await resolved(container.identity.log_in()),
                current_user=await resolved(container.identity.current_user()),
                log_out=await resolved(container.identity.log_out()),
                authorize=await resolved(container.identity.authorize()),
                list_teams=await resolved(container.identity.list_teams()),
                create_team=await resolved(container.identity.create_team()),
                invitations=await resolved(container.identity.invitations()),
                members=await resolved(container.identity.members()),
                passwords=await resolved(container.identity.passwords()),
                two_factor=await resolved(container.identity.two_factor()),
                api_keys=await resolved(container.identity.api_keys()),
                audit=await resolved(container.identity.read_audit_log()),
                shared_links=await resolved(container.identity.shared_links()),
                team_settings=await resolved(container.identity.team_settings()),
                instance_overview=await resolved(container.identity.instance_overview()),
                heatmap_tokens=await resolved(container.identity.heatmap_tokens()),
                secure_cookies=settings.base_url.startswith("https://"),
                secret=settings.secret_key.encode(),
                trusted_proxies=parse_networks(settings.trusted_proxies),
            )
        if Role.API in roles:
            app.state.sites = SitesState(
                list=await resolved(container.sites.list_sites()),
                create=await resolved(container.sites.create_site()),
                get=await resolved(container.sites.get_site()),
                delete=await resolved(container.sites.delete_site()),
                reset=await resolved(container.sites.reset_site_data()),
                edit=await resolved(container.sites.edit_site()),
                goals=await resolved(container.sites.goals()),
                funnels=await resolved(container.sites.funnels()),
                segments=await resolved(container.sites.segments()),
                base_url=container.settings().base_url,
            )
            app.state.reporting = ReportingState(
                persons=await resolved(container.reporting.persons()),
                export_view=await resolved(container.reporting.export_view()),
                export_events=await resolved(container.reporting.export_events()),
                digests=await resolved(container.reporting.digests()),
                alerts=await resolved(container.reporting.alerts()),
                imports=await resolved(container.reporting.imports()),
            )
            app.state.analytics = AnalyticsState(
                run_query=await resolved(container.analytics.run_query()),
                run_funnel=await resolved(container.analytics.run_funnel()),
                realtime=await resolved(container.analytics.realtime()),
                journeys=await resolved(container.analytics.journeys()),
                heatmap=await resolved(container.analytics.heatmap()),
                retention=await resolved(container.analytics.retention()),
            )
        if (Role.WORKER in roles and (writers or jobs)) or scheduler is not None:
            await services.start()
        # Objects made at start-up live as long as the process: keep them out of the cyclic collector's
        # full passes, and collect the young generation less often, so collections pause requests less.
        gc.collect()
        gc.freeze()
        gc.set_threshold(50_000, 20, 50)
        # ClickHouse answers in a worker thread (chDB has no async client): hand the GIL back to the event
        # loop sooner than the default 5 ms, which otherwise adds milliseconds to every statistics answer
        # (docs/benchmarks.md, query API overhead).
        sys.setswitchinterval(0.0005)

    async def close_stores(app: Litestar) -> None:
        await services.stop()
        await resolved(container.shutdown_resources())

    upstream = os.environ.get(UPSTREAM_ENV)
    # `fieldmark openapi` builds the app without settings; the tracker's routes are not in the schema.
    tracker = tracker_files(container.settings().tracker_aliases if container.settings.is_defined else "")
    handlers: list[ControllerRouterHandler] = [liveness]
    proxied = upstream is not None and roles == {Role.COLLECT}
    if upstream is not None and proxied:
        # An extra collect process of `fieldmark run`: the main process answers everything else.
        handlers += [
            tracker_files(container.settings().tracker_aliases),
            collect_endpoint,
            upstream_proxy(upstream, parse_networks(container.settings().trusted_proxies)),
        ]
    else:
        handlers.append(HealthController)
    if Role.COLLECT in roles and not upstream:
        handlers += [tracker, collect_endpoint]
    if Role.API in roles:
        handlers.extend(
            [
                AuthController,
                TeamsController,
                MembersController,
                ApiKeysController,
                TwoFactorController,
                InvitationsController,
                AuditController,
                AdminController,
                HeatmapTokenController,
                SharedLinksController,
                SitesController,
                GoalsController,
                FunnelsController,
                SegmentsController,
                QueryController,
                HeatmapController,
                PersonsController,
                ExportsController,
                ReportsController,
                ImportsController,
                dashboard_index,
                dashboard_route,
            ]
        )

    app = Litestar(
        route_handlers=handlers,
        on_startup=[open_stores],
        on_shutdown=[close_stores],
        guards=[authorize],  # the one guard: every route declares its access (shared_kernel.access)
        middleware=[heatmap_cors],  # the overlay reads heatmaps from the site's own pages
        before_send=[security_headers(_https(container))],
        plugins=[
            ProblemDetailsPlugin(
                ProblemDetailsConfig(
                    enable_for_all_http_exceptions=True,
                    exception_to_problem_detail_map={
                        errors.ApplicationError: _application_problem,
                        HTTPException: _http_problem,
                        psycopg.DataError: _data_problem,
                        UnicodeDecodeError: _encoding_problem,
                        RecursionError: _nesting_problem,
                        Exception: _unexpected_problem,
                    },
                )
            )
        ],
        openapi_config=None
        if proxied
        else OpenAPIConfig(
            title="Fieldmark API",
            version=fieldmark.__version__,
            description="Privacy-first web and product analytics. Errors are RFC 9457 problem+json.",
            path="/api/docs",
            openapi_router=Router(
                "/api/docs", route_handlers=[], include_in_schema=False, opt=access(PUBLIC)
            ),
            render_plugins=[ScalarRenderPlugin()],
        ),
        debug=False,
        logging_config=None,  # the CLI configures logging once for every library
    )
    if not proxied:
        if Role.COLLECT in roles:
            document(app.openapi_schema)
        document_problems(app.openapi_schema)
    app.state.probes = probes
    if container.settings.is_defined:
        app.state.own_host = host_of_origin(container.settings().base_url)  # for the same-origin checks
    app.state.roles = {role.value for role in roles}
    app.state.container = container
    return app
