"""From the browser's request to the answer on screen: events posted to the collect endpoint go through
the Redis Stream and the writer into ClickHouse, and the Stats API counts them, with the visit kept
together across pageviews and the source taken from the visit's first one."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx

from fieldmark.bootstrap.container import AppContainer
from fieldmark.bootstrap.engines import EngineUrls
from fieldmark.bootstrap.http import create_app
from fieldmark.bootstrap.migrate import migrate_clickhouse
from fieldmark.bootstrap.roles import ALL_ROLES
from fieldmark.bootstrap.stores import ClickHousePool
from tests.conftest import LiveServer, noon_zone, settings_for

FIREFOX = "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
CHROME = (
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
    "Chrome/120.0 Safari/537.36"
)


def test_collected_events_are_counted_by_the_stats_api(
    test_urls: EngineUrls, data_dir: Path, clickhouse: ClickHousePool
) -> None:
    migrate_clickhouse(clickhouse)
    app = create_app(
        AppContainer(settings=settings_for(data_dir, TRUSTED_PROXIES="127.0.0.1"), urls=test_urls),
        ALL_ROLES,
        writers=1,
    )
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        signed = client.post(
            "/api/auth/register", json={"email": "o@example.com", "password": "a long passphrase"}
        )
        client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
        team = client.get("/api/teams").json()[0]["id"]
        site = client.post(
            f"/api/teams/{team}/sites", json={"domain": "live.example", "timezone": noon_zone()}
        ).json()["id"]

        def visit(ip: str, ua: str, pages: list[str], referrer: str) -> None:
            for i, page in enumerate(pages):
                body = {"n": "pageview", "u": f"https://live.example{page}", "d": "live.example"}
                if i == 0 and referrer:
                    body["r"] = referrer
                elif i:
                    body["r"] = f"https://live.example{pages[i - 1]}"
                response = httpx.post(
                    f"{server.url}/api/event",
                    content=json.dumps(body),
                    headers={"Content-Type": "text/plain", "User-Agent": ua, "X-Forwarded-For": ip},
                )
                assert response.status_code == 202, response.text

        visit("81.2.69.160", FIREFOX, ["/", "/pricing", "/signup"], "https://www.google.com/")
        visit("81.2.69.161", CHROME, ["/blog"], "")
        deadline = time.monotonic() + 20
        while clickhouse.run(lambda c: c.command("SELECT count() FROM events")) < 4:
            assert time.monotonic() < deadline, "the writer did not land the events"
            time.sleep(0.05)

        total = client.post(
            f"/api/sites/{site}/query",
            json={"metrics": ["visitors", "visits", "pageviews", "bounce_rate"], "date_range": "day"},
        ).json()
        assert total["results"] == [{"dimensions": [], "metrics": [2, 2, 4, 50]}]
        sources = client.post(
            f"/api/sites/{site}/query",
            json={"metrics": ["visitors", "pageviews"], "date_range": "day", "dimensions": ["visit:source"]},
        ).json()
        assert [(r["dimensions"][0], r["metrics"]) for r in sources["results"]] == [
            ("Direct / None", [1, 1]),  # a tie in visitors: by the dimension's value
            ("Google", [1, 3]),
        ]

        # Realtime, straight after: two visitors now, their pageviews in this minute's bucket.
        live = client.get(f"/api/sites/{site}/realtime").json()
        assert live["current_visitors"] == 2
        assert len(live["minutes"]) == 30
        assert sum(m["pageviews"] for m in live["minutes"]) == 4
        assert {p["name"]: p["visitors"] for p in live["top_pages"]} == {
            "/": 1,
            "/pricing": 1,
            "/signup": 1,
            "/blog": 1,
        }
        assert {s["name"] for s in live["top_sources"]} == {"Google", "Direct / None"}

        # Answers are cached until a batch lands: a row slipped into ClickHouse behind the writer's back
        # is not seen, and the next batch through the writer makes the answer fresh again.
        ask = {"metrics": ["pageviews"], "date_range": "day"}
        assert client.post(f"/api/sites/{site}/query", json=ask).json()["results"][0]["metrics"] == [4]
        sneak = (
            "INSERT INTO events (event_id, site_id, timestamp, kind, name, visitor_id, session_id, pathname)"
            " SELECT generateUUIDv4(), site_id, now64(3), 'pageview', 'pageview', 99, 99, '/sneaked'"
            " FROM events LIMIT 1"
        )
        clickhouse.run(lambda c: c.command(sneak))
        assert client.post(f"/api/sites/{site}/query", json=ask).json()["results"][0]["metrics"] == [4]
        visit("81.2.69.162", FIREFOX, ["/late"], "")
        deadline = time.monotonic() + 20
        while client.post(f"/api/sites/{site}/query", json=ask).json()["results"][0]["metrics"] != [6]:
            assert time.monotonic() < deadline, "the landed batch did not refresh the cached answer"
            time.sleep(0.05)

        # A signed-in person's id (`pid`) is stored only as a per-site keyed hash, the same every time.
        for page in ("/account", "/billing"):
            body = {
                "n": "pageview",
                "u": f"https://live.example{page}",
                "d": "live.example",
                "pid": "user-42",
            }
            response = httpx.post(
                f"{server.url}/api/event",
                content=json.dumps(body),
                headers={
                    "Content-Type": "text/plain",
                    "User-Agent": CHROME,
                    "X-Forwarded-For": "81.2.69.163",
                },
            )
            assert response.status_code == 202
        deadline = time.monotonic() + 20
        people: list[tuple[int]] = []
        while len(people) < 2:
            assert time.monotonic() < deadline
            people = clickhouse.run(
                lambda c: (
                    c.query(
                        "SELECT person_id FROM events WHERE pathname IN ('/account', '/billing')"
                    ).result_rows
                )
            )
            time.sleep(0.05)
        assert people[0][0] == people[1][0] != 0
        dump = clickhouse.run(lambda c: c.query("SELECT * FROM events").result_rows)
        assert "user-42" not in str(dump)
        retention = client.post(
            f"/api/sites/{site}/retention", json={"period": "day", "date_range": "day"}
        ).json()
        assert retention["basis"] == "person"
        assert retention["cohorts"][0]["size"] == 1
