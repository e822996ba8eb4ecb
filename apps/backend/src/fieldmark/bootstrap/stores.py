"""Open, check and probe the three stores; every connection failure becomes one line naming the setting."""

from __future__ import annotations

import asyncio
import queue
import time
from collections.abc import Awaitable, Callable, Iterator
from contextlib import contextmanager
from typing import Any

import clickhouse_connect
import msgspec
import psycopg
import redis
import redis.asyncio as aioredis
from clickhouse_connect.driver.client import Client as ClickHouseClient
from psycopg_pool import AsyncConnectionPool

from fieldmark.bootstrap.engines import EngineUrls, redact
from fieldmark.bootstrap.settings import ConfigError
from fieldmark.shared_kernel.errors import first_line


class ClickHousePool:
    """A few clickhouse-connect clients shared by threads: chDB has no async client, so queries run in
    worker threads, each on a client of its own (a chDB client is one connection handle)."""

    def __init__(self, url: str, database: str, size: int = 4, cluster: str | None = None) -> None:
        self.url = url
        self.database = database
        self.cluster = cluster
        self._clients: queue.Queue[ClickHouseClient] = queue.Queue()
        self._all: list[ClickHouseClient] = []
        first = _clickhouse_client(url, None)
        first.command(f"CREATE DATABASE IF NOT EXISTS `{database}`")
        first.database = database
        self._add(first)
        for _ in range(size - 1):
            self._add(_clickhouse_client(url, database))

    def _add(self, client: ClickHouseClient) -> None:
        self._all.append(client)
        self._clients.put(client)

    @contextmanager
    def client(self) -> Iterator[ClickHouseClient]:
        client = self._clients.get()
        try:
            yield client
        finally:
            self._clients.put(client)

    def changes(self, table: str) -> str:
        """Where a mutation (DELETE, ALTER … UPDATE, MATERIALIZE TTL) of `table` goes: the table itself on
        one node; its local tables on every node of a cluster (a Distributed table takes no mutation)."""
        return f"{table}_local ON CLUSTER `{self.cluster}`" if self.cluster else table

    def run(self, work: Callable[[ClickHouseClient], Any]) -> Any:
        with self.client() as client:
            return work(client)

    async def arun(self, work: Callable[[ClickHouseClient], Any]) -> Any:
        """Run `work(client)` in a thread so the event loop never waits on ClickHouse."""
        return await asyncio.to_thread(self.run, work)

    def close(self) -> None:
        for client in self._all:
            client.close()
        self._all.clear()


def _clickhouse_client(url: str, database: str | None) -> ClickHouseClient:
    try:
        if url.startswith("chdb://"):
            return clickhouse_connect.get_client(dsn=url, database=database)
        return clickhouse_connect.get_client(
            dsn=url,
            database=database,
            connect_timeout=5,
            send_receive_timeout=60,
            autogenerate_session_id=False,
        )
    except Exception as exc:
        raise ConfigError("CLICKHOUSE_URL", f"cannot connect to {redact(url)} ({first_line(exc)})") from None


def open_clickhouse(urls: EngineUrls) -> ClickHousePool:
    return ClickHousePool(urls.clickhouse_url, urls.clickhouse_database, cluster=urls.clickhouse_cluster)


def check_postgres(url: str) -> None:
    """Fail fast with one line when PostgreSQL cannot be reached."""
    try:
        with psycopg.connect(url, connect_timeout=5) as conn:
            conn.execute("SELECT 1")
    except psycopg.Error as exc:
        raise ConfigError("DATABASE_URL", f"cannot connect to {redact(url)} ({first_line(exc)})") from None


def check_redis(url: str) -> None:
    """Fail fast with one line when Redis cannot be reached, or would evict the stream under pressure."""
    client = redis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=5)
    try:
        client.ping()
        try:
            policy = client.config_get("maxmemory-policy").get("maxmemory-policy", "noeviction")
        except redis.ResponseError:  # managed Redis services may forbid CONFIG
            policy = "noeviction"
    except (redis.RedisError, OSError) as exc:
        raise ConfigError("REDIS_URL", f"cannot connect to {redact(url)} ({first_line(exc)})") from None
    finally:
        client.close()
    if policy != "noeviction":
        raise ConfigError("REDIS_URL", f"maxmemory-policy is {policy}; Fieldmark needs noeviction")


def open_postgres_pool(url: str) -> AsyncConnectionPool:
    return AsyncConnectionPool(url, min_size=1, max_size=10, open=False, kwargs={"autocommit": False})


def open_redis(url: str) -> aioredis.Redis:
    return aioredis.Redis.from_url(url, socket_connect_timeout=5, socket_timeout=10)


class StoreHealth(msgspec.Struct, frozen=True):
    """One store's answer to a health probe."""

    status: str
    version: str | None = None
    round_trip_ms: float | None = None
    error: str | None = None


async def _timed(probe: Callable[[], Awaitable[str]], timeout: float) -> StoreHealth:
    started = time.perf_counter()
    try:
        version = await asyncio.wait_for(probe(), timeout)
    except Exception as exc:
        return StoreHealth(status="error", error=first_line(exc))
    elapsed = round((time.perf_counter() - started) * 1000, 2)
    return StoreHealth(status="ok", version=version, round_trip_ms=elapsed)


async def probe_clickhouse(pool: ClickHousePool, timeout: float = 3) -> StoreHealth:
    async def probe() -> str:
        return str(await pool.arun(lambda c: c.command("SELECT version()")))

    return await _timed(probe, timeout)


async def probe_postgres(pg: AsyncConnectionPool, timeout: float = 3) -> StoreHealth:
    async def probe() -> str:
        async with pg.connection(timeout=timeout) as conn:
            cursor = await conn.execute("SHOW server_version")
            row = await cursor.fetchone()
            return str(row[0]) if row else "unknown"

    return await _timed(probe, timeout)


async def probe_redis(client: aioredis.Redis, timeout: float = 3) -> StoreHealth:
    async def probe() -> str:
        info = await client.info("server")
        persistence = await client.info("persistence")
        if "err" in (persistence.get("aof_last_write_status"), persistence.get("rdb_last_bgsave_status")):
            # Redis refuses every write now (MISCONF): the stream takes no event until its disk has room.
            raise RuntimeError("Redis cannot write to its disk (full?); it refuses writes until it can")
        return str(info.get("redis_version", "unknown"))

    return await _timed(probe, timeout)
