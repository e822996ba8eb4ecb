# ruff: noqa: E501  (fixture rows follow the published column layouts, one row a line)
"""Imports through HTTP, from files built to the published layouts: a Plausible CSV export zip (the
columns of Plausible's own importer) and a GA4 BigQuery export (newline-delimited JSON). After import
the Stats API, asked to include imports, gives the files' totals (added to collected data); without
asking, or after the import is removed, it does not."""

from __future__ import annotations

import csv
import io
import json
import uuid
import zipfile
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import httpx

from fieldmark.bootstrap.container import AppContainer
from fieldmark.bootstrap.engines import EngineUrls
from fieldmark.bootstrap.http import create_app
from fieldmark.bootstrap.migrate import migrate_clickhouse
from fieldmark.bootstrap.roles import ALL_ROLES
from fieldmark.bootstrap.stores import ClickHousePool
from tests.conftest import LiveServer, settings_for, sign_up

DAYS = [date(2025, 1, 1) + timedelta(days=i) for i in range(7)]
# Per day: visitors, pageviews, bounces, visits, visit_duration (the columns of imported_visitors).
VISITORS = [(100 + 10 * i, 300 + 20 * i, 40 + i, 120 + 10 * i, 6000 + 100 * i) for i in range(7)]
SOURCES = {"Google": 0.5, "Direct / None": 0.3, "Hacker News": 0.2}


