"""Disk full under `fieldmark run` on the embedded engines, each data directory on a small tmpfs of its own.

- ClickHouse's disk full: events are still accepted (they wait in the stream), the writer says why it
  cannot insert, and once there is room every accepted event lands exactly once.
- The whole data directory full: Redis cannot append to its log and refuses writes, so the collect
  endpoint answers 503 naming the full disk and takes nothing it could lose; health says the same. Once
  there is room, collecting resumes and every accepted event lands exactly once.
- Then Fieldmark stops cleanly and starts again on the same directory with every row intact.

Mounting a tmpfs needs root (as `make test` runs here and in CI)."""

from __future__ import annotations

import csv
import errno
import io
import json
import os
import re
import subprocess
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest

from tests.conftest import noon_zone, wait_drained
from tests.e2e.test_process import processes_using, start

PASSWORD = "a long enough passphrase"


@pytest.fixture
def small_disks(data_dir: Path) -> Iterator[Path]:
    """The data dir on a 160 MiB tmpfs, and its `clickhouse` folder on a 48 MiB one."""
    assert os.geteuid() == 0, "this test mounts a tmpfs: run it as root"
    inner = data_dir / "clickhouse"
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=160m", "fm-data", str(data_dir)], check=True)
    inner.mkdir()
    subprocess.run(["mount", "-t", "tmpfs", "-o", "size=48m", "fm-clickhouse", str(inner)], check=True)
    try:
        yield data_dir
    finally:
        for proc in processes_using(data_dir):
            proc.kill()
        time.sleep(0.5)
        subprocess.run(["umount", "-l", str(inner)], check=False)
        subprocess.run(["umount", "-l", str(data_dir)], check=False)


def fill(folder: Path) -> Path:
    """Write a ballast file in `folder` until its disk has no byte left."""
    ballast = folder / "ballast"
    chunk = b"\0" * (1 << 20)
    with ballast.open("wb", buffering=0) as f:
        try:
            while True:
                f.write(chunk)
        except OSError as exc:
            if exc.errno != errno.ENOSPC:
                raise
        try:
            while True:  # the last partial megabyte
                f.write(b"\0" * 4096)
        except OSError:
            pass
    return ballast


def send(url: str, path: str) -> httpx.Response:
    return httpx.post(
        f"{url}/api/event",
        content=json.dumps({"n": "pageview", "u": f"https://full.example{path}", "d": "full.example"}),
        headers={"Content-Type": "text/plain", "User-Agent": "Mozilla/5.0 Firefox/121.0"},
        timeout=30,
    )


def stored(client: httpx.Client, site: str) -> list[str]:
    """Every stored event's path, one per row, read back through the raw export."""
    answer = client.post(f"/api/sites/{site}/export/events", json={"date_range": "7d"})
    assert answer.status_code == 200, answer.text
    rows = list(csv.DictReader(io.StringIO(answer.text)))
    assert len({row["event_id"] for row in rows}) == len(rows)  # no duplicate
    return sorted(row["pathname"] for row in rows)


def signed_in(url: str) -> httpx.Client:
    client = httpx.Client(base_url=url, timeout=30)
    signed = client.post("/api/auth/login", json={"email": "full@example.com", "password": PASSWORD})
    assert signed.status_code == 200, signed.text
    client.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
    return client


def test_a_full_disk_refuses_clearly_and_loses_nothing(
    fieldmark_bin: str, cli_env: dict[str, str], small_disks: Path, tmp_path: Path
) -> None:
    log = tmp_path / "fieldmark.log"
    env = {**cli_env, "FIELDMARK_DATA_DIR": str(small_disks), "INGEST_RATE_LIMIT_IP": "100000"}
    running = start(fieldmark_bin, env, log=log)
    client = httpx.Client(base_url=running.url, timeout=30)
    registered = client.post("/api/auth/register", json={"email": "full@example.com", "password": PASSWORD})
    assert registered.status_code == 201, registered.text
    client.headers["X-CSRF-Token"] = registered.json()["csrf_token"]
    team = client.get("/api/teams").json()[0]["id"]
    made = client.post(f"/api/teams/{team}/sites", json={"domain": "full.example", "timezone": noon_zone()})
    assert made.status_code == 201, made.text
    site = made.json()["id"]
    accepted = [f"/before/{i}" for i in range(10) if send(running.url, f"/before/{i}").status_code == 202]
    assert len(accepted) == 10
    wait_drained(running.url)

    # ClickHouse's disk is full: collecting goes on, the events wait in the stream.
    ballast = fill(small_disks / "clickhouse")
    for i in range(40):
        assert send(running.url, f"/ch/{i}").status_code == 202
        accepted.append(f"/ch/{i}")
    # The writer says why it cannot insert, however it batched the 40 (sizes vary with load), and while
    # the disk stays full none of them is stored: they all still wait.
    deadline = time.monotonic() + 30
    while not re.search(r"event store insert of \d+ events? failed", log.read_text()):
        assert time.monotonic() < deadline, "the writer never said why it cannot insert"
        time.sleep(0.2)
    waiting = httpx.get(f"{running.url}/api/health").json()["ingestion"]
    assert waiting["backlog"] + waiting["in_flight"] > 0
    assert stored(client, site) == sorted(accepted[:10])
    ballast.unlink()
    wait_drained(running.url)
    assert stored(client, site) == sorted(accepted)

    # The whole data directory is full: Redis refuses writes, collect says why and takes nothing.
    ballast = fill(small_disks)
    answers = []
    deadline = time.monotonic() + 30
    while not answers or answers[-1][1].status_code != 503:
        assert time.monotonic() < deadline, "collect never refused while the disk was full"
        path = f"/full/{len(answers)}"
        answers.append((path, send(running.url, path)))
        time.sleep(0.1)
    accepted += [path for path, answer in answers if answer.status_code == 202]  # before Redis noticed
    refused = answers[-1][1]
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert "no disk space left" in refused.json()["detail"], refused.text
    assert "Retry-After" in refused.headers
    health = httpx.get(f"{running.url}/api/health")
    assert health.status_code == 503
    assert "cannot write to its disk" in health.json()["stores"]["redis"]["error"]
    ballast.unlink()
    deadline = time.monotonic() + 30
    while send(running.url, "/after").status_code != 202:
        assert time.monotonic() < deadline, "collect did not resume once the disk had room"
        time.sleep(0.5)
    accepted.append("/after")
    wait_drained(running.url)
    assert stored(client, site) == sorted(accepted)
    client.close()

    # A clean stop, and a start on the same directory: every row is there.
    code, _ = running.stop()
    assert code == 0, log.read_text()[-3000:]
    again = start(fieldmark_bin, env, log=log)
    try:
        client = signed_in(again.url)
        assert stored(client, site) == sorted(accepted)
        client.close()
    finally:
        code, _ = again.stop()
    assert code == 0, log.read_text()[-3000:]
