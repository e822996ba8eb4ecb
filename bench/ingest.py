"""Ingestion benchmark: loopback HTTP load from wrk (a separate process) against `fieldmark run` on the
embedded engines, measuring the collect endpoint (events/s, p50/p99 latency), a trivial endpoint on the
same server for comparison, and end-to-end throughput until every event is in ClickHouse.

    python bench/ingest.py [--seconds 20] [--connections 64] [--batch 1] [--collectors 0]
"""

from __future__ import annotations

import argparse
import json
import os
import random
import re
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
FIELDMARK = ROOT / "apps/backend/.venv/bin/fieldmark"
PYTHON = ROOT / "apps/backend/.venv/bin/python"
AGENTS = [
    "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Safari/537.36",
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Safari/605.1.15",
    "Mozilla/5.0 (iPhone; CPU iPhone OS 17_1 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.1 Mobile/15E148 Safari/604.1",
    "Mozilla/5.0 (X11; Ubuntu; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0",
    "Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/120.0.0.0 Mobile Safari/537.36",
]
REFERRERS = ["", "", "https://www.google.com/", "https://t.co/x", "https://news.ycombinator.com/", "https://chatgpt.com/"]

WRK_SCRIPT = """
local bodies, ips, agents = {BODIES}, {IPS}, {AGENTS}
local n = 0
request = function()
  n = n + 1
  local headers = {{}}
  headers["Content-Type"] = "{CONTENT_TYPE}"
  headers["X-Forwarded-For"] = ips[(n % #ips) + 1]
  headers["User-Agent"] = agents[(n % #agents) + 1]
  return wrk.format("POST", "{PATH}", headers, bodies[(n % #bodies) + 1])
end
"""


def wrk_script(bodies: list[str], ips: list[str], path: str = "/api/event", content_type: str = "text/plain") -> str:
    """A wrk Lua script posting `bodies` in turn, each from the next address and user agent."""
    return WRK_SCRIPT.format(BODIES=lua_list(bodies), IPS=lua_list(ips), AGENTS=lua_list(AGENTS), PATH=path,
                             CONTENT_TYPE=content_type)  # fmt: skip


def lua_list(items: list[str]) -> str:
    return "{" + ",".join(json.dumps(item) for item in items) + "}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


def get_json(url: str) -> dict:
    try:
        with urllib.request.urlopen(url, timeout=5) as response:  # noqa: S310 - loopback only
            return json.loads(response.read())
    except urllib.error.HTTPError as exc:
        return json.loads(exc.read())


def server_processes(root_pid: int, data: Path) -> dict[str, list]:
    """The server's processes by kind (main, collect, redis, postgres): its own tree, and the embedded
    PostgreSQL, which pg_ctl detaches (found by its data directory)."""
    import psutil

    root = psutil.Process(root_pid)
    procs = {p.pid: p for p in [root, *root.children(recursive=True)]}
    for proc in psutil.process_iter(["cmdline"]):
        if str(data) in " ".join(proc.info["cmdline"] or []):
            procs.setdefault(proc.pid, proc)
    out: dict[str, list] = {}
    for proc in procs.values():
        try:
            line = " ".join(proc.cmdline())
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
        kind = (
            "main" if proc.pid == root.pid
            else "redis" if "redis-server" in line
            else "postgres" if "postgres" in line
            else "collect" if "collect" in line
            else "other"
        )  # fmt: skip
        out.setdefault(kind, []).append(proc)
    return out


def cpu_seconds(groups: dict[str, list]) -> dict[str, float]:
    """User plus system CPU seconds used so far, by kind."""
    out = {}
    for kind, procs in groups.items():
        total = 0.0
        for proc in procs:
            try:
                times = proc.cpu_times()
                total += times.user + times.system
            except Exception:  # noqa: BLE001 - a process that ended
                continue
        out[kind] = total
    return out


def wait_healthy(base: str, seconds: float = 120) -> None:
    """Until `base`'s /api/health says ok (a fresh data dir starts PostgreSQL and migrates first)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if get_json(f"{base}/api/health").get("status") == "ok":
                return
        except OSError:
            pass
        time.sleep(0.2)
    sys.exit(f"bench: {base} did not become healthy in {seconds:.0f} s")


def start_server(name: str, collectors: int, admin: tuple[str, str] | None = None) -> tuple[subprocess.Popen, Path, str]:
    """`fieldmark run` with `collectors` extra collect processes on a fresh data dir holding the site
    bench.example (and an admin account, `admin` = (email, password)), with no rate limit, its log in
    /tmp/fieldmark-bench-NAME.log (a pipe nobody reads would fill and block it). Returns once healthy:
    (process, data dir, base URL)."""
    data = Path(tempfile.mkdtemp(prefix=f"fm-bench-{name}-"))
    port = free_port()
    env = {**os.environ, "FIELDMARK_DATA_DIR": str(data), "PORT": str(port), "TRUSTED_PROXIES": "127.0.0.1",
           "INGEST_RATE_LIMIT_IP": "1000000", "INGEST_RATE_LIMIT_SITE": "1000000000", "LOG_LEVEL": "warning",
           "COLLECT_PROCESSES": str(collectors)}  # fmt: skip
    if admin is not None:
        subprocess.run([FIELDMARK, "create-admin", "--email", admin[0], "--password-stdin"], env=env,
                       input=admin[1] + "\n", text=True, check=True, capture_output=True)  # fmt: skip
    subprocess.run([FIELDMARK, "create-site", "--domain", "bench.example"], env=env, check=True, capture_output=True)
    log = Path(tempfile.gettempdir()) / f"fieldmark-bench-{name}.log"
    print(f"server log: {log}", flush=True)
    server = subprocess.Popen([FIELDMARK, "run"], env=env, stdout=subprocess.DEVNULL, stderr=log.open("w"))
    base = f"http://127.0.0.1:{port}"
    try:
        wait_healthy(base)
    except SystemExit:
        server.kill()
        raise
    return server, data, base


def stored_events(data: Path) -> int:
    """The bench site's rows in ClickHouse, read from the data dir of a stopped `fieldmark`."""
    return int(subprocess.run(
        [PYTHON, "-c", "import sys, clickhouse_connect as c; print(c.get_client(dsn='chdb://' + sys.argv[1], "
         "database='fieldmark').command(\"SELECT count() FROM events WHERE hostname = 'bench.example'\"))",
         str(data / "clickhouse")], capture_output=True, text=True, check=True).stdout.strip())  # fmt: skip


