"""Digests and alerts through the job worker, to a real local SMTP server and webhook receiver: a weekly
digest arrives with the numbers the Stats API gives for that week, once, with a chart and a working
unsubscribe link; a spike alert fires once per breach and not again within its cool-down; a drop alert
fires when yesterday falls under its share of the usual."""

from __future__ import annotations

import json
import threading
import time
import uuid
from collections.abc import Callable
from datetime import UTC, datetime, timedelta
from http.server import BaseHTTPRequestHandler, HTTPServer
from pathlib import Path
from typing import Any

import httpx
import psycopg
from aiosmtpd.controller import Controller

from fieldmark.bootstrap.container import AppContainer
from fieldmark.bootstrap.engines import EngineUrls
from fieldmark.bootstrap.http import create_app
from fieldmark.bootstrap.migrate import migrate_clickhouse
from fieldmark.bootstrap.roles import ALL_ROLES
from fieldmark.bootstrap.scheduler import Scheduler
from fieldmark.bootstrap.stores import ClickHousePool
from fieldmark.reporting.domain.digests import last_complete
from fieldmark.reporting.domain.schedule import CHECK_ALERTS, SEND_DIGESTS
from tests.conftest import LiveServer, free_port, settings_for, sign_up
from tests.e2e.identity.conftest import Inbox


def _wait(condition: Callable[[], bool], what: str, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while not condition():
        assert time.monotonic() < deadline, f"timed out waiting for {what}"
        time.sleep(0.05)


def _pageviews(clickhouse: ClickHousePool, site: str, rows: list[tuple[datetime, int, str]]) -> None:
    """(time, visitor, page) pageviews, each visitor its own visit."""
    data = [
        [
            uuid.uuid4(),
            uuid.UUID(site),
            at,
            "pageview",
            "pageview",
            visitor,
            visitor,
            "digest.example",
            page,
            "Google",
        ]
        for at, visitor, page in rows
    ]
    names = ["event_id", "site_id", "timestamp", "kind", "name", "visitor_id", "session_id", "hostname"]
    clickhouse.run(lambda c: c.insert("events", data, column_names=[*names, "pathname", "referrer_source"]))


class Hooks(BaseHTTPRequestHandler):
    received: list[dict[str, Any]] = []

    def do_POST(self) -> None:
        Hooks.received.append(json.loads(self.rfile.read(int(self.headers["Content-Length"]))))
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args: object) -> None:
        return None


