"""The process roles: what one process serves and which stores it opens."""

from enum import StrEnum


class Role(StrEnum):
    COLLECT = "collect"  # ingestion endpoint and tracker script; Redis and PostgreSQL, never ClickHouse
    API = "api"  # dashboard, stats and settings; reads ClickHouse
    WORKER = "worker"  # drains the stream into ClickHouse, runs dramatiq jobs
    SCHEDULER = "scheduler"  # enqueues the periodic jobs (digests, alerts); Redis only


ALL_ROLES = frozenset(Role)


def uses_clickhouse(roles: frozenset[Role]) -> bool:
    return bool(roles & {Role.API, Role.WORKER})
