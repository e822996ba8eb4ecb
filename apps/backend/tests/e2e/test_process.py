"""The `fieldmark` command as a user runs it: start, health, clean stop, restart with every row kept,
and bad configuration stopped with one clear line."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pgserver
import psutil
import psycopg
import pytest
import redis

from tests.conftest import wait_drained
from tests.integration.bootstrap.test_server_mode import free_port

CHDB_SCRIPT = """
import sys, clickhouse_connect
client = clickhouse_connect.get_client(dsn="chdb://" + sys.argv[1], database="fieldmark")
if sys.argv[2] == "insert":
    client.command("INSERT INTO events (event_id, site_id, timestamp, kind, name, pathname) VALUES "
                   "(generateUUIDv4(), generateUUIDv4(), now64(), 'pageview', 'pageview', '/kept')")
print(client.command("SELECT count() FROM events WHERE pathname = '/kept'"))
"""


class Running:
    def __init__(self, process: subprocess.Popen[str], port: int) -> None:
        self.process = process
        self.url = f"http://127.0.0.1:{port}"

    def stop(self) -> tuple[int, str]:
        self.process.send_signal(signal.SIGTERM)
        _, stderr = self.process.communicate(timeout=60)
        return self.process.returncode, stderr or ""


def start(
    fieldmark_bin: str, env: dict[str, str], log: Path | None = None, *, new_session: bool = False
) -> Running:
    """`fieldmark run` on a free port, once healthy. Its log goes to `log` when given (a run that logs
    much would fill a pipe nobody reads until the stop), else to a pipe read at the stop. `new_session`:
    in a process group of its own, as a terminal or a service manager starts it (to be killed whole)."""
    port = free_port()
    process = subprocess.Popen(
        [fieldmark_bin, "run"],
        env={**env, "PORT": str(port)},
        text=True,
        stdout=subprocess.PIPE,
        stderr=log.open("a") if log is not None else subprocess.PIPE,
        start_new_session=new_session,
    )
    running = Running(process, port)
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise AssertionError(f"fieldmark run exited {process.returncode}: {process.communicate()[1]}")
        try:
            if httpx.get(f"{running.url}/api/health", timeout=2).status_code == 200:
                return running
        except httpx.TransportError:
            pass
        time.sleep(0.2)
    process.kill()
    raise AssertionError(f"fieldmark run did not become healthy: {process.communicate()[1]}")


def processes_using(data_dir: Path) -> list[psutil.Process]:
    found = []
    for proc in psutil.process_iter(["cmdline"]):
        try:
            if any(str(data_dir) in part for part in proc.info["cmdline"] or []):
                found.append(proc)
        except (psutil.NoSuchProcess, psutil.AccessDenied):
            continue
    return found


@pytest.fixture
def cleanup(data_dir: Path) -> Iterator[None]:
    yield
    for proc in processes_using(data_dir):  # a failed test must not leave servers behind
        proc.kill()


def chdb(data_dir: Path, action: str) -> int:
    out = subprocess.run(
        [sys.executable, "-c", CHDB_SCRIPT, str(data_dir / "clickhouse"), action],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return int(out.stdout.strip().splitlines()[-1])


def test_run_serves_stops_cleanly_and_keeps_every_row_across_restarts(
    fieldmark_bin: str, cli_env: dict[str, str], data_dir: Path, cleanup: None
) -> None:
    first = start(fieldmark_bin, cli_env)
    health = httpx.get(f"{first.url}/api/health").json()
    assert {n: (s["status"], bool(s["version"])) for n, s in health["stores"].items()} == {
        "clickhouse": ("ok", True),
        "postgres": ("ok", True),
        "redis": ("ok", True),
    }
    assert httpx.get(f"{first.url}/").status_code == 200
    servers = [p for p in processes_using(data_dir) if p.pid != first.process.pid]
    assert servers, "the embedded PostgreSQL and Redis should run as child servers"

    # A second instance on the same data dir is refused: chDB allows one process per path.
    second = subprocess.run(
        [fieldmark_bin, "run"],
        env={**cli_env, "PORT": str(free_port())},
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert second.returncode == 2
    assert second.stderr.strip().splitlines()[-1].startswith("fieldmark: CLICKHOUSE_URL: ")
    assert "already open" in second.stderr

    # Rows written while it runs: a user through the CLI (sharing the running PostgreSQL), a stream entry.
    admin = subprocess.run(
        [fieldmark_bin, "create-admin", "--email", "owner@example.com", "--password-stdin"],
        input="a long enough passphrase\n",
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert admin.returncode == 0, admin.stderr
    assert "created instance admin owner@example.com" in admin.stdout
    weak = subprocess.run(
        [fieldmark_bin, "create-admin", "--email", "x@example.com", "--password-stdin"],
        input="short\n",
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert weak.returncode == 1
    assert weak.stderr.strip() == "fieldmark: password must have at least 10 characters"
    stream = redis.Redis(unix_socket_path=str(data_dir / "redis" / "redis.sock"))
    stream.xadd("fieldmark:test-stream", {"kept": "yes"})

    code, stderr = first.stop()
    assert code == 0, stderr
    assert "Traceback" not in stderr
    for server in servers:
        assert not server.is_running() or server.status() == psutil.STATUS_ZOMBIE, (
            f"orphan: {server.cmdline()}"
        )
    assert processes_using(data_dir) == []

    assert chdb(data_dir, "insert") == 1  # a ClickHouse row written between runs

    again = start(fieldmark_bin, cli_env)
    postgres = pgserver.get_server(data_dir / "postgres", cleanup_mode=None)  # attach; the app owns it
    with psycopg.connect(postgres.get_uri()) as conn:
        assert conn.execute("SELECT email FROM users").fetchall() == [("owner@example.com",)]
    stream = redis.Redis(unix_socket_path=str(data_dir / "redis" / "redis.sock"))
    assert stream.xrange("fieldmark:test-stream")[0][1] == {b"kept": b"yes"}
    code, stderr = again.stop()
    assert code == 0, stderr
    assert "applied" not in stderr, "migrations ran again on restart"
    assert chdb(data_dir, "count") == 1


@pytest.mark.parametrize(
    ("env", "setting", "words"),
    [
        ({"DATABASE_URL": "postgresql://fm@127.0.0.1:1/fm"}, "DATABASE_URL", "cannot connect"),
        ({"REDIS_URL": "redis://127.0.0.1:1/0"}, "REDIS_URL", "cannot connect"),
        ({"CLICKHOUSE_URL": "http://127.0.0.1:1"}, "CLICKHOUSE_URL", "cannot connect"),
        ({"CLICKHOUSE_URL": "tcp://127.0.0.1:9000"}, "CLICKHOUSE_URL", "unknown scheme"),
        ({"FIELDMARK_DATA_DIR": "/proc/fieldmark"}, "FIELDMARK_DATA_DIR", "not a writable directory"),
        ({"PORT": "http"}, "PORT", "whole number"),
    ],
)
def test_bad_configuration_stops_with_one_line(
    fieldmark_bin: str,
    cli_env: dict[str, str],
    data_dir: Path,
    cleanup: None,
    env: dict[str, str],
    setting: str,
    words: str,
) -> None:
    result = subprocess.run(
        [fieldmark_bin, "run"], env={**cli_env, **env}, capture_output=True, text=True, timeout=90
    )
    assert result.returncode == 2
    lines = [line for line in result.stderr.splitlines() if line.startswith("fieldmark: ")]
    assert len(lines) == 1, result.stderr
    assert lines[0].startswith(f"fieldmark: {setting}: ")
    assert words in lines[0]
    assert "Traceback" not in result.stderr
    assert processes_using(data_dir) == []


def test_single_roles_refuse_to_start_embedded_engines(fieldmark_bin: str, cli_env: dict[str, str]) -> None:
    result = subprocess.run(
        [fieldmark_bin, "collect"], env=cli_env, capture_output=True, text=True, timeout=60
    )
    assert result.returncode == 2
    assert result.stderr.strip().startswith(
        "fieldmark: DATABASE_URL: `fieldmark collect` runs against servers"
    )


def test_extra_collect_processes_share_the_port_and_lose_nothing(
    fieldmark_bin: str, cli_env: dict[str, str], data_dir: Path, cleanup: None
) -> None:
    site = subprocess.run(
        [fieldmark_bin, "create-site", "--domain", "shop.example"],
        env=cli_env,
        capture_output=True,
        text=True,
        timeout=60,
    )
    assert site.returncode == 0, site.stderr
    running = start(fieldmark_bin, {**cli_env, "COLLECT_PROCESSES": "1", "TRUSTED_PROXIES": "127.0.0.1"})
    children = [
        p for p in psutil.Process(running.process.pid).children() if "collect" in " ".join(p.cmdline())
    ]
    assert len(children) == 1

    # Whichever process the kernel picks, health and the dashboard are the main process's answers.
    with httpx.Client(base_url=running.url) as client:
        for _ in range(12):
            fresh = httpx.get(f"{running.url}/api/health")  # a new connection each time
            assert fresh.status_code == 200
            assert set(fresh.json()["stores"]) == {"clickhouse", "postgres", "redis"}
        assert client.get("/").status_code == 200
        assert client.get("/api/live").status_code == 204
    for i in range(40):
        response = httpx.post(
            f"{running.url}/api/event",
            timeout=10,
            content=json.dumps({"n": "pageview", "u": f"https://shop.example/{i}", "d": "shop.example"}),
            headers={
                "Content-Type": "text/plain",
                "User-Agent": "Mozilla/5.0 Firefox/121.0",
                "X-Forwarded-For": f"198.51.100.{i}",
            },
        )
        assert response.status_code == 202, response.text
    wait_drained(running.url)
    code, stderr = running.stop()
    assert code == 0, stderr
    assert all(not child.is_running() or child.status() == psutil.STATUS_ZOMBIE for child in children)
    assert processes_using(data_dir) == []
    counted = subprocess.run(
        [
            sys.executable,
            "-c",
            "import sys, clickhouse_connect as c; print(c.get_client(dsn='chdb://' + "
            "sys.argv[1], database='fieldmark').command('SELECT count() FROM events'))",
            str(data_dir / "clickhouse"),
        ],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    assert int(counted.stdout.strip()) == 40


@pytest.mark.parametrize("header", ["Forwarded", "X-Forwarded-For", "X-Fieldmark-Peer"])
def test_a_forged_forwarding_header_does_not_escape_the_sign_in_throttle(
    fieldmark_bin: str, cli_env: dict[str, str], cleanup: None, header: str
) -> None:
    """A public client (no trusted proxy) rotating a made-up address on every attempt, against `fieldmark
    run` with a collect process sharing the port: whichever process answers, it is one client, refused
    after 10 attempts."""
    running = start(fieldmark_bin, {**cli_env, "COLLECT_PROCESSES": "1"})
    try:
        statuses = []
        for i in range(24):  # new connections, so the kernel hands some to the collect process
            forged = f"for=198.51.100.{i}" if header == "Forwarded" else f"198.51.100.{i}"
            statuses.append(
                httpx.post(
                    f"{running.url}/api/auth/login",
                    json={"email": f"nobody{i}@example.com", "password": "a wrong guess"},
                    headers={header: forged},
                    timeout=30,
                ).status_code
            )
        assert statuses == [401] * 10 + [429] * 14, statuses
    finally:
        code, stderr = running.stop()
    assert code == 0, stderr


def test_headers_that_never_finish_get_a_408_and_the_connection_closed(
    fieldmark_bin: str, cli_env: dict[str, str], cleanup: None
) -> None:
    """A slowloris client: headers begun and never finished, a byte at a time, hold no connection past
    the header deadline; a normal request on another connection is answered meanwhile."""
    import socket

    from fieldmark.bootstrap.header_deadline import HEADER_TIMEOUT_S

    running = start(fieldmark_bin, cli_env)
    try:
        port = int(running.url.rsplit(":", 1)[1])
        slow = socket.create_connection(("127.0.0.1", port), timeout=HEADER_TIMEOUT_S + 20)
        slow.sendall(b"POST /api/event HTTP/1.1\r\nHost: 127.0.0.1\r\n")
        started = time.monotonic()
        answer = b""
        for _ in range(int(HEADER_TIMEOUT_S) + 20):  # a header line a second: never the blank line
            assert httpx.get(f"{running.url}/api/live", timeout=5).status_code == 204
            try:
                slow.sendall(b"X-Slow: 1\r\n")
            except OSError:
                break  # closed by the server
            slow.settimeout(1)
            try:
                chunk = slow.recv(4096)
            except TimeoutError:
                continue
            answer += chunk
            if not chunk:
                break
        elapsed = time.monotonic() - started
        slow.close()
        assert answer.startswith(b"HTTP/1.1 408"), answer
        assert elapsed < HEADER_TIMEOUT_S + 5
    finally:
        code, stderr = running.stop()
    assert code == 0, stderr


def _postgres_servers(data_dir: Path) -> list[psutil.Process]:
    return [
        p for p in processes_using(data_dir) if "postgres" in p.name() and p.status() != psutil.STATUS_ZOMBIE
    ]


def test_after_kill_9_of_the_whole_group_the_next_run_takes_over_the_orphaned_postgres(
    fieldmark_bin: str, cli_env: dict[str, str], data_dir: Path, cleanup: None
) -> None:
    """pg_ctl runs PostgreSQL in a session of its own, so SIGKILL of `fieldmark run`'s whole process group
    leaves it running. The next run takes it over (its data intact) and, on a clean stop, stops it: no
    PostgreSQL of this data directory is left."""
    first = start(fieldmark_bin, cli_env, new_session=True)
    try:
        with httpx.Client(base_url=first.url, timeout=30) as client:
            assert (
                client.post(
                    "/api/auth/register", json={"email": "k@example.com", "password": "a long passphrase"}
                ).status_code
                == 201
            )
    finally:  # the whole group, as a crash or an OOM kill would
        os.killpg(first.process.pid, signal.SIGKILL)
        first.process.wait(timeout=30)
    orphans = _postgres_servers(data_dir)
    assert orphans, "the embedded PostgreSQL did not survive the kill: nothing to take over"

    second = start(fieldmark_bin, cli_env, new_session=True)
    try:  # in a session of its own, a run left by a failed assertion would outlive the test
        with httpx.Client(base_url=second.url, timeout=30) as client:
            kept = client.post(
                "/api/auth/login", json={"email": "k@example.com", "password": "a long passphrase"}
            )
            assert kept.status_code == 200, kept.text  # the orphan's data, served by the new run
    finally:
        code, stderr = second.stop()
    assert code == 0, stderr
    deadline = time.monotonic() + 30
    while _postgres_servers(data_dir):
        assert time.monotonic() < deadline, [p.cmdline() for p in _postgres_servers(data_dir)]
        time.sleep(0.2)
    assert "taking it over" in stderr
