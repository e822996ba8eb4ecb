"""Shared fixtures: one set of real embedded engines per test process (chDB allows one path per process),
and a fresh ClickHouse database, PostgreSQL database and empty Redis for each test that asks."""

from __future__ import annotations

import os
import shutil
import tempfile
import uuid
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import psycopg
import pytest
import redis

from fieldmark.bootstrap.engines import EmbeddedEngines, EngineUrls
from fieldmark.bootstrap.migrate import migrate_postgres
from fieldmark.bootstrap.settings import Settings, load_settings
from fieldmark.bootstrap.stores import ClickHousePool

BACKEND = Path(__file__).resolve().parents[1]
REPO = BACKEND.parents[1]


def short_tmpdir(prefix: str) -> Path:
    """Under /tmp, short enough for Unix socket paths (107 bytes)."""
    return Path(tempfile.mkdtemp(prefix=prefix, dir="/tmp"))


def noon_zone() -> str:
    """An IANA zone (Etc/GMT±N) whose local time is about 12:00 now: a site there cannot see "today"
    turn over while a test that reads today's events runs."""
    from datetime import UTC, datetime

    hours = 12 - datetime.now(UTC).hour  # -11 to 12; Etc/GMT-N is UTC+N
    return f"Etc/GMT-{hours}" if hours >= 0 else f"Etc/GMT+{-hours}"


def settings_for(data_dir: Path, **env: str) -> Settings:
    return load_settings({"FIELDMARK_DATA_DIR": str(data_dir), **env}, env_file=None)


@pytest.fixture(scope="session")
def engine_dir() -> Iterator[Path]:
    folder = short_tmpdir("fm-test-")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture(scope="session")
def engines(engine_dir: Path) -> Iterator[EngineUrls]:
    """Embedded PostgreSQL, Redis and a chDB path for this test process, started once."""
    engines = EmbeddedEngines(settings_for(engine_dir))
    urls = engines.start()
    yield urls
    engines.stop()


@pytest.fixture
def clickhouse(engines: EngineUrls) -> Iterator[ClickHousePool]:
    """A pool on a ClickHouse database of this test's own, dropped afterwards."""
    database = f"test_{uuid.uuid4().hex[:12]}"
    pool = ClickHousePool(engines.clickhouse_url, database, size=2)
    yield pool
    pool.run(lambda c: c.command(f"DROP DATABASE IF EXISTS `{database}`"))
    pool.close()


def fresh_postgres(server_url: str, name: str) -> str:
    """A new, migrated database `name` on the server: its URL. `drop_postgres` removes it."""
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    url = with_database(server_url, name)
    migrate_postgres(url)
    return url


def drop_postgres(server_url: str, name: str) -> None:
    with psycopg.connect(server_url, autocommit=True) as conn:
        conn.execute(f'DROP DATABASE "{name}" WITH (FORCE)')


@pytest.fixture
def postgres_url(engines: EngineUrls) -> Iterator[str]:
    """A fresh, migrated PostgreSQL database for this test."""
    name = f"test_{uuid.uuid4().hex[:12]}"
    yield fresh_postgres(engines.database_url, name)
    drop_postgres(engines.database_url, name)


def with_database(url: str, name: str) -> str:
    """The same server, another database: pgserver's URIs keep the socket dir in the query string."""
    head, _, query = url.partition("?")
    base = head.rsplit("/", 1)[0]
    return f"{base}/{name}" + (f"?{query}" if query else "")


@pytest.fixture
def redis_url(engines: EngineUrls) -> Iterator[str]:
    client = redis.Redis.from_url(engines.redis_url)
    client.flushall()
    yield engines.redis_url
    client.flushall()
    client.close()


@pytest.fixture
def test_urls(
    engines: EngineUrls, clickhouse: ClickHousePool, postgres_url: str, redis_url: str
) -> EngineUrls:
    """All three stores, isolated for this test."""
    return EngineUrls(engines.clickhouse_url, clickhouse.database, postgres_url, redis_url)


@pytest.fixture
def data_dir() -> Iterator[Path]:
    folder = short_tmpdir("fm-data-")
    yield folder
    shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def cli_env(data_dir: Path) -> dict[str, str]:
    """The environment for a `fieldmark` subprocess: no inherited Fieldmark settings, its own data dir."""
    keep = {
        k: v
        for k, v in os.environ.items()
        if k
        not in {
            "DATABASE_URL",
            "REDIS_URL",
            "CLICKHOUSE_URL",
            "SECRET_KEY",
            "PORT",
            "HOST",
            "BASE_URL",
            "GEOIP_DB",
        }
    }
    return {**keep, "FIELDMARK_DATA_DIR": str(data_dir), "LOG_LEVEL": "info"}


@pytest.fixture
def fieldmark_bin() -> str:
    path = BACKEND / ".venv" / "bin" / "fieldmark"
    return str(path) if path.exists() else shutil.which("fieldmark") or "fieldmark"


def free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


class LiveServer:
    """An app under a real uvicorn server on a loopback port, in a thread of this test process."""

    def __init__(self, app: object) -> None:
        import threading

        import uvicorn

        self.port = free_port()
        self.url = f"http://127.0.0.1:{self.port}"
        config = uvicorn.Config(
            app,
            host="127.0.0.1",
            port=self.port,
            log_config=None,
            lifespan="on",  # type: ignore[arg-type]
            access_log=False,
        )
        self.server = uvicorn.Server(config)
        self.thread = threading.Thread(target=self.server.run, daemon=True)

    def __enter__(self) -> LiveServer:
        import time

        self.thread.start()
        deadline = time.monotonic() + 30
        while not self.server.started:
            if not self.thread.is_alive() or time.monotonic() > deadline:
                raise RuntimeError("the test server did not start")
            time.sleep(0.02)
        return self

    def __exit__(self, *exc: object) -> None:
        self.server.should_exit = True
        self.thread.join(timeout=30)


def sign_up(client: Any, email: str) -> str:
    """Register the instance's first account on an httpx client (its cookie and CSRF header kept there)
    and return the id of its team."""
    signed = client.post("/api/auth/register", json={"email": email, "password": "a long passphrase"})
    assert signed.status_code == 201, signed.text
    client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
    return str(client.get("/api/teams").json()[0]["id"])


def wait_drained(base_url: str, timeout: float = 60) -> None:
    """Until the server's health is ok with nothing waiting in the stream or held by a writer: every
    accepted event is in ClickHouse."""
    import time

    import httpx

    deadline = time.monotonic() + timeout
    while True:
        health = httpx.get(f"{base_url}/api/health", timeout=10)
        ingestion = health.json().get("ingestion") or {}
        if health.status_code == 200 and not ingestion.get("backlog") and not ingestion.get("in_flight"):
            return
        assert time.monotonic() < deadline, health.text
        time.sleep(0.1)


def collect_pageview(
    base_url: str, domain: str, path: str, user_agent: str = "Mozilla/5.0 Firefox/121.0"
) -> int:
    """POST one pageview of `https://<domain><path>` to the collect endpoint; its status."""
    import json

    import httpx

    return httpx.post(
        f"{base_url}/api/event",
        content=json.dumps({"n": "pageview", "u": f"https://{domain}{path}", "d": domain}),
        headers={"Content-Type": "text/plain", "User-Agent": user_agent},
        timeout=30,
    ).status_code
