"""What Ingestion's use cases need from the outside world."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime
from typing import Protocol
from uuid import UUID

from fieldmark.ingestion.domain.event import Location, Software, StoredEvent
from fieldmark.ingestion.domain.recorded import RecordedEvent, StreamEntry
from fieldmark.ingestion.domain.site import SiteSettings


class SiteDirectory(Protocol):
    """Sites as ingestion sees them; implemented over the Sites context and cached in memory."""

    async def by_domain(self, domain: str) -> SiteSettings | None: ...

    async def by_key(self, public_key: str) -> SiteSettings | None: ...

    async def origin_allowed(self, host: str) -> bool:
        """Whether any site lists this hostname, for CORS preflights that carry no site yet."""


class ClientSoftware(Protocol):
    def parse(self, user_agent: str) -> Software: ...

    def is_bot(self, user_agent: str) -> bool: ...


class GeoLocator(Protocol):
    def locate(self, ip: str) -> Location: ...


class ReferrerList(Protocol):
    def lookup(self, host: str) -> tuple[str, str] | None:
        """(source name, medium) for a known referring host; medium is search, social, email, paid or ai."""


@dataclass(frozen=True)
class DailySalts:
    today: bytes
    yesterday: bytes | None


class SaltStore(Protocol):
    async def salts(self, now: datetime) -> DailySalts:
        """Today's salt by the server clock (made on first use, random) and yesterday's while it exists."""


@dataclass(frozen=True)
class QueuedEvent:
    event: StoredEvent
    visitor_today: int
    visitor_yesterday: int | None
    idempotency_key: str | None = None  # queued once per site and key within a day; repeats are dropped


@dataclass(frozen=True)
class QueuedRequest:
    """The events of one request: rate-limited and accepted as a whole."""

    events: list[QueuedEvent]
    address_token: str


class EventQueue(Protocol):
    async def enqueue(self, request: QueuedRequest, now: datetime) -> None:
        """Resolve each event's session and put it on the stream; return once it is stored there.
        Raise `RateLimited`, `Overloaded` or `StoreUnavailable`, having stored nothing."""

    async def count_bots(self, site_ids: list[str], day: date) -> None: ...


class EventStream(Protocol):
    """The consumer side of the stream, for one named consumer of the writers' group."""

    async def own_pending(self, limit: int) -> list[StreamEntry]: ...

    async def read_new(self, limit: int, block_ms: int) -> list[StreamEntry]: ...

    async def abandoned_batches(self, min_idle_ms: int) -> list[list[StreamEntry]]:
        """The in-flight batch of each consumer that has been silent for `min_idle_ms`, now ours."""

    async def ack(self, entry_ids: list[str]) -> None:
        """Acknowledge and delete, so the stream holds only what is not yet in ClickHouse."""

    async def record_failure(self, entry_id: str) -> int:
        """Count one more failed attempt; return the count so far."""

    async def dead_letter(self, entry: StreamEntry, reason: str) -> None: ...


class EventStore(Protocol):
    async def insert(self, events: list[RecordedEvent], dedup_token: str) -> None:
        """Insert in one batch; a repeat with the same token inserts nothing. Raise on failure."""


class GoneSites(Protocol):
    async def gone(self, site_ids: set[UUID]) -> set[UUID]:
        """Which of these sites have been deleted (recently enough to still have queued events)."""

    async def forget(self, site_id: UUID) -> None:
        """Drop what the store holds of a deleted site (sessions its late events opened, counters)."""


class DataVersions(Protocol):
    async def bump(self, site_ids: set[UUID]) -> None:
        """Mark these sites' data as changed: cached statistics of them are stale from now on."""
