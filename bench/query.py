"""Query benchmark: the Stats API against the bare ClickHouse SQL that answers it, on generated traffic.

    python bench/query.py [--total 10000000] [--site 1100000] [--runs 15] [--only overview] [--clicks 1000000]

One site gets `--site` events over the last 30 days; other sites fill the table to `--total` over the
last 90 days (the same generator as `fieldmark demo`). After the inserts the table is merged
(OPTIMIZE … FINAL), then each query is timed through HTTP (the app in this process, on the embedded
engines, answers cache removed before every run) and as its bare compiled SQL on the same engine. Each
figure is a median over `--runs` runs after two warm-ups; the ratio is API time over SQL time.
`--clicks N` adds N heatmap clicks on the site's /pricing over the 30 days (40 elements, 2% rage,
5% dead), for the heatmap query.
"""

from __future__ import annotations

import argparse
import statistics
import sys
import tempfile
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from uuid import UUID

import httpx
import redis
import uvicorn

from fieldmark.analytics.adapters.clickhouse_demo import DemoPlan, generate
from fieldmark.analytics.adapters.clickhouse_stats import (
    compile_funnel,
    compile_heatmap,
    compile_query,
    compile_retention,
)
from fieldmark.analytics.application.ports import ClickScope, FunnelDef, Scope
from fieldmark.analytics.domain.dates import resolve
from fieldmark.analytics.domain.query import GoalDef, Interval, Metric, Query, dimension
from fieldmark.bootstrap.container import AppContainer
from fieldmark.bootstrap.engines import EmbeddedEngines
from fieldmark.bootstrap.http import create_app
from fieldmark.bootstrap.migrate import migrate_clickhouse, migrate_postgres
from fieldmark.bootstrap.roles import ALL_ROLES
from fieldmark.bootstrap.settings import load_settings

PASSWORD = "a benchmark passphrase"
STEPS = [
    {"kind": "pageview", "path": "/"},
    {"kind": "pageview", "path": "/pricing"},
    {"kind": "pageview", "path": "/signup"},
    {"kind": "event", "event": "Signup"},
]


