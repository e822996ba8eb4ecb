"""PostgreSQL away: the collect endpoint keeps accepting events for sites it has cached (for the cache's
30 seconds), the dashboard's API answers 503 naming PostgreSQL, health says which store is down; when
PostgreSQL is back everything answers again, and every accepted event is in ClickHouse once."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import httpx
import pgserver

from fieldmark.bootstrap.container import AppContainer
from fieldmark.bootstrap.engines import EngineUrls
from fieldmark.bootstrap.http import create_app
from fieldmark.bootstrap.migrate import migrate_clickhouse, migrate_postgres
from fieldmark.bootstrap.roles import ALL_ROLES
from fieldmark.bootstrap.stores import ClickHousePool
from tests.conftest import LiveServer, collect_pageview, settings_for, short_tmpdir, sign_up


def test_postgres_away_keeps_ingestion_going_and_the_dashboard_says_why(
    test_urls: EngineUrls, data_dir: Path, clickhouse: ClickHousePool
) -> None:
    migrate_clickhouse(clickhouse)
    folder = short_tmpdir("fm-pgdown-")
    postgres = pgserver.get_server(folder, cleanup_mode="stop")
    try:
        database_url = postgres.get_uri()
        migrate_postgres(database_url)
        urls = EngineUrls(
            test_urls.clickhouse_url, test_urls.clickhouse_database, database_url, test_urls.redis_url
        )
        app = create_app(AppContainer(settings=settings_for(data_dir), urls=urls), ALL_ROLES, writers=1)
        with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:
            team = sign_up(client, "pg@example.com")
            assert (
                client.post(f"/api/teams/{team}/sites", json={"domain": "pgdown.example"}).status_code == 201
            )

            def collect(path: str) -> int:
                return collect_pageview(server.url, "pgdown.example", path)

            assert collect("/before") == 202  # the collect endpoint now has the site cached

            postgres.cleanup()  # PostgreSQL stops
            assert collect("/during") == 202
            down = client.get("/api/teams")
            assert down.status_code == 503
            assert down.headers["content-type"].startswith("application/problem+json")
            assert "PostgreSQL" in down.json()["detail"]
            health = httpx.get(f"{server.url}/api/health")
            assert health.status_code == 503
            assert health.json()["stores"]["postgres"]["status"] != "ok"

            pgserver.get_server(folder, cleanup_mode="stop")  # back, with the same data
            deadline = time.monotonic() + 30
            while client.get("/api/teams").status_code != 200:
                assert time.monotonic() < deadline, "the API did not recover"
                time.sleep(0.2)
            assert collect("/after") == 202
            deadline = time.monotonic() + 30
            while True:
                rows = clickhouse.run(
                    lambda c: (
                        c.query(
                            "SELECT pathname, count() FROM events GROUP BY pathname ORDER BY pathname"
                        ).result_rows
                    )
                )
                if len(rows) == 3 or time.monotonic() > deadline:
                    break
                time.sleep(0.1)
            assert rows == [("/after", 1), ("/before", 1), ("/during", 1)]
    finally:
        pgserver.get_server(folder, cleanup_mode="stop").cleanup()
        shutil.rmtree(folder, ignore_errors=True)
