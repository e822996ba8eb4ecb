"""What Reporting's use cases need from the outside world."""

from __future__ import annotations

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
