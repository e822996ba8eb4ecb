"""Real round trips on each embedded engine, and the settings each one must run with."""

import uuid

import psycopg
import pytest
import redis

from fieldmark.bootstrap.engines import EngineUrls
from fieldmark.bootstrap.migrate import migrate_clickhouse, migrate_postgres
from fieldmark.bootstrap.stores import ClickHousePool


def test_clickhouse_merge_tree_insert_and_select(clickhouse: ClickHousePool) -> None:
    clickhouse.run(
        lambda c: c.command(
            "CREATE TABLE visits (site String, day Date, n UInt32) ENGINE = MergeTree ORDER BY (site, day)"
        )
    )
    rows = [["a.example", "2026-11-01", 3], ["a.example", "2026-11-02", 4], ["b.example", "2026-11-01", 5]]
    clickhouse.run(
        lambda c: c.insert(
            "visits",
            [[s, __import__("datetime").date.fromisoformat(d), n] for s, d, n in rows],
            column_names=["site", "day", "n"],
        )
    )
    result = clickhouse.run(
        lambda c: (
            c.query(
                "SELECT site, sum(n) FROM visits WHERE day >= {d:Date} GROUP BY site ORDER BY site",
                parameters={"d": "2026-11-01"},
            ).result_rows
        )
    )
    assert result == [("a.example", 7), ("b.example", 5)]


async def test_clickhouse_queries_run_concurrently_from_threads(clickhouse: ClickHousePool) -> None:
    import asyncio

    answers = await asyncio.gather(
        *(clickhouse.arun(lambda c, i=i: c.command(f"SELECT {i} * 2")) for i in range(8))
    )
    assert answers == [i * 2 for i in range(8)]


def test_clickhouse_migrations_apply_once_and_are_recorded(clickhouse: ClickHousePool) -> None:
    first = migrate_clickhouse(clickhouse)
    assert "0001_events" in first
    assert migrate_clickhouse(clickhouse) == []
    recorded = clickhouse.run(lambda c: c.query("SELECT version FROM schema_migrations").result_rows)
    assert {r[0] for r in recorded} == set(first)
    columns = clickhouse.run(lambda c: c.query("DESCRIBE TABLE events").result_rows)
    assert {"event_id", "site_id", "timestamp", "visitor_id", "session_id"} <= {c[0] for c in columns}


def test_postgres_transaction_rolls_back(postgres_url: str) -> None:
    with psycopg.connect(postgres_url) as conn:
        conn.execute("CREATE TABLE ledger (id int PRIMARY KEY, note text)")
        conn.commit()

        def insert_twice() -> None:
            with conn.transaction():
                conn.execute("INSERT INTO ledger VALUES (1, 'kept?')")
                conn.execute("INSERT INTO ledger VALUES (1, 'duplicate')")

        with pytest.raises(psycopg.errors.UniqueViolation):
            insert_twice()
        conn.execute("INSERT INTO ledger VALUES (2, 'committed')")
        conn.commit()
        assert conn.execute("SELECT id, note FROM ledger ORDER BY id").fetchall() == [(2, "committed")]


def test_postgres_migrations_apply_once_and_are_recorded(postgres_url: str) -> None:
    assert migrate_postgres(postgres_url) == []  # the fixture already applied them
    with psycopg.connect(postgres_url) as conn:
        applied = {r[0] for r in conn.execute("SELECT migration_id FROM _yoyo_migration").fetchall()}
        assert "0001_users" in applied
        assert conn.execute("SELECT to_regclass('users') IS NOT NULL").fetchone() == (True,)


def test_redis_stream_add_read_in_group_and_ack(redis_url: str) -> None:
    client = redis.Redis.from_url(redis_url, decode_responses=True)
    stream = f"events-{uuid.uuid4().hex[:6]}"
    client.xgroup_create(stream, "writers", id="0", mkstream=True)
    ids = [client.xadd(stream, {"n": str(i)}) for i in range(3)]
    batch = client.xreadgroup("writers", "w1", {stream: ">"}, count=10)
    ((name, entries),) = batch
    assert name == stream
    assert [fields["n"] for _, fields in entries] == ["0", "1", "2"]
    assert client.xpending(stream, "writers")["pending"] == 3
    assert client.xack(stream, "writers", *ids) == 3
    assert client.xpending(stream, "writers")["pending"] == 0


def test_embedded_redis_keeps_data_and_never_evicts(engines: EngineUrls) -> None:
    client = redis.Redis.from_url(engines.redis_url, decode_responses=True)
    assert client.config_get("appendonly") == {"appendonly": "yes"}
    assert client.config_get("maxmemory-policy") == {"maxmemory-policy": "noeviction"}
