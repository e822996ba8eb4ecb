"""What Reporting's ClickHouse adapters need of bootstrap's pool, and the one way they report it down."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol

from fieldmark.reporting.domain.csv_cells import FORMULA_PATTERN
from fieldmark.shared_kernel.errors import StoreUnavailable


class ClickHouseRunner(Protocol):
    def run(self, work: Callable[[Any], Any]) -> Any: ...

    async def arun(self, work: Callable[[Any], Any]) -> Any: ...

    def changes(self, table: str) -> str:
        """The table's name in a mutation (its local tables on a cluster)."""
        ...


CSV_SETTINGS = {"prefer_column_name_to_alias": 1}
_FORMULA_LITERAL = FORMULA_PATTERN.replace("\\", "\\\\")  # the pattern as a ClickHouse string literal


def csv_safe_columns(
    client: Any, table: str = "events", leave_out: tuple[str, ...] = ("retention_days",)
) -> str:
    """The select list for a CSV that ClickHouse writes: text columns neutralised as formulas
    (`reporting.domain.csv_cells`), in the table's order and under their own names. Run it with
    `CSV_SETTINGS`, so WHERE and ORDER BY still read the columns, not these aliases."""
    columns = []
    for name, kind, *_ in client.query(f"DESCRIBE TABLE {table}").result_rows:
        if name in leave_out:
            continue
        text = (
            kind.replace("LowCardinality(", "").replace("Nullable(", "").startswith(("String", "FixedString"))
        )
        columns.append(
            f"if(match(`{name}`, '{_FORMULA_LITERAL}'), concat('\\'', `{name}`), `{name}`) AS `{name}`"
            if text
            else f"`{name}`"
        )
    return ", ".join(columns)


async def guarded(clickhouse: ClickHouseRunner, work: Callable[[Any], Any], what: str) -> Any:
    """`work(client)` in a thread; any failure is `StoreUnavailable` saying what could not be done."""
    try:
        return await clickhouse.arun(work)
    except Exception as exc:
        raise StoreUnavailable(f"ClickHouse could not {what} ({type(exc).__name__})") from None