def wrk(args: list[str]) -> dict[str, float]:
    out = subprocess.run(["wrk", "--latency", *args], capture_output=True, text=True, check=True).stdout
    figures = {"rps": float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))}
    total = re.search(r"(\d+) requests in ([\d.]+)(\w+),", out)
    figures["requests"] = float(total.group(1))
    errors = re.search(r"Non-2xx or 3xx responses: (\d+)", out)
    figures["errors"] = float(errors.group(1)) if errors else 0.0
    socket_errors = re.search(r"Socket errors: connect (\d+), read (\d+), write (\d+), timeout (\d+)", out)
    figures["socket_errors"] = float(sum(int(g) for g in socket_errors.groups())) if socket_errors else 0.0
    for pct in ("50", "99"):
        value, unit = re.search(rf"\s{pct}%\s+([\d.]+)(\w+)", out).groups()
        figures[f"p{pct}_ms"] = float(value) * {"us": 0.001, "ms": 1, "s": 1000}[unit]
    return figures


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--seconds", type=int, default=20)
    parser.add_argument("--connections", type=int, default=64)
    parser.add_argument("--batch", type=int, default=1, help="events per request")
    parser.add_argument("--collectors", type=int, default=0, help="extra collect processes")
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench: wrk is needed (apt-get install wrk)")

    server, data, base = start_server("ingest", args.collectors)
    try:
        rng = random.Random(1)
        bodies = []
        for _ in range(200):
            events = [{"n": "pageview", "u": f"https://bench.example/page/{int(rng.paretovariate(1.2)) % 300}",
                       "d": "bench.example", "r": rng.choice(REFERRERS), "w": rng.choice([390, 820, 1440, 1920])}
                      for _ in range(args.batch)]
            bodies.append(json.dumps(events if args.batch > 1 else events[0]))
        ips = [f"{rng.randrange(1, 223)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
               for _ in range(5000)]
        script = data / "post.lua"
        script.write_text(wrk_script(bodies, ips))

        threads = "2"
        wrk(["-t", threads, "-c", "16", "-d", "3s", "-s", str(script), base])  # warm-up (caches, JIT of regexes)
        groups = server_processes(server.pid, data)
        cpu_noop = cpu_seconds(groups)
        noop = wrk(["-t", threads, "-c", str(args.connections), "-d", f"{args.seconds}s", f"{base}/api/live"])
        cpu_noop = {k: v - cpu_noop[k] for k, v in cpu_seconds(groups).items()}
        before = get_json(f"{base}/api/health")["ingestion"]
        cpu_before = cpu_seconds(groups)
        started = time.monotonic()
        collect = wrk(["-t", threads, "-c", str(args.connections), "-d", f"{args.seconds}s", "-s", str(script),
                       base])
        load_s = time.monotonic() - started
        while True:
            status = get_json(f"{base}/api/health")["ingestion"]
            if status["backlog"] == 0 and status["in_flight"] == 0:
                break
            time.sleep(0.05)
        drained_s = time.monotonic() - started
        cpu_used = {k: v - cpu_before[k] for k, v in cpu_seconds(groups).items()}
        accepted = int(collect["requests"] - collect["errors"]) * args.batch
        print(f"ingest: {args.connections} connections, {args.batch} event(s) per request, "
              f"{args.collectors} extra collect process(es), {args.seconds} s of load")
        print(f"  no-op endpoint (GET /api/live): {noop['rps']:,.0f} req/s, p50 {noop['p50_ms']:.2f} ms, "
              f"p99 {noop['p99_ms']:.2f} ms")
        print(f"  collect endpoint: {collect['rps']:,.0f} req/s = {collect['rps'] * args.batch:,.0f} events/s, "
              f"p50 {collect['p50_ms']:.2f} ms, p99 {collect['p99_ms']:.2f} ms, "
              f"{int(collect['errors'])} errors, {int(collect['socket_errors'])} socket errors")
        print(f"  collect / no-op request rate: {collect['rps'] / noop['rps']:.2f}")
        noop_requests = noop["requests"]
        print("  CPU per request of the no-op load: "
              + ", ".join(f"{k} {v / noop_requests * 1e6:.0f} us" for k, v in sorted(cpu_noop.items()) if v))
        print("  CPU per event, from the load to the last row in ClickHouse: "
              + ", ".join(f"{k} {v / max(accepted, 1) * 1e6:.0f} us" for k, v in sorted(cpu_used.items()) if v))
        print(f"  end to end: {accepted:,} events in ClickHouse {drained_s:.1f} s after the load began "
              f"(load {load_s:.1f} s): {accepted / drained_s:,.0f} events/s sustained; "
              f"backlog before {before['backlog']}, dead letters {status['dead_letters']}")
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=60)
    counted = stored_events(data)
    warmup_note = "(includes the warm-up's events)"
    print(f"  rows in ClickHouse after stop: {int(counted):,} {warmup_note}")
    shutil.rmtree(data, ignore_errors=True)


if __name__ == "__main__":
    main()
