"""Fieldmark and a peer side by side, in one run on this machine: the same ingestion load (wrk, a separate
process: the same bodies, addresses and user agents) and then the same 30-day dashboard queries against
each, one after the other so that they never share the CPU, and the ratios.

    python bench/peers.py --peer plausible=http://127.0.0.1:8000,site=example.com,key=API_KEY
    python bench/peers.py --peer umami=http://127.0.0.1:3000,website=WEBSITE_ID,token=TOKEN
    python bench/peers.py --peer fastapi       # bench/peer_fastapi.py: the same design in FastAPI
    python bench/peers.py --peer self          # a second Fieldmark (one process) as a Plausible-API peer

A peer speaks one of two APIs:
- `plausible`: Plausible's Events API (`POST /api/event`) and Stats API v2 (`POST /api/v2/query`, a
  Bearer key with stats access). Plausible itself, and any server compatible with it.
- `umami`: Umami's `POST /api/send` and its website stats API (`/api/websites/{id}/stats`, `/pageviews`,
  `/metrics`), with a Bearer token from `POST /api/auth/login`.
The Fieldmark side is started here (`fieldmark run --collectors 2` on a fresh data dir, the fastest
setup measured in docs/benchmarks.md) unless `--fieldmark URL,site=...,key=...` names a running one.
`--peer fastapi` starts bench/peer_fastapi.py, the same Redis Stream design written as a FastAPI service
usually is; `--peer self` starts a second, single-process Fieldmark. The peer must accept the site's events (its domain, here
`bench.example`, set up beforehand) and count loopback traffic (no IP exclusion, bots aside).

Printed: for each side, the collect rate, p50 and p99 latency and errors under the load, the events each
side reports after the load (every one accepted should be counted), and each query's first answer after
the load and its median over `--runs` more, asked once each side holds `--dataset` events (200,000 by
default: after the timed load, each side is topped up to that many) (a server that caches answers, as Fieldmark does, answers
the repeats from its cache); then Fieldmark's figure over the peer's for each.
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.error
import urllib.request
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from ingest import AGENTS, REFERRERS, free_port, start_server, wrk, wrk_script  # noqa: E402

DOMAIN = "bench.example"
PASSWORD = "bench passphrase, long enough"
LIMIT = """
local done = 0
response = function(status, headers, body)
  done = done + 1
  if done >= {PER_THREAD} then wrk.thread:stop() end
end
"""
def http(method: str, url: str, body: object = None, headers: dict[str, str] | None = None) -> object:
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(url, data=data, method=method, headers={
        "Content-Type": "application/json", "User-Agent": AGENTS[0], **(headers or {})})  # fmt: skip
    with urllib.request.urlopen(request, timeout=120) as response:  # noqa: S310 - the URLs given
        return json.loads(response.read() or b"null")


@dataclass
class Page:
    """One visit's pageview, as each API spells it."""

    path: str
    referrer: str
    width: int


@dataclass
class Side:
    """A server under test: how to send it an event, and the dashboard's four questions."""

    name: str
    url: str
    event_path: str
    content_type: str
    encode: Callable[[Page], str]
    queries: dict[str, Callable[[], object]]
    count: Callable[[], int]  # events (pageviews) it reports for the last 30 days
    stop: Callable[[], None] = field(default=lambda: None)


def plausible_side(name: str, url: str, site: str, key: str) -> Side:
    auth = {"Authorization": f"Bearer {key}"}

    def query(**body: object) -> Callable[[], object]:
        return lambda: http("POST", f"{url}/api/v2/query", {"site_id": site, "date_range": "30d", **body}, auth)

    def count() -> int:
        answer = http("POST", f"{url}/api/v2/query", {"site_id": site, "date_range": "30d",
                                                      "metrics": ["pageviews"]}, auth)  # fmt: skip
        return int(answer["results"][0]["metrics"][0])  # type: ignore[index]

    return Side(
        name, url, "/api/event", "text/plain",
        lambda p: json.dumps({"name": "pageview", "url": f"https://{site}{p.path}", "domain": site,
                              "referrer": p.referrer or None}),
        {
            "overview": query(metrics=["visitors", "visits", "pageviews", "bounce_rate", "visit_duration"]),
            "visitors by day": query(metrics=["visitors"], dimensions=["time:day"]),
            "top pages": query(metrics=["visitors", "pageviews"], dimensions=["event:page"],
                               order_by=[["visitors", "desc"]], pagination={"limit": 10}),
            "top sources": query(metrics=["visitors"], dimensions=["visit:source"],
                                 order_by=[["visitors", "desc"]], pagination={"limit": 10}),
        },
        count,
    )  # fmt: skip


