"""Faults on the real engines: no event lost, none written twice."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import httpx

from fieldmark.bootstrap.roles import Role
from tests.conftest import short_tmpdir
from tests.e2e.ingestion.conftest import Running

WRITER = str(Path(__file__).with_name("writer_process.py"))
EVENT = {"n": "pageview", "u": "https://shop.example/", "d": "shop.example"}


def test_clickhouse_away_then_back_loses_nothing(start_fieldmark, site) -> None:
    fm: Running = start_fieldmark(writers=2)
    fm.clickhouse.run(lambda c: c.command("DETACH TABLE events"))
    try:
        for i in range(10):
            assert fm.post([EVENT] * 5, ip=f"198.51.100.{i}").status_code == 202
        # Writers hold the batch in hand and retry it; the rest waits in the stream. Nothing is acknowledged.
        fm.wait_for(lambda: httpx.get(f"{fm.url}/api/health").json()["ingestion"]["in_flight"] > 0)
        assert fm.stream_len() == 50
    finally:
        fm.clickhouse.run(lambda c: c.command("ATTACH TABLE events"))
    fm.wait_rows(50)
    fm.wait_for(lambda: fm.stream_len() == 0)


def test_a_poison_entry_is_dead_lettered_while_the_rest_flow(start_fieldmark, site) -> None:
    fm: Running = start_fieldmark(writers=1)
    fm.redis.xadd("fm:events", {"e": b"\xc1 not msgpack", "v": "1", "s": "2"})
    for i in range(6):
        assert fm.post(EVENT, ip=f"198.51.100.{i}").status_code == 202
    fm.wait_rows(6)
    fm.wait_for(lambda: fm.redis.xlen("fm:events:dead") == 1)
    (dead,) = fm.redis.xrange("fm:events:dead")
    assert dead[1][b"reason"].startswith(b"DecodeError")
    assert dead[1][b"e"] == b"\xc1 not msgpack"
    fm.wait_for(lambda: fm.stream_len() == 0)
    health = httpx.get(f"{fm.url}/api/health").json()
    assert health["ingestion"] == {"backlog": 0, "in_flight": 0, "dead_letters": 1}


def run_writer(path: Path, redis_url: str, consumer: str, mode: str) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [sys.executable, WRITER, str(path), redis_url, consumer, mode],
        capture_output=True,
        text=True,
        timeout=120,
        cwd=Path(__file__).parents[3],
    )


def test_a_writer_killed_between_insert_and_ack_duplicates_nothing(start_fieldmark, site, test_urls) -> None:
    collector: Running = start_fieldmark(writers=0, roles=frozenset({Role.COLLECT}))
    path = short_tmpdir("fm-crash-") / "clickhouse"
    for i in range(6):
        assert collector.post([EVENT] * 5, ip=f"198.51.100.{i}").status_code == 202
    assert collector.stream_len() == 30

    crashed = run_writer(path, test_urls.redis_url, "writer-a", "crash")
    assert crashed.returncode == 70, crashed.stderr
    assert crashed.stdout.strip() == "30"  # inserted, never acknowledged
    assert collector.redis.xpending("fm:events", "writers")["pending"] == 30

    # Another writer takes the silent consumer's batch over whole: the same token, so no duplicate.
    taken_over = run_writer(path, test_urls.redis_url, "writer-b", "drain")
    assert taken_over.returncode == 0, taken_over.stderr
    assert taken_over.stdout.strip().splitlines()[-1] == "30"
    assert collector.stream_len() == 0

    for i in range(4):
        assert collector.post([EVENT] * 5, ip=f"198.51.100.{50 + i}").status_code == 202
    crashed = run_writer(path, test_urls.redis_url, "writer-b", "crash")
    assert crashed.returncode == 70, crashed.stderr
    assert crashed.stdout.strip() == "50"

    # The same consumer restarted replays its own pending batch first: again no duplicate.
    restarted = run_writer(path, test_urls.redis_url, "writer-b", "drain")
    assert restarted.returncode == 0, restarted.stderr
    assert restarted.stdout.strip().splitlines()[-1] == "50"
    assert collector.stream_len() == 0
    assert collector.redis.xpending("fm:events", "writers")["pending"] == 0
