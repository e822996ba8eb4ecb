"""Server mode as separate processes against separate servers: PostgreSQL and Redis run as their own
server processes (Redis on TCP), two `fieldmark collect` processes take the traffic, and the process
that owns ClickHouse (chDB here: one process may open its path, so the api and worker roles share it)
drains the stream with two writer consumers in the group. Every event lands exactly once."""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

import httpx

from tests.conftest import wait_drained
from tests.e2e.test_process import start
from tests.integration.bootstrap.test_server_mode import free_port, separate_servers  # noqa: F401

EVENTS = 90


def _collector(fieldmark_bin: str, env: dict[str, str]) -> tuple[subprocess.Popen[str], str]:
    port = free_port()
    process = subprocess.Popen(
        [fieldmark_bin, "collect"], env={**env, "PORT": str(port)}, text=True, stderr=subprocess.PIPE
    )
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        assert process.poll() is None, process.communicate()[1]
        try:
            if httpx.get(f"{url}/api/live", timeout=2).status_code == 204:
                return process, url
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise AssertionError("fieldmark collect did not start")


def test_two_collectors_and_the_clickhouse_process_land_every_event_once(
    fieldmark_bin: str,
    cli_env: dict[str, str],
    data_dir: Path,
    separate_servers: tuple[str, str],  # noqa: F811
) -> None:
    database_url, redis_url = separate_servers
    env = {**cli_env, "DATABASE_URL": database_url, "REDIS_URL": redis_url, "TRUSTED_PROXIES": "127.0.0.1"}
    site = subprocess.run(
        [fieldmark_bin, "create-site", "--domain", "servers.example"],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert site.returncode == 0, site.stderr
    owner = start(fieldmark_bin, {**env, "WRITERS": "2"})
    collectors = [_collector(fieldmark_bin, env) for _ in range(2)]
    try:
        for i in range(EVENTS):
            _, url = collectors[i % 2]
            sent = httpx.post(
                f"{url}/api/event",
                content=json.dumps(
                    {"n": "pageview", "u": f"https://servers.example/{i}", "d": "servers.example"}
                ),
                headers={
                    "Content-Type": "text/plain",
                    "User-Agent": "Mozilla/5.0 Firefox/121.0",
                    "X-Forwarded-For": f"198.51.100.{i}",
                },
                timeout=10,
            )
            assert sent.status_code == 202, sent.text
        wait_drained(owner.url)
    finally:
        for process, _ in collectors:
            process.terminate()
            process.wait(timeout=30)
        code, stderr = owner.stop()
    assert code == 0, stderr
    counted = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, clickhouse_connect as c; client = c.get_client(dsn='chdb://' + sys.argv[1], "
            "database='fieldmark'); print(client.query('SELECT count(), uniqExact(pathname), "
            "uniqExact(event_id) FROM events').result_rows[0])",
            str(data_dir / "clickhouse"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert counted.stdout.strip() == f"({EVENTS}, {EVENTS}, {EVENTS})"