def _csv(header: list[str], rows: list[list[Any]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(header)
    writer.writerows(rows)
    return out.getvalue()


def plausible_zip() -> bytes:
    span = "20250101_20250107"
    files = {
        f"imported_visitors_{span}.csv": _csv(
            ["date", "visitors", "pageviews", "bounces", "visits", "visit_duration"],
            [[d.isoformat(), *v] for d, v in zip(DAYS, VISITORS, strict=True)],
        ),
        f"imported_sources_{span}.csv": _csv(
            ["date", "source", "referrer", "utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term",
             "pageviews", "visitors", "visits", "visit_duration", "bounces"],
            [
                [d.isoformat(), "" if s == "Direct / None" else s, "", "", "", "", "", "",
                 round(v[1] * share), round(v[0] * share), round(v[3] * share), round(v[4] * share), round(v[2] * share)]
                for d, v in zip(DAYS, VISITORS, strict=True)
                for s, share in SOURCES.items()
            ],
        ),
        f"imported_pages_{span}.csv": _csv(
            ["date", "hostname", "page", "visits", "visitors", "pageviews", "scroll_depth", "pageleave_visitors"],
            [[d.isoformat(), "shop.example", p, 10, 8, 12, "", 0] for d in DAYS for p in ("/", "/pricing")],
        ),
        f"imported_locations_{span}.csv": _csv(
            ["date", "country", "region", "city", "visitors", "visits", "visit_duration", "bounces", "pageviews"],
            [[d.isoformat(), "FR", "FR-IDF", 2988507, v[0], v[3], v[4], v[2], v[1]] for d, v in zip(DAYS, VISITORS, strict=True)],
        ),
    }  # fmt: skip
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in files.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def ga4_export() -> bytes:
    """Two days of GA4 events: on the first, two people in three sessions; on the second, one."""

    def event(
        day: str, user: str, session: int, name: str, page: str | None = None, engaged: bool = False
    ) -> str:
        params: list[dict[str, Any]] = [{"key": "ga_session_id", "value": {"int_value": session}}]
        if page:
            params.append(
                {"key": "page_location", "value": {"string_value": f"https://shop.example{page}?x=1"}}
            )
        if engaged:
            params.append({"key": "session_engaged", "value": {"string_value": "1"}})
            params.append({"key": "engagement_time_msec", "value": {"int_value": 30000}})
        return json.dumps(
            {
                "event_date": day,
                "event_name": name,
                "user_pseudo_id": user,
                "event_params": params,
                "device": {
                    "category": "mobile",
                    "operating_system": "Android",
                    "web_info": {"browser": "Chrome"},
                },
                "geo": {"country": "Germany"},
                "traffic_source": {"source": "google", "medium": "organic", "name": "(organic)"},
            }
        )

    lines = [
        event("20250201", "u1", 1, "session_start"),
        event("20250201", "u1", 1, "page_view", "/"),
        event("20250201", "u1", 1, "page_view", "/pricing", engaged=True),
        event("20250201", "u1", 1, "sign_up"),
        event("20250201", "u1", 2, "page_view", "/"),
        event("20250201", "u2", 3, "page_view", "/blog"),
        event("20250202", "u2", 4, "page_view", "/", engaged=True),
    ]
    return ("\n".join(lines) + "\n").encode()


def test_imports_add_their_totals_when_asked(
    test_urls: EngineUrls, data_dir: Path, clickhouse: ClickHousePool
) -> None:
    migrate_clickhouse(clickhouse)
    app = create_app(AppContainer(settings=settings_for(data_dir), urls=test_urls), ALL_ROLES)
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        team = sign_up(client, "imp@example.com")
        site = client.post(
            f"/api/teams/{team}/sites", json={"domain": "shop.example", "timezone": "UTC"}
        ).json()
        path = f"/api/sites/{site['id']}"

        def query(body: dict[str, Any]) -> dict[str, Any]:
            answer = client.post(f"{path}/query", json=body)
            assert answer.status_code == 200, answer.text
            return answer.json()

        week = {"date_range": ["2025-01-01", "2025-01-07"]}
        totals = ["visitors", "pageviews", "bounce_rate", "visit_duration", "visits"]
        # A few collected pageviews inside the week: two visits of one page each, not bounced? (one page: bounce)
        clickhouse.run(
            lambda c: c.insert(
                "events",
                [
                    [
                        uuid.uuid4(),
                        uuid.UUID(site["id"]),
                        datetime(2025, 1, 3, 12, tzinfo=UTC),
                        "pageview",
                        "pageview",
                        7,
                        7,
                        "shop.example",
                        "/",
                    ],
                    [
                        uuid.uuid4(),
                        uuid.UUID(site["id"]),
                        datetime(2025, 1, 3, 13, tzinfo=UTC),
                        "pageview",
                        "pageview",
                        8,
                        8,
                        "shop.example",
                        "/",
                    ],
                ],
                column_names=[
                    "event_id",
                    "site_id",
                    "timestamp",
                    "kind",
                    "name",
                    "visitor_id",
                    "session_id",
                    "hostname",
                    "pathname",
                ],
            )
        )
        native = query({**week, "metrics": totals})["results"][0]["metrics"]
        assert native == [2, 2, 100, 0, 2]

        for bad, field in (
            (b"", "file"),
            (b"date,visitors\n2025-01-01,x\n", "file"),
            (b"not,an,export\n", "file"),
        ):
            refused = client.post(
                f"{path}/imports",
                params={"file_name": "imported_visitors_20250101_20250107.csv"},
                content=bad,
            )
            assert refused.status_code == 400, refused.text
            assert refused.json()["field"] == field

        imported = client.post(
            f"{path}/imports", params={"file_name": "plausible-export.zip"}, content=plausible_zip()
        )
        assert imported.status_code == 201, imported.text
        record = imported.json()
        file_visitors = sum(v[0] for v in VISITORS)
        file_pageviews = sum(v[1] for v in VISITORS)
        assert record["source"] == "plausible"
        assert (record["first_day"], record["last_day"]) == ("2025-01-01", "2025-01-07")
        assert (record["visitors"], record["pageviews"]) == (file_visitors, file_pageviews)

        # Not asked for: collected data only. Asked for: the file's totals added.
        assert query({**week, "metrics": totals})["results"][0]["metrics"] == native
        answer = query({**week, "metrics": totals, "include": {"imports": True}})
        assert answer["meta"]["imports_included"] is True
        visits = sum(v[3] for v in VISITORS) + 2
        bounces = sum(v[2] for v in VISITORS) + 2
        duration = sum(v[4] for v in VISITORS)
        assert answer["results"][0]["metrics"] == [
            file_visitors + 2,
            file_pageviews + 2,
            round(bounces / visits * 100),
            round(duration / visits),
            visits,
        ]
        # By day: each day's file figures (plus the collected two on the 3rd).
        days = query(
            {**week, "metrics": ["visitors"], "dimensions": ["time:day"], "include": {"imports": True}}
        )
        assert [r["metrics"][0] for r in days["results"]] == [
            v[0] + (2 if i == 2 else 0) for i, v in enumerate(VISITORS)
        ]
        # By source and country, the file's sums.
        sources = query(
            {**week, "metrics": ["visitors"], "dimensions": ["visit:source"], "include": {"imports": True}}
        )
        found = {r["dimensions"][0]: r["metrics"][0] for r in sources["results"]}
        for source, share in SOURCES.items():
            expected = sum(round(v[0] * share) for v in VISITORS) + (2 if source == "Direct / None" else 0)
            assert found[source] == expected, source
        countries = query(
            {**week, "metrics": ["visitors"], "dimensions": ["visit:country"], "include": {"imports": True}}
        )
        assert {r["dimensions"][0]: r["metrics"][0] for r in countries["results"]}["FR"] == file_visitors
        # A filter cannot apply to imported data: it is left out, and the answer says why.
        filtered = query(
            {
                **week,
                "metrics": ["visitors"],
                "filters": [["is", "visit:country", ["FR"]]],
                "include": {"imports": True},
            }
        )
        assert filtered["meta"]["imports_included"] is False
        assert filtered["meta"]["imports_skip_reason"] == "imported data has no filters"

        # GA4's BigQuery export: two days, three people-days, four sessions, five pageviews.
        ga4 = client.post(
            f"{path}/imports", params={"file_name": "events_20250201.json"}, content=ga4_export()
        )
        assert ga4.status_code == 201, ga4.text
        assert ga4.json()["source"] == "ga4"
        assert (ga4.json()["visitors"], ga4.json()["pageviews"]) == (3, 5)
        feb = {"date_range": ["2025-02-01", "2025-02-02"], "include": {"imports": True}}
        assert query({**feb, "metrics": ["visitors", "visits", "pageviews", "bounce_rate"]})["results"][0][
            "metrics"
        ] == [3, 4, 5, 50]
        pages = query({**feb, "metrics": ["pageviews"], "dimensions": ["event:page"]})
        assert {r["dimensions"][0]: r["metrics"][0] for r in pages["results"]} == {
            "/": 3,
            "/pricing": 1,
            "/blog": 1,
        }
        germany = query({**feb, "metrics": ["visitors"], "dimensions": ["visit:country"]})
        assert [r["dimensions"] for r in germany["results"]] == [["DE"]]
        events = query({**feb, "metrics": ["events"], "dimensions": ["event:name"]})
        assert {r["dimensions"][0]: r["metrics"][0] for r in events["results"]} == {"sign_up": 1}

        listed = client.get(f"{path}/imports").json()
        assert [i["source"] for i in listed] == ["plausible", "ga4"]
        assert client.delete(f"{path}/imports/{record['id']}").status_code == 204
        assert (
            query({**week, "metrics": totals, "include": {"imports": True}})["results"][0]["metrics"]
            == native
        )
        assert client.delete(f"{path}/imports/{record['id']}").status_code == 404
