"""Redis restarted under load: events in the stream survive in its append-only file; while Redis is away
the collect endpoint answers 503 (nothing is taken that could be lost); once it is back, collecting
resumes, and the writers land every accepted event exactly once."""

from __future__ import annotations

import shutil
import time
from pathlib import Path

import httpx
import redis

from fieldmark.bootstrap.container import AppContainer
from fieldmark.bootstrap.engines import EngineUrls
from fieldmark.bootstrap.http import create_app
from fieldmark.bootstrap.migrate import migrate_clickhouse
from fieldmark.bootstrap.roles import ALL_ROLES, Role
from fieldmark.bootstrap.stores import ClickHousePool
from tests.conftest import LiveServer, collect_pageview, settings_for, sign_up
from tests.e2e.ingestion.conftest import own_redis


def test_the_stream_survives_a_redis_restart(
    test_urls: EngineUrls, data_dir: Path, clickhouse: ClickHousePool
) -> None:
    migrate_clickhouse(clickhouse)
    own = own_redis(test_urls)
    urls = own.urls
    settings = settings_for(data_dir)
    try:
        # Collect only, first: events wait in the stream.
        collect = create_app(AppContainer(settings=settings, urls=urls), frozenset({Role.COLLECT, Role.API}))
        with LiveServer(collect) as server, httpx.Client(base_url=server.url, timeout=30) as client:
            team = sign_up(client, "rs@example.com")
            assert (
                client.post(f"/api/teams/{team}/sites", json={"domain": "redis.example"}).status_code == 201
            )

            def send(i: int) -> int:
                return collect_pageview(server.url, "redis.example", f"/{i}")

            accepted = [i for i in range(30) if send(i) == 202]
            assert len(accepted) == 30
            own.close()  # Redis dies without a word
            refused = [send(100 + i) for i in range(5)]
            assert set(refused) == {503}  # nothing taken while the stream is away
            own.restart()  # back, from its append-only file
            assert redis.Redis(port=own.port).xlen("fm:events") == 30
            deadline = time.monotonic() + 20
            while send(200) != 202:
                assert time.monotonic() < deadline
                time.sleep(0.2)
            accepted.append(200)

        # Now the writers: every accepted event once.
        worker = create_app(AppContainer(settings=settings, urls=urls), ALL_ROLES, writers=2)
        with LiveServer(worker):
            deadline = time.monotonic() + 30
            while clickhouse.run(lambda c: c.command("SELECT count() FROM events")) < len(accepted):
                assert time.monotonic() < deadline
                time.sleep(0.1)
            time.sleep(1)
        paths = clickhouse.run(lambda c: c.query("SELECT pathname FROM events ORDER BY pathname").result_rows)
        assert sorted(p for (p,) in paths) == sorted(f"/{i}" for i in accepted)
    finally:
        own.close()
        shutil.rmtree(own.folder, ignore_errors=True)
