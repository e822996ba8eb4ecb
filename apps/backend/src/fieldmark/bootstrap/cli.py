"""The `fieldmark` command: run the whole product or one role, migrate, create the first admin."""

from __future__ import annotations

import argparse
import asyncio
import getpass
import logging
import os
import signal
import sys
import warnings
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from uuid import UUID

from fieldmark.bootstrap.container import AppContainer, resolved
from fieldmark.bootstrap.engines import EmbeddedEngines, EngineUrls
from fieldmark.bootstrap.migrate import migrate_clickhouse, migrate_postgres
from fieldmark.bootstrap.roles import ALL_ROLES, Role, uses_clickhouse
from fieldmark.bootstrap.settings import SETTINGS, ConfigError, Settings, load_settings
from fieldmark.bootstrap.stores import check_postgres, check_redis
from fieldmark.shared_kernel.errors import ApplicationError

log = logging.getLogger("fieldmark")


def main(argv: list[str] | None = None) -> int:
    args = _parser().parse_args(argv)
    if args.command == "settings":
        print(settings_table())
        return 0
    if args.command == "openapi":
        print(openapi_json())
        return 0
    signal.signal(signal.SIGTERM, _exit_on_sigterm)  # unwinds the engines even before the server runs
    try:
        settings = load_settings()
        _configure_logging(settings.log_level)
        command = args.command
        if command == "run":
            extra = args.collectors if args.collectors is not None else settings.collect_processes
            return _serve(settings, ALL_ROLES, collectors=max(0, extra))
        if command in ("collect", "api", "worker", "scheduler"):
            _require_servers(settings, command)
            return _serve(settings, frozenset({Role(command)}))
        if command == "serve":
            try:
                roles = frozenset(Role(r.strip()) for r in args.roles.split(",") if r.strip())
            except ValueError:
                raise ConfigError("--roles", "roles are collect, api, worker and scheduler") from None
            if not roles:
                raise ConfigError("--roles", "name at least one role")
            _require_servers(settings, "serve")
            return _serve(settings, roles)
        if command == "backup":
            from fieldmark.bootstrap.backup import backup

            size = backup(settings.data_dir, args.to)
            print(f"fieldmark: {settings.data_dir} backed up to {args.to} ({size:,} bytes)")
            return 0
        if command == "restore":
            from fieldmark.bootstrap.backup import restore

            restore(args.archive, settings.data_dir, force=args.force)
            print(f"fieldmark: {args.archive} restored into {settings.data_dir}")
            return 0
        if command == "migrate":
            with _prepared(settings, ALL_ROLES):
                print("fieldmark: migrations applied")
            return 0
        if command == "create-admin":
            return _create_admin(settings, args)
        if command == "create-site":
            return _create_site(settings, args)
        if command == "demo":
            return _demo(settings, args)
    except ConfigError as exc:
        print(f"fieldmark: {exc}", file=sys.stderr)
        return 2
    except ApplicationError as exc:
        print(f"fieldmark: {exc.detail}", file=sys.stderr)
        return 1
    except KeyboardInterrupt:
        return 130
    return 2


