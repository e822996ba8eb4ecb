"""Data retention through the HTTP API and the job worker: a site's new period deletes its events older
than it (ClickHouse's TTL, materialized by the job), keeps newer ones and other sites' events, and is
stamped on events collected afterwards."""

from __future__ import annotations

import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx

from fieldmark.bootstrap.container import AppContainer
from fieldmark.bootstrap.engines import EngineUrls
from fieldmark.bootstrap.http import create_app
from fieldmark.bootstrap.migrate import migrate_clickhouse
from fieldmark.bootstrap.roles import ALL_ROLES
from fieldmark.bootstrap.stores import ClickHousePool
from tests.conftest import LiveServer, collect_pageview, settings_for, sign_up

AGES = (400, 40, 29, 10, 0)  # days before now of each site's stored pageviews


def _wait(condition: Callable[[], bool], what: str, seconds: float = 30) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.1)


def test_a_retention_period_deletes_older_events_and_stamps_new_ones(
    test_urls: EngineUrls, data_dir: Path, clickhouse: ClickHousePool
) -> None:
    migrate_clickhouse(clickhouse)
    app = create_app(AppContainer(settings=settings_for(data_dir), urls=test_urls), ALL_ROLES, writers=1)
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        team = sign_up(client, "ret@example.com")
        short = client.post(f"/api/teams/{team}/sites", json={"domain": "short.example"}).json()
        other = client.post(f"/api/teams/{team}/sites", json={"domain": "other.example"}).json()
        assert short["retention_days"] == 0  # kept for ever by default

        now = datetime.now(UTC)
        rows = [
            [
                uuid.uuid4(),
                uuid.UUID(site["id"]),
                now - timedelta(days=age),
                "pageview",
                "pageview",
                f"/{age}",
            ]
            for site in (short, other)
            for age in AGES
        ]
        clickhouse.run(
            lambda c: c.insert(
                "events", rows, column_names=["event_id", "site_id", "timestamp", "kind", "name", "pathname"]
            )
        )

        def stored(site: dict[str, str]) -> list[tuple[str, int]]:
            return clickhouse.run(
                lambda c: (
                    c.query(
                        "SELECT pathname, retention_days FROM events WHERE site_id = {s:UUID}"
                        " ORDER BY toUInt32OrZero(substring(pathname, 2)) DESC",
                        parameters={"s": site["id"]},
                    ).result_rows
                )
            )

        for bad in (3, 5000, -1):
            refused = client.patch(f"/api/sites/{short['id']}", json={"retention_days": bad})
            assert refused.status_code == 400
            assert refused.json()["field"] == "retention_days"
        changed = client.patch(f"/api/sites/{short['id']}", json={"retention_days": 30})
        assert changed.status_code == 200
        assert changed.json()["retention_days"] == 30

        # The job deletes what is older than 30 days and stamps the rest; the other site is untouched.
        # (While the job runs, part of the data may already be done: wait for all of it.)
        _wait(lambda: stored(short) == [("/29", 30), ("/10", 30), ("/0", 30)], "the job to apply 30 days")
        assert stored(other) == [(f"/{age}", 0) for age in AGES]
        assert client.get(f"/api/sites/{short['id']}").json()["retention_days"] == 30

        # Events collected from now on carry the period.
        assert collect_pageview(server.url, "short.example", "/new") == 202
        _wait(lambda: ("/new", 30) in stored(short), "the collected event")

        # Shorter again, then for ever: the period only ever deletes what it has outlived.
        assert client.patch(f"/api/sites/{short['id']}", json={"retention_days": 7}).status_code == 200
        _wait(
            lambda: (
                [p for p, _ in stored(short)] == ["/0", "/new"]
                or [p for p, _ in stored(short)] == ["/new", "/0"]
            ),
            "7 days",
        )
        assert client.patch(f"/api/sites/{short['id']}", json={"retention_days": 0}).status_code == 200
        _wait(lambda: {d for _, d in stored(short)} == {0}, "the period to be lifted")
        assert sorted(p for p, _ in stored(short)) == ["/0", "/new"]