def umami_side(name: str, url: str, website: str, token: str) -> Side:
    auth = {"Authorization": f"Bearer {token}"}

    def window() -> str:
        end = datetime.now(UTC)
        start = end - timedelta(days=30)
        return f"startAt={int(start.timestamp() * 1000)}&endAt={int(end.timestamp() * 1000)}"

    def get(path: str) -> Callable[[], object]:
        return lambda: http("GET", f"{url}/api/websites/{website}/{path}{'&' if '?' in path else '?'}{window()}",
                            headers=auth)  # fmt: skip

    def count() -> int:
        stats = get("stats")()
        pageviews = stats["pageviews"]  # type: ignore[index]
        return int(pageviews["value"] if isinstance(pageviews, dict) else pageviews)

    return Side(
        name, url, "/api/send", "application/json",
        lambda p: json.dumps({"type": "event", "payload": {
            "website": website, "hostname": DOMAIN, "url": p.path, "referrer": p.referrer,
            "language": "en-US", "screen": f"{p.width}x900", "title": ""}}),
        {
            "overview": get("stats"),
            "visitors by day": get("pageviews?unit=day&timezone=UTC"),
            "top pages": get("metrics?type=url&limit=10"),
            "top sources": get("metrics?type=referrer&limit=10"),
        },
        count,
    )  # fmt: skip


def start_fieldmark(collectors: int) -> tuple[str, str, Callable[[], None]]:
    """`fieldmark run` on a fresh data dir with the bench site and a stats:read key: (url, key, stop)."""
    server, data, url = start_server("peers" if collectors else "peers-peer", collectors,
                                     ("bench@example.com", PASSWORD))  # fmt: skip
    # A session for the key: the cookie and CSRF token of a sign-in, by hand.
    opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor())
    login = urllib.request.Request(f"{url}/api/auth/login", method="POST", headers={"Content-Type": "application/json"},
                                   data=json.dumps({"email": "bench@example.com", "password": PASSWORD}).encode())  # fmt: skip
    csrf = json.loads(opener.open(login).read())["csrf_token"]
    team = json.loads(opener.open(f"{url}/api/teams").read())[0]["id"]
    made = urllib.request.Request(f"{url}/api/teams/{team}/api-keys", method="POST",
                                  headers={"Content-Type": "application/json", "X-CSRF-Token": csrf},
                                  data=json.dumps({"name": "bench", "scopes": ["stats:read"]}).encode())  # fmt: skip
    key = json.loads(opener.open(made).read())["key"]

    def stop() -> None:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=120)
        shutil.rmtree(data, ignore_errors=True)

    return url, key, stop


def start_fastapi_peer() -> tuple[str, Callable[[], None]]:
    """bench/peer_fastapi.py on a fresh data dir: (url, stop)."""
    data = Path(tempfile.mkdtemp(prefix="fm-bench-fastapi-"))
    port = free_port()
    server = subprocess.Popen([sys.executable, str(Path(__file__).parent / "peer_fastapi.py"), "--port", str(port),
                               "--data", str(data)], stdout=subprocess.DEVNULL)  # fmt: skip
    url = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            http("POST", f"{url}/api/v2/query", {"site_id": DOMAIN, "date_range": "30d", "metrics": ["visits"]})
            break
        except OSError:
            time.sleep(0.2)

    def stop() -> None:
        server.send_signal(signal.SIGINT)
        server.wait(timeout=60)
        shutil.rmtree(data, ignore_errors=True)

    return url, stop


def parse_peer(spec: str) -> Side:
    if spec == "fastapi":
        url, stop = start_fastapi_peer()
        side = plausible_side("peer (FastAPI, bench/peer_fastapi.py)", url, DOMAIN, "none")
        side.stop = stop
        return side
    if spec == "self":
        url, key, stop = start_fieldmark(collectors=0)
        side = plausible_side("peer (Fieldmark, one process, Plausible API)", url, DOMAIN, key)
        side.stop = stop
        return side
    kind, _, rest = spec.partition("=")
    url, *options = rest.split(",")
    opts = dict(o.split("=", 1) for o in options)
    if kind == "plausible":
        return plausible_side(f"peer (Plausible API, {url})", url, opts.get("site", DOMAIN), opts["key"])
    if kind == "umami":
        return umami_side(f"peer (Umami, {url})", url, opts["website"], opts["token"])
    sys.exit(f"bench: unknown peer kind {kind!r} (plausible, umami, fastapi or self)")


def settled(side: Side, before: int, expected: int) -> int:
    """The events counted since `before`, once `expected` are or the count stands still for 10 s."""
    deadline, counted, last_change = time.monotonic() + 600, -1, time.monotonic()
    while time.monotonic() < deadline:
        now = side.count() - before
        if now != counted:
            counted, last_change = now, time.monotonic()
        if counted >= expected or time.monotonic() - last_change > 10:
            break
        time.sleep(0.5)
    return counted


