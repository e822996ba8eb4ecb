"""Exports through HTTP: the dashboard view's zip holds exactly the numbers the Stats API gives, and a
million raw events stream out as CSV and as Parquet while the server's memory stays bounded."""

from __future__ import annotations

import csv
import io
import threading
import time
import zipfile
from pathlib import Path
from typing import Any

import httpx
import psutil
import pyarrow.parquet as pq

from fieldmark.bootstrap.container import AppContainer
from fieldmark.bootstrap.engines import EngineUrls
from fieldmark.bootstrap.http import create_app
from fieldmark.bootstrap.migrate import migrate_clickhouse
from fieldmark.bootstrap.roles import ALL_ROLES
from fieldmark.bootstrap.stores import ClickHousePool
from tests.conftest import LiveServer, settings_for, sign_up

EVENTS = 1_000_000


def _seed(clickhouse: ClickHousePool, site_id: str, events: int) -> None:
    """`events` pageviews over the last 10 days: 1,000 visitors, 7 pages, 4 sources, 3 countries."""
    clickhouse.run(
        lambda c: c.command(
            "INSERT INTO events (event_id, site_id, timestamp, kind, name, visitor_id, session_id, hostname,"
            " pathname, referrer_source, channel, country_code, browser, os, device)"
            " SELECT generateUUIDv4(), {site:UUID}, now64(3) - toIntervalSecond((number * 43) % 864000),"
            " 'pageview',"
            " 'pageview', 1 + number % 1000, 1 + number % 5000, 'export.example',"
            " concat('/', toString(number % 7)), ['', 'Google', 'Bing', 'Hacker News'][1 + number % 4],"
            " ['Direct', 'Organic Search', 'Organic Search', 'Referral'][1 + number % 4],"
            " ['FR', 'DE', 'US'][1 + number % 3], 'Firefox', 'Linux', 'Desktop'"
            " FROM numbers({n:UInt64})",
            parameters={"site": site_id, "n": events},
        )
    )


def test_the_view_zip_has_the_stats_api_numbers(
    test_urls: EngineUrls, data_dir: Path, clickhouse: ClickHousePool
) -> None:
    migrate_clickhouse(clickhouse)
    app = create_app(AppContainer(settings=settings_for(data_dir), urls=test_urls), ALL_ROLES)
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        team = sign_up(client, "x@example.com")
        site = client.post(f"/api/teams/{team}/sites", json={"domain": "export.example"}).json()
        _seed(clickhouse, site["id"], 20_000)
        view = {"date_range": "30d", "filters": [["is_not", "visit:country", ["US"]]]}

        exported = client.post(f"/api/sites/{site['id']}/export", json=view)
        assert exported.status_code == 200, exported.text
        assert exported.headers["content-type"] == "application/zip"
        archive = zipfile.ZipFile(io.BytesIO(exported.content))
        assert {"visitors.csv", "sources.csv", "pages.csv", "countries.csv", "conversions.csv"} <= set(
            archive.namelist()
        )

        def table(name: str) -> list[list[str]]:
            return list(csv.reader(io.StringIO(archive.read(name).decode())))

        def api(dimension: str, metrics: list[str]) -> list[list[Any]]:
            body = {**view, "metrics": metrics, "dimensions": [dimension], "pagination": {"limit": 10000}}
            if dimension == "time:day":
                body["order_by"] = [[dimension, "asc"]]
            answer = client.post(f"/api/sites/{site['id']}/query", json=body)
            assert answer.status_code == 200, answer.text
            return [[*r["dimensions"], *r["metrics"]] for r in answer.json()["results"]]

        def numbers(rows: list[list[Any]]) -> list[list[str]]:
            return [[str(v) for v in row] for row in rows]

        visitors = table("visitors.csv")
        assert visitors[0] == ["date", "visitors", "visits", "pageviews", "bounce_rate", "visit_duration"]
        assert visitors[1:] == numbers(api("time:day", visitors[0][1:]))
        assert len(visitors) - 1 in (10, 11)  # ten days back from now: one row a day
        sources = table("sources.csv")
        assert sources[1:] == numbers(api("visit:source", sources[0][1:]))
        assert {row[0] for row in sources[1:]} == {"Direct / None", "Google", "Bing", "Hacker News"}
        pages = table("pages.csv")
        assert pages[1:] == numbers(api("event:page", pages[0][1:]))
        assert sum(int(row[2]) for row in pages[1:]) == sum(int(row[3]) for row in visitors[1:])
        countries = table("countries.csv")
        assert sorted(row[0] for row in countries[1:]) == ["DE", "FR"]  # the view's filter applies

        refused = client.post(f"/api/sites/{site['id']}/export", json={"date_range": "fortnight"})
        assert refused.status_code == 400
        assert refused.json()["field"] == "date_range"
        assert client.post(f"/api/sites/{site['id']}/export", json={"colour": "red"}).status_code == 400


def test_a_million_raw_events_stream_out_in_bounded_memory(
    test_urls: EngineUrls, data_dir: Path, clickhouse: ClickHousePool, tmp_path: Path
) -> None:
    migrate_clickhouse(clickhouse)
    app = create_app(AppContainer(settings=settings_for(data_dir), urls=test_urls), ALL_ROLES)
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=300) as client:
        team = sign_up(client, "r@example.com")
        site = client.post(f"/api/teams/{team}/sites", json={"domain": "export.example"}).json()
        _seed(clickhouse, site["id"], EVENTS)

        process = psutil.Process()
        peak = [0]
        done = threading.Event()

        def watch() -> None:
            while not done.is_set():
                peak[0] = max(peak[0], process.memory_info().rss)
                time.sleep(0.02)

        # CSV: every event, one line each after the header, while the process grows by little.
        start_rss = process.memory_info().rss
        watcher = threading.Thread(target=watch)
        watcher.start()
        lines = 0
        size = 0
        with client.stream(
            "POST", f"/api/sites/{site['id']}/export/events", json={"date_range": "30d"}
        ) as answer:
            assert answer.status_code == 200
            assert answer.headers["x-fieldmark-events"] == str(EVENTS)
            assert answer.headers["content-type"].startswith("text/csv")
            header = b""
            for chunk in answer.iter_bytes():
                if not header:
                    header = chunk.split(b"\n", 1)[0]
                lines += chunk.count(b"\n")
                size += len(chunk)
        done.set()
        watcher.join()
        growth_mb = (peak[0] - start_rss) / 2**20
        print(
            f"raw CSV export: {EVENTS:,} events, {size / 2**20:.0f} MiB, peak RSS growth {growth_mb:.0f} MiB"
        )
        assert lines == EVENTS + 1
        assert b'"pathname"' in header
        assert b"retention_days" not in header
        assert growth_mb < size / 2**20 / 2  # far less than the file: it was never held whole

        # Parquet: a file pyarrow reads, with every event.
        path = tmp_path / "events.parquet"
        with (
            client.stream(
                "POST",
                f"/api/sites/{site['id']}/export/events",
                json={"date_range": "30d", "format": "parquet"},
            ) as answer,
            path.open("wb") as out,
        ):
            assert answer.status_code == 200
            for chunk in answer.iter_bytes():
                out.write(chunk)
        parquet = pq.ParquetFile(path)
        assert parquet.metadata.num_rows == EVENTS
        assert "pathname" in parquet.schema_arrow.names

        assert (
            client.post(f"/api/sites/{site['id']}/export/events", json={"format": "xlsx"}).status_code == 400
        )
