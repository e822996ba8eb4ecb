"""Versioned schema migrations for both stores, recorded in each store and applied on start."""

from __future__ import annotations

import logging
import re
from dataclasses import dataclass
from importlib.resources import files
from pathlib import Path

from fieldmark.bootstrap.stores import ClickHousePool

log = logging.getLogger(__name__)

MIGRATIONS = Path(str(files("fieldmark.bootstrap") / "migrations"))


def migrate_postgres(url: str) -> list[str]:
    """Apply pending PostgreSQL migrations with yoyo (which records them in `_yoyo_migration`)."""
    from yoyo import get_backend, read_migrations

    backend = get_backend(_yoyo_url(url), migration_table="_yoyo_migration")
    migrations = read_migrations(str(MIGRATIONS / "postgres"))
    with backend.lock():
        pending = backend.to_apply(migrations)
        backend.apply_migrations(pending)
    applied = [m.id for m in pending]
    if applied:
        log.info("postgres: applied %s", ", ".join(applied))
    return applied


def _yoyo_url(url: str) -> str:
    """yoyo names the psycopg 3 driver in the scheme."""
    return re.sub(r"^postgres(ql)?://", "postgresql+psycopg://", url)


_CREATE = re.compile(r"^CREATE TABLE IF NOT EXISTS (\w+)")
_ALTER = re.compile(r"^ALTER TABLE (\w+)")


@dataclass(frozen=True)
class ClickHouseMigration:
    version: str
    sql: str

    def statements(self, cluster: str | None = None) -> list[str]:
        """The file's statements, rendered for one node or for a cluster.

        On a cluster each table is two: `<name>_local`, a Replicated*MergeTree on every node (the shard
        and replica from the servers' macros), and `<name>`, a Distributed table over them that the code
        reads and inserts into (sharded by a random key). An ALTER that adds columns goes to both; any
        other ALTER (TTL) to the local tables."""
        rendered = self.sql.replace("{on_cluster}", f"ON CLUSTER `{cluster}`" if cluster else "")
        rendered = rendered.replace("{replicated}", "Replicated" if cluster else "")
        body = "\n".join(line for line in rendered.splitlines() if not line.lstrip().startswith("--"))
        plain = [stmt.strip() for stmt in body.split(";") if stmt.strip()]
        if not cluster:
            return plain
        out: list[str] = []
        for stmt in plain:
            created = _CREATE.match(stmt)
            altered = _ALTER.match(stmt)
            if created and "MergeTree" in stmt and not created.group(1).startswith("schema_"):
                name = created.group(1)
                local = stmt.replace(created.group(0), created.group(0).replace(name, f"{name}_local", 1), 1)
                path = f"'/clickhouse/tables/{{shard}}/{{database}}/{name}_local', '{{replica}}'"
                local = re.sub(
                    r"ENGINE\s*=\s*Replicated(\w*)MergeTree(\(\))?",
                    f"ENGINE = Replicated\\1MergeTree({path})",
                    local,
                    count=1,
                )
                out.append(local)
                out.append(
                    f"CREATE TABLE IF NOT EXISTS {name} ON CLUSTER `{cluster}` AS {name}_local"
                    f" ENGINE = Distributed(`{cluster}`, currentDatabase(), {name}_local, rand())"
                )
            elif altered:
                name = altered.group(1)
                out.append(
                    stmt.replace(altered.group(0), altered.group(0).replace(name, f"{name}_local", 1), 1)
                )
                if re.search(r"\bADD COLUMN\b", stmt):
                    out.append(stmt)
            else:
                out.append(stmt)
        return out


def clickhouse_migrations() -> list[ClickHouseMigration]:
    folder = MIGRATIONS / "clickhouse"
    return [ClickHouseMigration(path.stem, path.read_text()) for path in sorted(folder.glob("*.sql"))]


def migrate_clickhouse(pool: ClickHousePool, cluster: str | None = None) -> list[str]:
    """Apply pending ClickHouse migrations, recording each in `schema_migrations` once it has run.

    clickhouse-migrations speaks the native TCP protocol, which chDB does not offer, so this small runner
    uses the same clickhouse-connect client as the rest of the app. Statements are idempotent
    (`IF NOT EXISTS`), so a run cut short is safe to repeat."""
    on_cluster = f"ON CLUSTER `{cluster}`" if cluster else ""
    applied: list[str] = []
    with pool.client() as client:
        client.command(
            f"CREATE TABLE IF NOT EXISTS schema_migrations {on_cluster} "
            "(version String, applied_at DateTime DEFAULT now()) "
            f"ENGINE = {'Replicated' if cluster else ''}ReplacingMergeTree ORDER BY version"
        )
        done = {row[0] for row in client.query("SELECT version FROM schema_migrations").result_rows}
        for migration in clickhouse_migrations():
            if migration.version in done:
                continue
            for statement in migration.statements(cluster):
                client.command(statement)
            client.insert("schema_migrations", [[migration.version]], column_names=["version"])
            applied.append(migration.version)
    if applied:
        log.info("clickhouse: applied %s", ", ".join(applied))
    return applied
