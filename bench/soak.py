"""Soak: a bounded loopback load on `fieldmark run --collectors 2` for a long while (default 10 minutes),
at a fraction of its peak (default 80%). The peak is measured first on the same server: 20 s of wrk
without pause. Then segments of wrk whose connections each pause `--delay-ms` between requests (its
`delay()` hook); after each segment the number of connections is set to steer the rate to the target.
Each segment's rate, p99 latency and errors are recorded, with the resident memory of every process of
the server (the main process, the collect processes, embedded PostgreSQL and Redis); memory growth is
reported from the end of the warm-up (`--warmup-min`). At the end, every accepted event must be in
ClickHouse. Prints a table, and with --plot writes an SVG of rate, latency and memory over time.

    apps/backend/.venv/bin/python bench/soak.py [--minutes 10] [--fraction 0.8] [--plot docs/images/soak.svg]
"""

from __future__ import annotations

import argparse
import json
import random
import shutil
import signal
import sys
import time
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).parent))
from ingest import (  # noqa: E402
    REFERRERS, get_json, server_processes, start_server, stored_events, wrk, wrk_script,
)

THROTTLE = "\ndelay = function() return {DELAY} end\n"


def memory(root: psutil.Process, data: Path) -> dict[str, float]:
    """Resident MiB of the server's processes by kind, and Redis's own count of the memory its data uses
    (`used_memory`: resident memory also holds what its allocator keeps after a peak)."""
    out: dict[str, float] = {}
    try:
        import redis

        out["redis data"] = redis.Redis(unix_socket_path=str(data / "redis" / "redis.sock")).info("memory")[
            "used_memory"
        ] / 2**20
    except Exception:  # noqa: BLE001 - not embedded, or not up yet
        pass
    for kind, procs in server_processes(root.pid, data).items():
        for proc in procs:
            try:
                out[kind] = out.get(kind, 0.0) + proc.memory_info().rss / 2**20
            except (psutil.NoSuchProcess, psutil.AccessDenied):
                continue
    return out


