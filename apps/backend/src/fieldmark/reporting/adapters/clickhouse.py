"""What Reporting's ClickHouse adapters need of bootstrap's pool, and the one way they report it down."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from fieldmark.shared_kernel.errors import StoreUnavailable


class ClickHouseRunner(Protocol):
    def run(self, work: Callable[[Any], Any]) -> Any: ...

    async def arun(self, work: Callable[[Any], Any]) -> Any: ...

    def changes(self, table: str) -> str:
        """The table's name in a mutation (its local tables on a cluster)."""
        ...


async def guarded(clickhouse: ClickHouseRunner, work: Callable[[Any], Any], what: str) -> Any:
    """`work(client)` in a thread; any failure is `StoreUnavailable` saying what could not be done."""
    try:
        return await clickhouse.arun(work)
    except Exception as exc:
        raise StoreUnavailable(f"ClickHouse could not {what} ({type(exc).__name__})") from None
