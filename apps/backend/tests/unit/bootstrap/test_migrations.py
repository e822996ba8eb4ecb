"""ClickHouse migrations render for one node and, from the same files, for a cluster."""

from fieldmark.bootstrap.migrate import clickhouse_migrations


def test_single_node_form_has_no_cluster_clauses() -> None:
    statements = [s for m in clickhouse_migrations() for s in m.statements()]
    assert statements, "no ClickHouse migration found"
    for statement in statements:
        assert "{" not in statement.split("(", 1)[0], statement
        assert "ON CLUSTER" not in statement
        assert "Replicated" not in statement


def test_cluster_form_is_replicated_and_on_cluster() -> None:
    events = next(m for m in clickhouse_migrations() if m.version.endswith("_events"))
    local, distributed = events.statements(cluster="analytics")  # more in test_cluster_ddl.py
    assert local.startswith("CREATE TABLE IF NOT EXISTS events_local ON CLUSTER `analytics`")
    assert "ENGINE = ReplicatedReplacingMergeTree" in local
    assert "ENGINE = Distributed(" in distributed


def test_versions_are_ordered_and_unique() -> None:
    versions = [m.version for m in clickhouse_migrations()]
    assert versions == sorted(versions)
    assert len(versions) == len(set(versions))
