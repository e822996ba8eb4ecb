"""The ClickHouse migrations in cluster form (CLICKHOUSE_CLUSTER): each table becomes a replicated local
table on every node and a Distributed table over them; columns are added to both, TTLs set on the local
tables; every statement runs ON CLUSTER. On one node nothing of that appears."""

from __future__ import annotations

import re

import pytest

from fieldmark.bootstrap.migrate import clickhouse_migrations
from fieldmark.bootstrap.settings import ConfigError, load_settings
from fieldmark.bootstrap.stores import ClickHousePool


def rendered(cluster: str | None) -> list[str]:
    return [s for m in clickhouse_migrations() for s in m.statements(cluster)]


def test_every_table_is_replicated_locally_and_distributed() -> None:
    ddl = rendered("analytics")
    assert all("ON CLUSTER `analytics`" in s for s in ddl)
    creates = {m.group(1): s for s in ddl if (m := re.match(r"CREATE TABLE IF NOT EXISTS (\w+)", s))}
    assert set(creates) == {"events_local", "events", "imported_local", "imported"}
    path = "'/clickhouse/tables/{shard}/{database}/events_local', '{replica}'"
    engine = f"ENGINE = ReplicatedReplacingMergeTree({path})"
    assert engine in creates["events_local"]
    assert (
        "ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/{database}/imported_local'"
        in creates["imported_local"]
    )
    for table in ("events", "imported"):
        assert creates[table] == (
            f"CREATE TABLE IF NOT EXISTS {table} ON CLUSTER `analytics` AS {table}_local"
            f" ENGINE = Distributed(`analytics`, currentDatabase(), {table}_local, rand())"
        )
    # The local table comes first, so the Distributed one can copy its columns.
    assert ddl.index(creates["events_local"]) < ddl.index(creates["events"])


def test_columns_go_to_both_tables_and_the_ttl_to_the_local_ones() -> None:
    ddl = rendered("analytics")
    added = [s for s in ddl if "ADD COLUMN IF NOT EXISTS retention_days" in s]
    assert [s.split()[2] for s in added] == ["events_local", "events"]
    ttl = [s for s in ddl if "MODIFY TTL" in s]
    assert len(ttl) == 1
    assert ttl[0].startswith("ALTER TABLE events_local ON CLUSTER `analytics` MODIFY TTL")


def test_one_node_gets_plain_tables() -> None:
    ddl = rendered(None)
    assert not any("ON CLUSTER" in s or "Replicated" in s or "Distributed" in s or "_local" in s for s in ddl)


def test_mutations_go_to_the_local_tables_on_a_cluster(tmp_path) -> None:
    one = ClickHousePool.__new__(ClickHousePool)
    one.cluster = None
    assert one.changes("events") == "events"
    many = ClickHousePool.__new__(ClickHousePool)
    many.cluster = "analytics"
    assert many.changes("events") == "events_local ON CLUSTER `analytics`"
    with pytest.raises(ConfigError, match="CLICKHOUSE_CLUSTER"):
        load_settings({"FIELDMARK_DATA_DIR": str(tmp_path), "CLICKHOUSE_CLUSTER": "analytics"}, env_file=None)
