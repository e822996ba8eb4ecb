"""Idempotency: a 503 means "not confirmed", not "not stored". With Redis frozen past the collect deadline,
the request answers 503 while Redis still runs it once it resumes; the sender's retry with the same
Idempotency-Key (or `event_id`) is then accepted and stored no second time."""

from __future__ import annotations

import json
import signal
import threading
import time
from pathlib import Path

import httpx
import redis

from fieldmark.bootstrap.container import AppContainer
from fieldmark.bootstrap.engines import EngineUrls
from fieldmark.bootstrap.http import create_app
from fieldmark.bootstrap.migrate import migrate_clickhouse
from fieldmark.bootstrap.roles import ALL_ROLES
from fieldmark.bootstrap.stores import ClickHousePool
from fieldmark.ingestion.domain.limits import COLLECT_DEADLINE_SECONDS
from tests.conftest import LiveServer, settings_for, sign_up, wait_drained
from tests.e2e.ingestion.conftest import FIREFOX, own_redis


def _send(url: str, body: object, key: str | None = None) -> httpx.Response:
    headers = {"Content-Type": "text/plain", "User-Agent": FIREFOX}
    if key is not None:
        headers["Idempotency-Key"] = key
    return httpx.post(f"{url}/api/event", content=json.dumps(body), headers=headers, timeout=30)


def test_a_retry_after_an_unconfirmed_503_is_stored_once(
    test_urls: EngineUrls, data_dir: Path, clickhouse: ClickHousePool
) -> None:
    migrate_clickhouse(clickhouse)
    own = own_redis(test_urls)
    server_process, port = own.process, own.port
    app = create_app(AppContainer(settings=settings_for(data_dir), urls=own.urls), ALL_ROLES, writers=1)
    try:
        with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:
            team = sign_up(client, "idem@example.com")
            assert client.post(f"/api/teams/{team}/sites", json={"domain": "idem.example"}).status_code == 201
            page = {"n": "pageview", "d": "idem.example"}

            def stored(path: str) -> int:
                return int(
                    clickhouse.run(
                        lambda c: c.command(
                            "SELECT count() FROM events WHERE pathname = {p:String}", parameters={"p": path}
                        )
                    )
                )

            # Redis frozen (SIGSTOP) for longer than the collect deadline, then thawed.
            frozen = COLLECT_DEADLINE_SECONDS + 3
            server_process.send_signal(signal.SIGSTOP)
            thaw = threading.Timer(frozen, server_process.send_signal, args=(signal.SIGCONT,))
            thaw.start()
            started = time.monotonic()
            unconfirmed = _send(server.url, {**page, "u": "https://idem.example/frozen"}, key="order-1")
            waited = time.monotonic() - started
            thaw.join()
            assert unconfirmed.status_code == 503, unconfirmed.text
            assert "may be stored or not" in unconfirmed.json()["detail"]
            assert waited < frozen  # answered at the deadline, not when Redis came back
            redis.Redis(port=port).ping()

            retried = _send(server.url, {**page, "u": "https://idem.example/frozen"}, key="order-1")
            assert retried.status_code == 202, retried.text
            # The same key in a body field, and for a batch (the header's key and each event's index).
            for _ in range(3):
                assert (
                    _send(
                        server.url, {**page, "u": "https://idem.example/field", "event_id": "e-9"}
                    ).status_code
                    == 202
                )
                batch = [{**page, "u": "https://idem.example/one"}, {**page, "u": "https://idem.example/two"}]
                assert _send(server.url, batch, key="batch-7").status_code == 202
            # Without a key each request is an event of its own, as before.
            for _ in range(2):
                assert _send(server.url, {**page, "u": "https://idem.example/keyless"}).status_code == 202
            wait_drained(server.url)
            assert stored("/frozen") == 1  # stored by the first request, which was answered 503
            assert stored("/field") == stored("/one") == stored("/two") == 1
            assert stored("/keyless") == 2

            bad = _send(server.url, {**page, "u": "https://idem.example/", "event_id": ""})
            assert bad.status_code == 400
            assert bad.json()["field"] == "event_id"
    finally:
        server_process.send_signal(signal.SIGCONT)
        own.close()