def median_ms(work: Any, runs: int, before: Any = None) -> float:
    """The median time of `work()` over `runs` runs after two warm-ups; `before()` runs untimed."""
    for _ in range(2):
        work()
    times = []
    for _ in range(runs):
        if before is not None:
            before()
        start = time.perf_counter()
        work()
        times.append((time.perf_counter() - start) * 1000)
    return statistics.median(times)


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--total", type=int, default=10_000_000)
    parser.add_argument("--site", type=int, default=1_100_000)
    parser.add_argument("--runs", type=int, default=15)
    parser.add_argument("--only", action="append", default=[], help="time only these queries (repeatable)")
    parser.add_argument("--clicks", type=int, default=0, help="heatmap clicks on one page of the site")
    args = parser.parse_args()

    folder = Path(tempfile.mkdtemp(prefix="fm-bench-query-"))
    import os

    os.environ.update({"FIELDMARK_DATA_DIR": str(folder), "LOG_LEVEL": "WARNING", "TRUSTED_PROXIES": "127.0.0.1"})
    settings = load_settings()
    with EmbeddedEngines(settings) as urls:
        migrate_postgres(urls.database_url)
        container = AppContainer(settings=settings, urls=urls)
        app = create_app(container, ALL_ROLES, writers=0)
        config = uvicorn.Config(app, host="127.0.0.1", port=0, log_config=None, access_log=False)
        server = uvicorn.Server(config)
        thread = threading.Thread(target=server.run, daemon=True)
        thread.start()
        while not server.started:
            time.sleep(0.05)
        port = server.servers[0].sockets[0].getsockname()[1]
        client = httpx.Client(base_url=f"http://127.0.0.1:{port}", timeout=120)
        registered = client.post("/api/auth/register", json={"email": "b@example.com", "password": PASSWORD})
        assert registered.status_code == 201, registered.text
        csrf = registered.json()[
            "csrf_token"
        ]
        client.headers["X-CSRF-Token"] = csrf
        team = client.get("/api/teams").json()[0]["id"]
        main_site = client.post(f"/api/teams/{team}/sites", json={"domain": "main.example"}).json()["id"]
        client.post(f"/api/sites/{main_site}/goals", json={"match": {"kind": "event", "event": "Signup"}})
        others = [
            client.post(f"/api/teams/{team}/sites", json={"domain": f"other{i}.example"}).json()["id"]
            for i in range(4)
        ]

        clickhouse = container.clickhouse()
        migrate_clickhouse(clickhouse)
        end = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=5)
        started = time.perf_counter()
        clickhouse.run(lambda c: generate(c, DemoPlan(UUID(main_site), args.site, end, 30), "main.example"))
        rest = max(0, args.total - args.site)
        for i, other in enumerate(others):
            plan = DemoPlan(UUID(other), rest // len(others), end, 90, seed=i + 2)
            clickhouse.run(lambda c, p=plan, d=f"other{i}.example": generate(c, p, d))
        if args.clicks:
            clickhouse.run(
                lambda c: c.command(
                    "INSERT INTO events (event_id, site_id, timestamp, kind, name, visitor_id, session_id,"
                    " hostname, pathname, click_x, click_y, viewport_width, document_width, document_height,"
                    " selector, tag, rage, dead, device)"
                    " SELECT generateUUIDv4(number), {s:UUID}, now() - toIntervalSecond(number % 2592000),"
                    " 'click', 'click', number % 50000, number % 80000, 'main.example', '/pricing',"
                    " rand(number) % 1280, rand(number + 1) % 4000, 1280, 1280, 4000,"
                    " concat('#el', toString(rand(number + 2) % 40)), 'button', rand(number + 3) % 50 = 0,"
                    " rand(number + 4) % 20 = 0, 'Desktop' FROM numbers({n:UInt64})",
                    parameters={"s": main_site, "n": args.clicks},
                )
            )
        total = clickhouse.run(lambda c: c.command("SELECT count() FROM events"))
        in_site = clickhouse.run(
            lambda c: c.command(
                "SELECT count() FROM events WHERE site_id = {s:UUID} AND timestamp >= now() - INTERVAL 30 DAY",
                parameters={"s": main_site},
            )
        )
        generated_s = time.perf_counter() - started
        started = time.perf_counter()
        clickhouse.run(lambda c: c.command("OPTIMIZE TABLE events FINAL"))
        print(f"data: {total:,} events ({in_site:,} of the site in 30 days); generated in {generated_s:.1f} s,"
              f" merged in {time.perf_counter() - started:.1f} s")

        cache = redis.Redis.from_url(urls.redis_url)

        def uncache() -> None:
            for key in cache.scan_iter("fm:qc:*"):
                cache.delete(key)

        def api(path: str, body: dict[str, Any]) -> Any:
            def run() -> None:
                response = client.post(path, json=body)
                assert response.status_code == 200, response.text

            return run

        def bare(sql: str, params: dict[str, Any]) -> Any:
            return lambda: clickhouse.run(lambda c: c.query(sql, parameters=params).result_rows)

        period = resolve("30d", datetime.now(UTC), "UTC")
        scope = Scope((UUID(main_site),), period, "UTC", (GoalDef("Signup", "event", event="Signup"),))
        week_scope = replace(scope, period=resolve("91d", datetime.now(UTC), "UTC"))
        base = f"/api/sites/{main_site}"
        overview = ["visitors", "visits", "pageviews", "bounce_rate", "visit_duration"]
        funnel = FunnelDef(
            "bench",
            tuple(
                GoalDef(f"s{i}", s["kind"], path_regex=f"^{s['path']}$" if "path" in s else "",
                        event=s.get("event", ""), path=s.get("path", ""))
                for i, s in enumerate(STEPS)
            ),
            86400,
        )
        cases = [
            ("overview", base + "/query", {"metrics": overview, "date_range": "30d"},
             compile_query(scope, Query(tuple(Metric(m) for m in overview)))[:2]),
            ("timeseries", base + "/query",
             {"metrics": ["visitors", "pageviews"], "date_range": "30d", "dimensions": ["time:day"]},
             compile_query(scope, Query((Metric.VISITORS, Metric.PAGEVIEWS),
                                        (dimension("time:day", Interval.DAY),)))[:2]),
            ("top pages", base + "/query",
             {"metrics": ["visitors", "pageviews"], "date_range": "30d", "dimensions": ["event:page"],
              "pagination": {"limit": 10}},
             compile_query(scope, Query((Metric.VISITORS, Metric.PAGEVIEWS), (dimension("event:page"),),
                                        limit=10))[:2]),
            ("4-step funnel", base + "/funnel", {"steps": STEPS, "date_range": "30d"},
             compile_funnel(scope, funnel, (), None)[:2]),
            ("weekly retention", base + "/retention", {"period": "week", "date_range": "91d", "basis": "person"},
             compile_retention(week_scope, "week", "person", ())),
            ("heatmap", base + "/heatmap", {"page": "/pricing", "date_range": "30d"},
             compile_heatmap(scope, (), ClickScope("/pricing"), 50)),
        ]
        print(f"{'query':<18}{'API ms':>10}{'SQL ms':>10}{'ratio':>8}")
        for name, path, body, (sql, params) in cases:
            if args.only and name not in args.only:
                continue
            api_ms = median_ms(api(path, body), args.runs, before=uncache)
            sql_ms = median_ms(bare(sql, params), args.runs)
            print(f"{name:<18}{api_ms:>10.1f}{sql_ms:>10.1f}{api_ms / sql_ms:>8.2f}")
            sys.stdout.flush()
        server.should_exit = True
        thread.join(timeout=10)


if __name__ == "__main__":
    main()