def test_digests_and_alerts_go_out_once_with_the_stats_numbers(
    test_urls: EngineUrls, data_dir: Path, clickhouse: ClickHousePool
) -> None:
    migrate_clickhouse(clickhouse)
    inbox, smtp_port = Inbox(), free_port()
    smtp = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    smtp.start()
    hooks = HTTPServer(("127.0.0.1", 0), Hooks)
    threading.Thread(target=hooks.serve_forever, daemon=True).start()
    Hooks.received = []
    settings = settings_for(
        data_dir,
        SMTP_URL=f"smtp://127.0.0.1:{smtp_port}",
        MAIL_FROM="Fieldmark <reports@fieldmark.test>",
        BASE_URL="http://fieldmark.test",
        ALLOW_PRIVATE_WEBHOOKS="true",
    )
    container = AppContainer(settings=settings, urls=test_urls)
    app = create_app(container, ALL_ROLES)
    try:
        with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:
            team = sign_up(client, "owner@example.com")
            site = client.post(
                f"/api/teams/{team}/sites", json={"domain": "digest.example", "timezone": "UTC"}
            ).json()
            queue = container.jobs()

            # --- Digests: last week's numbers, against the week before.
            week = last_complete("weekly", datetime.now(UTC), "UTC")
            monday = datetime.combine(week.first, datetime.min.time(), UTC)
            _pageviews(
                clickhouse,
                site["id"],
                [
                    (monday + timedelta(days=d % 7, hours=10), 100 + d, ["/", "/pricing", "/blog"][d % 3])
                    for d in range(12)
                ]
                + [(monday - timedelta(days=7 - d, hours=-10), 500 + d, "/") for d in range(4)],
            )
            assert client.put(f"/api/sites/{site['id']}/reports/mine", json={"weekly": True}).json() == {
                "weekly": True,
                "monthly": False,
            }
            added = client.post(
                f"/api/sites/{site['id']}/reports/addresses",
                json={"email": "boss@example.com", "frequency": "weekly"},
            )
            assert added.status_code == 201, added.text
            assert (
                client.post(
                    f"/api/sites/{site['id']}/reports/addresses",
                    json={"email": "BOSS@example.com", "frequency": "weekly"},
                ).status_code
                == 409
            )
            assert (
                client.post(
                    f"/api/sites/{site['id']}/reports/addresses",
                    json={"email": "nobody", "frequency": "weekly"},
                ).json()["field"]
                == "email"
            )

            # The scheduler's tick enqueues the job once per time slot, however many workers tick.
            scheduler = Scheduler(queue, test_urls.redis_url, {SEND_DIGESTS: 3600})
            assert scheduler.tick(SEND_DIGESTS, 3600) is True
            assert scheduler.tick(SEND_DIGESTS, 3600) is False  # another process, the same slot
            scheduler.stop()
            _wait(lambda: len(inbox.messages) == 2, "two digests")
            stats = client.post(
                f"/api/sites/{site['id']}/query",
                json={"metrics": ["visitors", "pageviews"], "date_range": [str(week.first), str(week.last)]},
            ).json()["results"][0]["metrics"]
            assert stats == [12, 12]
            mail = inbox.last_to("boss@example.com")
            assert "digest.example" in mail["Subject"]
            text = mail.get_body(("plain",)).get_content().replace("\r\n", "\n")
            assert "Visitors: 12 (+200% on the week before)" in text  # 12 against 4
            assert "Pageviews: 12" in text
            assert "  /  4\n" in text  # top pages
            assert "  /pricing  4\n" in text
            assert "  Google  12\n" in text  # top sources
            html = mail.get_body(("html",)).get_content()
            assert 'src="cid:visitors-chart"' in html
            images = [p for p in mail.walk() if p.get_content_type() == "image/png"]
            assert len(images) == 1
            assert images[0].get_content()[:8] == b"\x89PNG\r\n\x1a\n"
            assert inbox.last_to("owner@example.com")["Subject"] == mail["Subject"]
            assert mail["List-Unsubscribe-Post"] == "List-Unsubscribe=One-Click"

            queue.send(SEND_DIGESTS)  # that week is sent: nothing more
            time.sleep(1.5)
            assert len(inbox.messages) == 2

            # The unsubscribe link works without signing in; a forged one does not.
            link = mail["List-Unsubscribe"].strip("<>").replace("http://fieldmark.test", server.url)
            page = httpx.get(link)
            assert page.status_code == 200
            assert "Unsubscribe" in page.text
            assert httpx.post(link).status_code == 200
            assert client.get(f"/api/sites/{site['id']}/reports/addresses").json() == []
            assert httpx.post(link.rsplit("=", 1)[0] + "=" + uuid.uuid4().hex + ".0").status_code == 400

            # --- A spike alert: current visitors above 2.
            hook = f"http://127.0.0.1:{hooks.server_address[1]}/hook"
            spike = client.post(
                f"/api/sites/{site['id']}/alerts",
                json={"kind": "spike", "threshold": 2, "emails": ["ops@example.com"], "webhook_url": hook},
            )
            assert spike.status_code == 201, spike.text
            assert (
                client.post(
                    f"/api/sites/{site['id']}/alerts",
                    json={"kind": "drop", "threshold": 150, "emails": ["a@b.co"]},
                ).json()["field"]
                == "threshold"
            )
            assert (
                client.post(f"/api/sites/{site['id']}/alerts", json={"kind": "spike", "threshold": 5}).json()[
                    "field"
                ]
                == "emails"
            )
            now = datetime.now(UTC)

            def ops() -> int:
                return len([m for m in inbox.messages if m["To"] == "ops@example.com"])

            def check() -> None:
                queue.send(CHECK_ALERTS)
                time.sleep(1.0)

            check()
            assert ops() == 0  # nobody here yet
            _pageviews(clickhouse, site["id"], [(now - timedelta(minutes=1), 900 + v, "/") for v in range(3)])
            check()
            _wait(lambda: ops() == 1 and len(Hooks.received) == 1, "the spike's email and webhook")
            assert "3 current visitors" in Hooks.received[0]["text"]
            assert Hooks.received[0]["kind"] == "spike"
            check()
            assert ops() == 1  # the same breach: not again

            # The breach ends (the data is reset) and begins again within the cool-down: not notified.
            assert client.delete(f"/api/sites/{site['id']}/events").status_code == 204
            check()
            assert client.get(f"/api/sites/{site['id']}/alerts").json()[0]["breached"] is False
            _pageviews(clickhouse, site["id"], [(now - timedelta(minutes=1), 950 + v, "/") for v in range(4)])
            check()
            assert ops() == 1
            assert client.get(f"/api/sites/{site['id']}/alerts").json()[0]["breached"] is True

            # After the cool-down, a new breach is notified.
            with psycopg.connect(test_urls.database_url, autocommit=True) as conn:
                conn.execute(
                    "UPDATE alerts SET breached = false, last_notified_at = now() - interval '2 hours'"
                )
            check()
            _wait(lambda: ops() == 2, "the next breach's email")

            # --- A drop alert: yesterday under half of the usual day.
            assert client.delete(f"/api/sites/{site['id']}/events").status_code == 204
            yesterday = datetime.combine(
                now.date() - timedelta(days=1), datetime.min.time(), UTC
            ) + timedelta(hours=12)
            rows = [
                (yesterday - timedelta(days=d), 1000 * d + v, "/") for d in range(1, 8) for v in range(10)
            ]
            rows += [(yesterday, 5000 + v, "/") for v in range(3)]
            _pageviews(clickhouse, site["id"], rows)
            client.post(
                f"/api/sites/{site['id']}/alerts",
                json={"kind": "drop", "threshold": 50, "emails": ["drop@example.com"]},
            )
            check()
            _wait(lambda: any(m["To"] == "drop@example.com" for m in inbox.messages), "the drop alert")
            drop = inbox.last_to("drop@example.com").get_body(("plain",)).get_content().replace("\r\n", "\n")
            assert "3 visitors yesterday, under 50% of the usual 10 a day" in drop
    finally:
        smtp.stop()
        hooks.shutdown()
