"""The analytics e2e fixture: a server, a signed-in owner, and sites holding a small hand-built day of
traffic whose every figure the tests work out by hand.

The day, 2026-11-01 (UTC):
  visitor A, visit 11: 10:00:00 / (from Google, FR, Chrome, Desktop), 10:00:30 /pricing,
                       10:02:00 "Signup" {plan: pro}                  → 2 pageviews, 120 s, not a bounce
  visitor B, visit 21: 11:00:00 /blog/a (from Twitter, DE, Firefox, Mobile)     → 1 pageview, bounce
  visitor B, visit 22: 15:00:00 / (direct), 15:01:00 /blog/b                   → 2 pageviews, 60 s
  visitor C, visit 31: 12:00:00 /pricing (from Google, US, Safari, Mobile), engagement until 12:05:00
                                                                                → 1 pageview, 300 s, bounce
and 2026-11-02: visitor A, visit 12: 09:00:00 / (from Google)                 → bounce
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import httpx
import pytest

from fieldmark.bootstrap.container import AppContainer
from fieldmark.bootstrap.engines import EngineUrls
from fieldmark.bootstrap.http import create_app
from fieldmark.bootstrap.migrate import migrate_clickhouse
from fieldmark.bootstrap.roles import ALL_ROLES
from fieldmark.bootstrap.stores import ClickHousePool
from tests.conftest import LiveServer, settings_for

PASSWORD = "correct horse battery staple"
DAY = ["2026-11-01", "2026-11-01"]

A = {"visitor_id": 1, "referrer_source": "", "country_code": "FR", "browser": "Chrome", "device": "Desktop"}
B = {"visitor_id": 2, "country_code": "DE", "browser": "Firefox", "device": "Mobile"}
C = {"visitor_id": 3, "country_code": "US", "browser": "Safari", "device": "Mobile"}
EVENTS: list[dict[str, Any]] = [
    {**A, "session_id": 11, "timestamp": "2026-11-01 10:00:00", "pathname": "/", "referrer_source": "Google"},
    {**A, "session_id": 11, "timestamp": "2026-11-01 10:00:30", "pathname": "/pricing"},
    {
        **A,
        "session_id": 11,
        "timestamp": "2026-11-01 10:02:00",
        "pathname": "/pricing",
        "kind": "custom",
        "name": "Signup",
        "props": {"plan": "pro"},
    },
    {
        **B,
        "session_id": 21,
        "timestamp": "2026-11-01 11:00:00",
        "pathname": "/blog/a",
        "referrer_source": "Twitter",
    },
    {**B, "session_id": 22, "timestamp": "2026-11-01 15:00:00", "pathname": "/"},
    {**B, "session_id": 22, "timestamp": "2026-11-01 15:01:00", "pathname": "/blog/b"},
    {
        **C,
        "session_id": 31,
        "timestamp": "2026-11-01 12:00:00",
        "pathname": "/pricing",
        "referrer_source": "Google",
    },
    {
        **C,
        "session_id": 31,
        "timestamp": "2026-11-01 12:05:00",
        "pathname": "/pricing",
        "kind": "engagement",
        "engagement_ms": 280_000,
        "scroll_depth": 75,
    },
    {**A, "session_id": 12, "timestamp": "2026-11-02 09:00:00", "pathname": "/", "referrer_source": "Google"},
]


D = {"visitor_id": 4, "country_code": "GB", "browser": "Chrome", "device": "Desktop"}
PURCHASES: list[dict[str, Any]] = [  # only on the goals site
    {**D, "session_id": 41, "timestamp": "2026-11-01 13:00:00", "pathname": "/checkout"},
    {
        **D,
        "session_id": 41,
        "timestamp": "2026-11-01 13:01:00",
        "pathname": "/checkout",
        "kind": "custom",
        "name": "Purchase",
        "revenue": ("50.00", "EUR"),
    },
    {
        **D,
        "session_id": 41,
        "timestamp": "2026-11-01 13:02:00",
        "pathname": "/checkout",
        "kind": "custom",
        "name": "Purchase",
        "revenue": ("10.00", "USD"),
    },
]


def _insert(
    clickhouse: ClickHousePool, site_id: str, events: list[dict[str, Any]] = EVENTS, offset: int = 0
) -> None:
    """The events of one site; `offset` keeps visitor and visit ids apart between sites, as the
    site-keyed hash does for real traffic."""
    columns = [
        "event_id",
        "site_id",
        "timestamp",
        "kind",
        "name",
        "visitor_id",
        "session_id",
        "hostname",
        "pathname",
        "referrer_source",
        "country_code",
        "browser",
        "device",
        "props",
        "revenue_amount",
        "revenue_currency",
        "engagement_ms",
        "scroll_depth",
    ]
    rows = []
    for event in events:
        kind = event.get("kind", "pageview")
        rows.append(
            [
                uuid.uuid4(),
                uuid.UUID(site_id),
                datetime.fromisoformat(event["timestamp"]),
                kind,
                event.get("name", "pageview" if kind == "pageview" else kind),
                event["visitor_id"] + offset,
                event["session_id"] + offset,
                "shop.example",
                event["pathname"],
                event.get("referrer_source", ""),
                event["country_code"],
                event["browser"],
                event["device"],
                event.get("props", {}),
                Decimal(event["revenue"][0]) if "revenue" in event else None,
                event["revenue"][1] if "revenue" in event else "",
                event.get("engagement_ms", 0),
                event.get("scroll_depth", 0),
            ]
        )
    clickhouse.run(lambda c: c.insert("events", rows, column_names=columns))


@pytest.fixture
def api(
    test_urls: EngineUrls, data_dir: Path, clickhouse: ClickHousePool
) -> Iterator[tuple[httpx.Client, dict[str, str]]]:
    migrate_clickhouse(clickhouse)
    app = create_app(AppContainer(settings=settings_for(data_dir), urls=test_urls), ALL_ROLES)
    with LiveServer(app) as server:
        client = httpx.Client(base_url=server.url, timeout=30)
        csrf = client.post(
            "/api/auth/register", json={"email": "o@example.com", "password": PASSWORD}
        ).json()["csrf_token"]
        client.headers["X-CSRF-Token"] = csrf
        team = client.get("/api/teams").json()[0]["id"]
        sites = {}
        for domain, zone in (("shop.example", "UTC"), ("tokyo.example", "Asia/Tokyo")):
            site = client.post(f"/api/teams/{team}/sites", json={"domain": domain, "timezone": zone}).json()[
                "id"
            ]
            _insert(clickhouse, site, offset=100 * len(sites))
            sites[zone] = site
        goals_site = client.post(f"/api/teams/{team}/sites", json={"domain": "goals.example"}).json()["id"]
        _insert(clickhouse, goals_site, EVENTS + PURCHASES, offset=1000)
        sites["goals"] = goals_site
        for goal in (
            {"match": {"kind": "pageview", "path": "/pricing"}},
            {"match": {"kind": "pageview", "path": "/blog/*"}},
            {"match": {"kind": "event", "event": "Signup"}},
            {
                "match": {"kind": "event", "event": "Signup", "property": {"key": "plan", "value": "pro"}},
                "name": "Pro signup",
            },
            {"match": {"kind": "event", "event": "Purchase"}, "currency": "EUR"},
        ):
            assert client.post(f"/api/sites/{goals_site}/goals", json=goal).status_code == 201
        yield client, sites
        client.close()


def ask(client: httpx.Client, site: str, **body: Any) -> Any:
    response = client.post(f"/api/sites/{site}/query", json={"date_range": DAY, **body})
    assert response.status_code == 200, response.text
    return response.json()


def rows(answer: Any) -> list[tuple[list[str], list[Any]]]:
    return [(r["dimensions"], r["metrics"]) for r in answer["results"]]