def _parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="fieldmark", description="Privacy-first web and product analytics.")
    sub = parser.add_subparsers(dest="command", required=True, metavar="COMMAND")
    run = sub.add_parser("run", help="every role in one process, on embedded engines unless URLs are set")
    run.add_argument(
        "--collectors",
        type=int,
        default=None,
        metavar="N",
        help="extra collect processes on the same port (default: COLLECT_PROCESSES)",
    )
    sub.add_parser(
        "collect", help="only the collect endpoint and tracker script (needs DATABASE_URL, REDIS_URL)"
    )
    sub.add_parser("api", help="only the dashboard, stats and settings API (needs DATABASE_URL, REDIS_URL)")
    sub.add_parser(
        "worker", help="only the stream writer and background jobs (needs DATABASE_URL, REDIS_URL)"
    )
    sub.add_parser(
        "scheduler",
        help="only the periodic jobs' ticks, enqueued for workers (needs DATABASE_URL, REDIS_URL)",
    )
    serve = sub.add_parser(
        "serve", help="the roles named, in one process, against servers (needs DATABASE_URL, REDIS_URL)"
    )
    serve.add_argument(
        "--roles", required=True, help="comma-separated: collect, api, worker, scheduler (e.g. api,collect)"
    )
    saved = sub.add_parser(
        "backup", help="archive the embedded data directory (Fieldmark stopped) to a .tar.gz"
    )
    saved.add_argument("--to", required=True, type=Path, metavar="FILE")
    back = sub.add_parser(
        "restore", help="put a backup archive back into the data directory (Fieldmark stopped)"
    )
    back.add_argument("archive", type=Path)
    back.add_argument("--force", action="store_true", help="replace a data directory that holds data")
    sub.add_parser("migrate", help="apply pending PostgreSQL and ClickHouse migrations, then exit")
    admin = sub.add_parser("create-admin", help="create an instance administrator account")
    admin.add_argument("--email", required=True)
    admin.add_argument("--name", default="")
    admin.add_argument("--password-stdin", action="store_true", help="read the password from standard input")
    site = sub.add_parser(
        "create-site",
        help="register a site (in the first admin's team, when there is one) to accept its events",
    )
    site.add_argument("--domain", required=True)
    site.add_argument("--name", default="")
    site.add_argument("--timezone", default="UTC")
    site.add_argument("--hostname", action="append", default=[], help="an allowed hostname (repeatable)")
    site.add_argument(
        "--exclude-ip", action="append", default=[], help="an IP or CIDR to ignore (repeatable)"
    )
    demo = sub.add_parser("demo", help="create a demo site and fill it with realistic generated traffic")
    demo.add_argument("--domain", default="demo.fieldmark.test")
    demo.add_argument("--events", type=int, default=300_000, help="about this many events (default 300,000)")
    demo.add_argument("--days", type=int, default=30, help="spread over this many days up to now")
    sub.add_parser("settings", help="print every setting as a Markdown table")
    sub.add_parser("openapi", help="print the OpenAPI schema of every route (no store is opened)")
    return parser


def settings_table() -> str:
    rows = ["| Variable | Default | Meaning |", "| --- | --- | --- |"]
    for s in SETTINGS:
        default = f"`{s.default}`" if s.default is not None else "unset"
        rows.append(f"| `{s.env}` | {default} | {s.description} |")
    return "\n".join(rows)


def openapi_json() -> str:
    import json

    from fieldmark.bootstrap.http import create_app

    app = create_app(AppContainer(), ALL_ROLES)  # stores open only on start-up, which never happens here
    return json.dumps(app.openapi_schema.to_schema(), indent=2, sort_keys=True) + "\n"


def _exit_on_sigterm(signum: int, frame: FrameType | None) -> None:
    raise SystemExit(128 + signum)


def _configure_logging(level: str) -> None:
    warnings.filterwarnings("ignore", message=".*XDG_RUNTIME_DIR.*")  # pgserver's socket dir fallback is fine
    import pgserver  # noqa: F401 - it calls logging.basicConfig on import; ours must come after

    logging.basicConfig(
        level=level.upper(),
        format="%(asctime)s %(levelname)-7s %(name)s: %(message)s",
        stream=sys.stderr,
        force=True,
    )  # force: pgserver configures logging on import
    for noisy in ("pgserver", "yoyo"):
        logging.getLogger(noisy).setLevel(max(logging.WARNING, logging.getLogger().level))


def _require_servers(settings: Settings, command: str) -> None:
    """A single role is for server mode: embedded engines belong to one `fieldmark run` process."""
    for name, value in (("DATABASE_URL", settings.database_url), ("REDIS_URL", settings.redis_url)):
        if value is None:
            raise ConfigError(
                name,
                f"`fieldmark {command}` runs against servers: set {name}, "
                "or use `fieldmark run` for the embedded engines",
            )


