"""Recorded events into ClickHouse's `events` table, one column-oriented insert per batch."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, Protocol
from uuid import UUID

from fieldmark.ingestion.domain.recorded import RecordedEvent
from fieldmark.shared_kernel.errors import StoreUnavailable

COLUMNS = (
    "event_id",
    "site_id",
    "timestamp",
    "kind",
    "name",
    "visitor_id",
    "session_id",
    "hostname",
    "pathname",
    "referrer",
    "referrer_source",
    "channel",
    "utm_source",
    "utm_medium",
    "utm_campaign",
    "utm_content",
    "utm_term",
    "country_code",
    "region",
    "city",
    "browser",
    "browser_version",
    "os",
    "os_version",
    "device",
    "screen_class",
    "props",
    "revenue_amount",
    "revenue_currency",
    "interactive",
    "engagement_ms",
    "scroll_depth",
    "click_x",
    "click_y",
    "viewport_width",
    "viewport_height",
    "document_width",
    "document_height",
    "selector",
    "tag",
    "rage",
    "dead",
    "person_id",
    "label",
    "retention_days",
)


class ClickHouseRunner(Protocol):
    async def arun(self, work: Callable[[Any], Any]) -> Any: ...

    def changes(self, table: str) -> str:
        """The table's name in a mutation (its local tables on a cluster)."""
        ...


def _row(recorded: RecordedEvent) -> tuple[object, ...]:
    e, c = recorded.event, recorded.event.click
    utm = e.utm
    return (
        e.event_id,
        e.site_id,
        e.timestamp,
        e.kind.value,
        e.name,
        recorded.visitor_id,
        recorded.session_id,
        e.hostname,
        e.pathname,
        e.source.referrer,
        e.source.source,
        e.source.channel,
        utm.get("utm_source", ""),
        utm.get("utm_medium", ""),
        utm.get("utm_campaign", ""),
        utm.get("utm_content", ""),
        utm.get("utm_term", ""),
        e.location.country_code,
        e.location.region,
        e.location.city,
        e.software.browser,
        e.software.browser_version,
        e.software.os,
        e.software.os_version,
        e.software.device,
        e.screen_class,
        e.props,
        e.revenue.amount if e.revenue else None,
        e.revenue.currency if e.revenue else "",
        e.interactive,
        e.engagement_ms,
        e.scroll_depth,
        c.x if c else 0,
        c.y if c else 0,
        c.viewport_width if c else 0,
        c.viewport_height if c else 0,
        c.document_width if c else 0,
        c.document_height if c else 0,
        c.selector if c else "",
        c.tag if c else "",
        c.rage if c else False,
        c.dead if c else False,
        e.person_id,
        c.label if c else "",
        e.retention_days,
    )


class ClickHouseEventStore:
    """Inserts carry `insert_deduplication_token`: the table keeps a window of recent tokens
    (`non_replicated_deduplication_window`), so a batch inserted again after a crash is ignored."""

    def __init__(self, clickhouse: ClickHouseRunner) -> None:
        self._clickhouse = clickhouse

    async def insert(self, events: list[RecordedEvent], dedup_token: str) -> None:
        def insert(client: Any) -> None:  # in a worker thread: building the columns is CPU work too
            rows = [_row(event) for event in sorted(events, key=lambda r: r.event.event_id)]
            columns = [list(column) for column in zip(*rows, strict=True)]
            client.insert(
                "events",
                columns,
                column_names=COLUMNS,
                column_oriented=True,
                settings={"insert_deduplication_token": dedup_token, "insert_deduplicate": 1},
            )

        await self._clickhouse.arun(insert)

    async def erase_site(self, site_id: UUID) -> None:
        """Every event of a site, deleted (a lightweight DELETE: the rows vanish from reads at once)."""
        try:
            await self._clickhouse.arun(
                lambda client: client.command(
                    f"DELETE FROM {self._clickhouse.changes('events')} WHERE site_id = {{site:UUID}}",  # noqa: S608
                    parameters={"site": site_id},
                )
            )
        except Exception as exc:
            raise StoreUnavailable(
                f"ClickHouse could not delete the site's events ({type(exc).__name__})"
            ) from None