def plot(rows: list[dict[str, float]], path: Path) -> None:
    """Three small line charts (events/s, p99 ms, resident MiB) on one SVG."""
    width, height, pad = 720, 150, 40
    panels = [("events/s", ["rps"]), ("p99 ms", ["p99_ms"]), ("resident MiB", ["main", "collect", "redis", "postgres"])]
    colours = ["#3b5bdb", "#e8590c", "#2b8a3e", "#862e9c"]
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{len(panels) * (height + 20)}" font-family="sans-serif" font-size="11">']
    xs = [r["minute"] for r in rows]
    for i, (title, keys) in enumerate(panels):
        top = i * (height + 20)
        peak = max((r.get(k, 0.0) for r in rows for k in keys), default=1.0) or 1.0
        parts.append(f'<text x="{pad}" y="{top + 12}">{title} (max {peak:,.1f})</text>')
        parts.append(f'<line x1="{pad}" y1="{top + height}" x2="{width - 10}" y2="{top + height}" stroke="#ccc"/>')
        for j, key in enumerate(keys):
            points = " ".join(
                f"{pad + (x / (xs[-1] or 1)) * (width - pad - 10):.1f},{top + height - (r.get(key, 0.0) / peak) * (height - 20):.1f}"
                for x, r in zip(xs, rows, strict=True)
            )
            parts.append(f'<polyline fill="none" stroke="{colours[j]}" stroke-width="1.5" points="{points}"/>')
            if len(keys) > 1:
                parts.append(f'<text x="{width - 140}" y="{top + 26 + 12 * j}" fill="{colours[j]}">{key}</text>')
    parts.append(f'<text x="{pad}" y="{len(panels) * (height + 20) - 4}">minutes</text></svg>')
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text("\n".join(parts) + "\n")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--minutes", type=float, default=10)
    parser.add_argument("--segment", type=int, default=30, help="seconds per wrk run")
    parser.add_argument("--fraction", type=float, default=0.8, help="of the measured peak")
    parser.add_argument("--delay-ms", type=int, default=6, help="pause of each connection between requests")
    parser.add_argument("--warmup-min", type=float, default=2, help="memory growth is counted from here")
    parser.add_argument("--plot", type=Path, default=None)
    args = parser.parse_args()
    if shutil.which("wrk") is None:
        sys.exit("bench: wrk is needed (apt-get install wrk)")
    server, data, base = start_server("soak", collectors=2)
    rows: list[dict[str, float]] = []
    accepted = 0
    try:
        rng = random.Random(1)
        bodies = [
            json.dumps({"n": "pageview", "u": f"https://bench.example/page/{int(rng.paretovariate(1.2)) % 300}",
                        "d": "bench.example", "r": rng.choice(REFERRERS), "w": rng.choice([390, 820, 1440, 1920])})
            for _ in range(200)
        ]  # fmt: skip
        ips = [f"{rng.randrange(1, 223)}.{rng.randrange(256)}.{rng.randrange(256)}.{rng.randrange(1, 255)}"
               for _ in range(5000)]  # fmt: skip
        script, paced = data / "soak.lua", data / "paced.lua"
        script.write_text(wrk_script(bodies, ips))
        paced.write_text(script.read_text() + THROTTLE.format(DELAY=args.delay_ms))
        peak = wrk(["-t", "2", "-c", "64", "-d", "20s", "-s", str(script), base])
        accepted += int(peak["requests"] - peak["errors"])
        target = args.fraction * peak["rps"]
        # Each connection sends about one request per (pause + latency): start from the peak's latency.
        connections = max(2, round(target * (args.delay_ms + peak["p50_ms"]) / 1000))
        print(f"peak {peak['rps']:,.0f} events/s (p99 {peak['p99_ms']:.1f} ms); target {target:,.0f} events/s "
              f"({args.fraction:.0%}), starting with {connections} connections", flush=True)  # fmt: skip
        root = psutil.Process(server.pid)
        started = time.monotonic()
        while time.monotonic() - started < args.minutes * 60:
            figures = wrk(["-t", "2", "-c", str(connections), "-d", f"{args.segment}s", "-s", str(paced), base])
            accepted += int(figures["requests"] - figures["errors"])
            row = {"minute": (time.monotonic() - started) / 60, "connections": connections, **figures,
                   **memory(root, data)}  # fmt: skip
            connections = max(2, round(connections * target / max(figures["rps"], 1.0)))
            rows.append(row)
            print(f"{row['minute']:5.1f} min  {row['connections']:3.0f} conn  {row['rps']:7,.0f} ev/s  p99 {row['p99_ms']:6.1f} ms  "
                  f"errors {int(row['errors'] + row['socket_errors'])}  "
                  + "  ".join(f"{k} {row.get(k, 0):.0f} MiB" for k in ("main", "collect", "redis", "redis data", "postgres")),
                  flush=True)  # fmt: skip
        while True:
            status = get_json(f"{base}/api/health")["ingestion"]
            if status["backlog"] == 0 and status["in_flight"] == 0:
                break
            time.sleep(0.1)
    finally:
        server.send_signal(signal.SIGTERM)
        server.wait(timeout=120)
    counted = stored_events(data)
    warm = next((r for r in rows if r["minute"] >= args.warmup_min), rows[0])
    last = rows[-1]
    errors = sum(int(r["errors"] + r["socket_errors"]) for r in [peak, *rows])
    print(f"soak: {len(rows)} segments, {accepted:,} events accepted, {counted:,} in ClickHouse, {errors} errors")
    print(f"  peak {peak['rps']:,.0f} events/s; target {target:,.0f}; mean {sum(r['rps'] for r in rows) / len(rows):,.0f}")
    print(f"  rate {min(r['rps'] for r in rows):,.0f} to {max(r['rps'] for r in rows):,.0f} events/s; "
          f"p99 {min(r['p99_ms'] for r in rows):.1f} to {max(r['p99_ms'] for r in rows):.1f} ms")  # fmt: skip
    for kind in ("main", "collect", "redis", "redis data", "postgres"):
        if warm.get(kind):
            growth = (last.get(kind, 0.0) - warm[kind]) / warm[kind] * 100
            print(f"  {kind}: {warm[kind]:.0f} MiB after warm-up (minute {warm['minute']:.1f}), "
                  f"{last.get(kind, 0.0):.0f} MiB at the end ({growth:+.1f}%); "
                  f"{min(r.get(kind, 0.0) for r in rows):.0f} to {max(r.get(kind, 0.0) for r in rows):.0f} MiB over the run")
    if args.plot:
        plot(rows, args.plot)
        print(f"  plot: {args.plot}")
    shutil.rmtree(data, ignore_errors=True)
    # wrk stops each segment with up to one request in flight per connection: the server may accept those
    # without wrk counting them, so ClickHouse may hold up to that many more. Fewer would be a loss.
    in_flight = 64 + sum(int(r["connections"]) for r in rows)  # at most one request per connection per wrk run
    if counted < accepted or counted - accepted > in_flight or errors:
        sys.exit("soak: events were lost or refused")


if __name__ == "__main__":
    main()