@contextmanager
def _prepared(settings: Settings, roles: frozenset[Role]) -> Iterator[AppContainer]:
    """Engines started (where embedded), reachable, migrated; a container wired to them.

    With no roles (a one-off command such as `create-admin`) only PostgreSQL is used."""
    with EmbeddedEngines(settings, clickhouse=uses_clickhouse(roles), redis=bool(roles)) as urls:
        check_postgres(urls.database_url)
        if roles:
            check_redis(urls.redis_url)
        container = _container(settings, urls)
        migrate_postgres(urls.database_url)
        if uses_clickhouse(roles):
            migrate_clickhouse(container.clickhouse(), settings.clickhouse_cluster)
        try:
            yield container
        finally:
            container.clickhouse.shutdown()  # async stores are closed by the loop that opened them


def _container(settings: Settings, urls: EngineUrls) -> AppContainer:
    return AppContainer(settings=settings, urls=urls)


def _serve(settings: Settings, roles: frozenset[Role], collectors: int = 0) -> int:
    import uvicorn

    from fieldmark.bootstrap.header_deadline import HeaderDeadlineProtocol
    from fieldmark.bootstrap.http import create_app
    from fieldmark.bootstrap.processes import (
        REUSE_PORT_ENV,
        CollectProcesses,
        listening_socket,
        unix_socket,
    )

    with _prepared(settings, roles) as container:
        app = create_app(
            container,
            roles,
            writers=settings.writers if Role.WORKER in roles else 0,
            stable_writer_names=roles == ALL_ROLES,
        )
        config = uvicorn.Config(
            app,
            host=settings.host,
            port=settings.port,
            log_config=None,
            access_log=False,
            server_header=False,
            proxy_headers=False,
            lifespan="on",
            timeout_graceful_shutdown=10,
            http=HeaderDeadlineProtocol,  # 408 for headers not complete within 10 s
        )
        server = uvicorn.Server(config)
        sockets = None
        children = None
        try:
            if collectors or os.environ.get(REUSE_PORT_ENV):
                sockets = [listening_socket(settings.host, settings.port, reuse_port=True)]
        except OSError as exc:
            raise ConfigError(
                "PORT", f"cannot listen on {settings.host}:{settings.port} ({exc.strerror})"
            ) from None
        if collectors:
            upstream = settings.data_dir / "api.sock"
            assert sockets is not None
            # The process that owns chDB and the writers stays off the public port: an insert holding
            # the GIL would stall the requests it serves. The collect processes take it all and pass the
            # rest (dashboard, API, health) to this process's Unix socket.
            sockets[0].close()
            sockets = [unix_socket(upstream)]
            children = CollectProcesses(collectors, container.urls(), upstream)
            children.start()
        log.info(
            "Fieldmark %s serving %s on %s%s",
            _version(),
            ", ".join(sorted(roles)),
            settings.base_url,
            f" with {collectors} extra collect process(es)" if collectors else "",
        )
        try:
            server.run(sockets=sockets)
        except SystemExit:
            # Before start-up: uvicorn could not bind. After it: the SIGTERM uvicorn re-raises once it
            # has shut down cleanly, which is the normal way to stop.
            if not server.started:
                raise ConfigError("PORT", f"cannot listen on {settings.host}:{settings.port}") from None
        finally:
            if children is not None:
                children.stop()
        if not server.started:
            raise ConfigError("PORT", f"cannot listen on {settings.host}:{settings.port}")
    log.info("Fieldmark stopped")
    return 0


def _create_admin(settings: Settings, args: argparse.Namespace) -> int:
    from fieldmark.identity.application.create_instance_admin import (
        CreateInstanceAdmin,
        CreateInstanceAdminCommand,
    )

    password = sys.stdin.readline().rstrip("\n") if args.password_stdin else getpass.getpass("Password: ")
    with _prepared(settings, frozenset()) as container:

        async def create() -> str:
            await resolved(container.postgres())
            try:
                use_case: CreateInstanceAdmin = await resolved(container.identity.create_instance_admin())
                user = await use_case.execute(
                    CreateInstanceAdminCommand(email=args.email, password=password, name=args.name)
                )
                return user.email
            finally:
                await resolved(container.shutdown_resources())

        email = asyncio.run(create())
    print(f"fieldmark: created instance admin {email}")
    return 0


