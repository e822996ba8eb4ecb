"""What Reporting's use cases need from the outside world."""

from __future__ import annotations

from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Protocol
from uuid import UUID


class Jobs(Protocol):
    """The background job queue (dramatiq): `name` is a job bootstrap declared."""

    async def enqueue(self, name: str, *args: Any, delay_ms: int | None = None) -> None: ...


class EventRetention(Protocol):
    """The event store's side of retention."""

    async def restamp(self, site_id: UUID, days: int) -> None:
        """Give every stored event of the site this retention period (0: for ever)."""

    async def expire(self, before: datetime) -> None:
        """Delete now the events whose retention period has run out, in data older than `before`."""


class PersonIds(Protocol):
    """A site's hashed id for a person, as Ingestion stores it (the raw id is never stored)."""

    def of(self, site_id: UUID, person: str) -> int: ...


class PersonEvents(Protocol):
    """The events tied to one person of a site: theirs, and the rest of the visits they were in."""

    def export(self, site_id: UUID, person_id: int) -> AsyncIterator[bytes]:
        """CSV with a header row, streamed."""
        ...

    async def count(self, site_id: UUID, person_id: int) -> int: ...

    async def erase(self, site_id: UUID, person_id: int) -> None: ...


class SiteTeams(Protocol):
    async def team_of(self, site_id: UUID) -> UUID | None: ...


class Stats(Protocol):
    """The Stats API's query model (Plausible's v2 shape), over the Analytics context."""

    async def rows(
        self, site_id: UUID, query: dict[str, Any], actor: Any = None
    ) -> list[tuple[list[str], list[float | int]]]: ...


class Periods(Protocol):
    async def resolve(self, site_id: UUID, date_range: Any) -> tuple[datetime, datetime]:
        """A Stats API date range in the site's time zone, as [start, end) instants; 404 for no site,
        400 `field: date_range` for a bad one."""


class RawEvents(Protocol):
    async def count(self, site_id: UUID, start: datetime, end: datetime) -> int: ...

    def stream(self, site_id: UUID, start: datetime, end: datetime, fmt: str) -> AsyncIterator[bytes]:
        """The events, oldest first, in a ClickHouse output format (CSVWithNames, Parquet)."""
        ...


class SiteInfo(Protocol):
    async def info(self, site_id: UUID) -> tuple[str, str, UUID | None] | None:
        """(domain, time zone, team id), or None when there is no such site."""


class People(Protocol):
    async def email_of(self, user_id: UUID) -> str | None: ...


class SubscriptionStore(Protocol):
    async def add(self, subscription: Any) -> None:
        """Raise `Conflict` when the site already sends this digest to that person or address."""

    async def remove(self, subscription_id: UUID) -> bool: ...

    async def by_id(self, subscription_id: UUID) -> Any | None: ...

    async def of_site(self, site_id: UUID) -> list[Any]: ...

    async def every(self) -> list[Any]: ...

    async def mark_sent(self, subscription_id: UUID, period: str) -> None: ...


class AlertStore(Protocol):
    async def add(self, alert: Any) -> None: ...

    async def of_site(self, site_id: UUID) -> list[Any]: ...

    async def remove(self, site_id: UUID, alert_id: UUID) -> bool: ...

    async def every(self) -> list[Any]: ...

    async def save_state(self, alert: Any) -> None:
        """Only `breached` and `last_notified_at`."""


@dataclass(frozen=True)
class Mail:
    to: str
    subject: str
    text: str
    html: str
    images: dict[str, bytes] = field(default_factory=dict)  # content id -> PNG, shown inline
    unsubscribe: str | None = None  # a one-click unsubscribe link (List-Unsubscribe)


class Mailer(Protocol):
    async def send(self, mail: Mail) -> None:
        """Deliver or raise `StoreUnavailable`."""


class Webhooks(Protocol):
    async def post(self, url: str, payload: dict[str, Any]) -> None:
        """POST the JSON; raise `StoreUnavailable` when it cannot be delivered."""


class ImportedRows(Protocol):
    """The imported aggregates, in ClickHouse."""

    async def insert(self, site_id: UUID, import_id: UUID, rows: list[Any]) -> None: ...

    async def delete(self, site_id: UUID, import_id: UUID) -> None: ...


class ImportLog(Protocol):
    """Which imports a site has, in PostgreSQL."""

    async def add(self, record: Any) -> None: ...

    async def of_site(self, site_id: UUID) -> list[Any]: ...

    async def remove(self, site_id: UUID, import_id: UUID) -> Any | None: ...


class DataVersions(Protocol):
    async def bump(self, site_ids: set[UUID]) -> None:
        """Cached statistics of these sites are stale from now on."""