def measure(side: Side, pages: list[Page], ips: list[str], seconds: int, connections: int, runs: int,
            work: Path, dataset: int) -> dict[str, float]:  # fmt: skip
    bodies = [side.encode(p) for p in pages]
    script = work / f"{abs(hash(side.name))}.lua"
    script.write_text(wrk_script(bodies, ips, side.event_path, side.content_type))
    before = side.count()
    load = wrk(["-t", "2", "-c", str(connections), "-d", f"{seconds}s", "-s", str(script), side.url])
    accepted = int(load["requests"] - load["errors"])
    counted = settled(side, before, accepted)
    figures = {"collect events/s": load["rps"], "collect p50 ms": load["p50_ms"], "collect p99 ms": load["p99_ms"],
               "errors": load["errors"] + load["socket_errors"], "accepted": accepted, "counted": counted}  # fmt: skip
    # The queries run over the same number of events on both sides: each is topped up to `dataset`.
    # wrk runs for its whole duration even once its threads stop: each run lasts what the measured rate
    # needs for what is missing, and stops sending at that count.
    missing = dataset - side.count()
    while missing > connections:
        limited = work / f"{abs(hash(side.name))}-limited.lua"
        limited.write_text(script.read_text() + LIMIT.format(PER_THREAD=missing // 2))
        duration = max(2, min(120, round(missing / max(load["rps"], 1.0) * 1.05)))
        wrk(["-t", "2", "-c", str(connections), "-d", f"{duration}s", "-s", str(limited), side.url])
        settled(side, 0, dataset)
        missing = dataset - side.count()
    figures["events queried"] = float(side.count())
    for name, ask in side.queries.items():
        started = time.perf_counter()
        ask()  # the first answer after the load: no cache can hold it (Fieldmark's is keyed by data version)
        figures[f"{name} first ms"] = (time.perf_counter() - started) * 1000
        times = []
        for _ in range(runs):
            started = time.perf_counter()
            ask()
            times.append((time.perf_counter() - started) * 1000)
        figures[f"{name} median ms"] = statistics.median(times)
    return figures


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--peer", required=True, help="plausible=URL,site=..,key=.. | umami=URL,website=..,token=.. | fastapi | self")
    parser.add_argument("--fieldmark", help="a running Fieldmark: URL,site=DOMAIN,key=KEY (default: start one)")
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--runs", type=int, default=9, help="runs of each query; the median is printed")
    parser.add_argument("--dataset", type=int, default=200_000, help="events each side holds for the queries")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench: wrk is needed (apt-get install wrk)")
    rng = random.Random(7)
    pages = [Page(f"/page/{int(rng.paretovariate(1.2)) % 300}", rng.choice(REFERRERS), rng.choice([390, 1440]))
             for _ in range(200)]  # fmt: skip
    ips = [f"{rng.randrange(1, 223)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
           for _ in range(5000)]  # fmt: skip
    work = Path(tempfile.mkdtemp(prefix="fm-bench-peers-lua-"))
    results: dict[str, dict[str, float]] = {}
    makers: list[Callable[[], Side]] = []
    if args.fieldmark:
        url, *options = args.fieldmark.split(",")
        opts = dict(o.split("=", 1) for o in options)
        makers.append(lambda: plausible_side("Fieldmark", url, opts.get("site", DOMAIN), opts["key"]))
    else:
        def started() -> Side:
            url, key, stop = start_fieldmark(collectors=2)
            side = plausible_side("Fieldmark (run --collectors 2)", url, DOMAIN, key)
            side.stop = stop
            return side
        makers.append(started)
    makers.append(lambda: parse_peer(args.peer))
    for make in makers:  # one at a time: the two never share the machine
        side = make()
        try:
            print(f"{side.name}: {args.seconds} s of load from {args.connections} connections, then the queries",
                  flush=True)  # fmt: skip
            results[side.name] = measure(side, pages, ips, args.seconds, args.connections, args.runs, work,
                                         args.dataset)  # fmt: skip
        finally:
            side.stop()
    (ours, ours_f), (theirs, theirs_f) = results.items()
    print(f"\n| Figure | {ours} | {theirs} | Fieldmark / peer |")
    print("| --- | --- | --- | --- |")
    for key in ours_f:
        a, b = ours_f[key], theirs_f[key]
        ratio = f"{a / b:.2f}" if b else "-"
        print(f"| {key} | {a:,.1f} | {b:,.1f} | {ratio} |")
    print("\nA ratio over 1 is better for Fieldmark on collect events/s; under 1 is better on latencies.")
    shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    main()