async def _first_admin_team(container: AppContainer) -> UUID | None:
    """The team of the earliest instance admin: where sites made on the command line belong, so the
    admin sees them on signing in."""
    pool = await resolved(container.postgres())
    async with pool.connection() as conn:
        cursor = await conn.execute(
            "SELECT m.team_id FROM memberships m JOIN users u ON u.id = m.user_id"
            " WHERE u.is_instance_admin ORDER BY u.created_at, m.created_at LIMIT 1"
        )
        row = await cursor.fetchone()
    return row[0] if row else None


def _create_site(settings: Settings, args: argparse.Namespace) -> int:
    from fieldmark.sites.application.create_site import CreateSite, CreateSiteCommand

    with _prepared(settings, frozenset()) as container:

        async def create() -> str:
            try:
                command = CreateSiteCommand(
                    domain=args.domain,
                    name=args.name,
                    timezone=args.timezone,
                    allowed_hostnames=args.hostname,
                    excluded_ips=args.exclude_ip,
                    team_id=await _first_admin_team(container),
                )
                use_case: CreateSite = await resolved(container.sites.create_site())
                site = await use_case.execute(command)
                return f"{site.domain} (public key {site.public_key})"
            finally:
                await resolved(container.shutdown_resources())

        created = asyncio.run(create())
    print(f"fieldmark: created site {created}")
    return 0


def _demo(settings: Settings, args: argparse.Namespace) -> int:
    """A site for a newcomer to explore: in the team of the first instance admin when there is one (so
    it shows on their dashboard), with goals and a funnel, and `--events` of generated traffic."""
    from fieldmark.analytics.adapters.clickhouse_demo import DemoPlan, default_end, generate
    from fieldmark.shared_kernel.data_version import data_version_key
    from fieldmark.sites.application.create_site import CreateSite, CreateSiteCommand
    from fieldmark.sites.application.definitions import FunnelInput, Funnels, GoalInput, Goals

    if not 1 <= args.events <= 100_000_000 or not 1 <= args.days <= 3650:
        print("fieldmark: --events is 1 to 100,000,000 and --days 1 to 3650", file=sys.stderr)
        return 2
    with _prepared(settings, ALL_ROLES) as container:

        async def prepare() -> tuple[UUID, str, bool]:
            team_id = await _first_admin_team(container)
            sites = await resolved(container.sites.sites())
            existing = await sites.by_domain(args.domain)
            if existing is not None:
                return existing.id, existing.domain, False
            create: CreateSite = await resolved(container.sites.create_site())
            site = await create.execute(CreateSiteCommand(domain=args.domain, name="Demo", team_id=team_id))
            goals: Goals = await resolved(container.sites.goals())
            for goal in (
                GoalInput({"kind": "pageview", "path": "/pricing"}),
                GoalInput({"kind": "event", "event": "Signup"}),
                GoalInput({"kind": "event", "event": "Purchase"}, currency="EUR"),
            ):
                await goals.create(site.id, goal)
            funnels: Funnels = await resolved(container.sites.funnels())
            steps = [
                {"kind": "pageview", "path": "/"},
                {"kind": "pageview", "path": "/pricing"},
                {"kind": "event", "event": "Signup"},
                {"kind": "event", "event": "Purchase"},
            ]
            await funnels.create(site.id, FunnelInput("Visit to purchase", steps, 7 * 86400))
            return site.id, site.domain, True

        async def bump(site_id: UUID) -> None:
            redis = await resolved(container.redis())
            await redis.incr(data_version_key(site_id))
            await resolved(container.shutdown_resources())

        site_id, domain, created = asyncio.run(prepare())
        clickhouse = container.clickhouse()
        plan = DemoPlan(site_id, args.events, default_end(), args.days)
        count = clickhouse.run(lambda client: generate(client, plan, domain))
        asyncio.run(bump(site_id))
    print(f"fieldmark: {'created' if created else 'added to'} {domain}: {count:,} events in all")
    return 0


def _version() -> str:
    import fieldmark

    return fieldmark.__version__
