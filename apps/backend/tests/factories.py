"""Test data built the same way everywhere."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime

from fieldmark.ingestion.domain.event import Kind, Location, Software, Source, StoredEvent


def stored_event(
    path: str = "/", *, at: datetime | None = None, site: uuid.UUID | None = None
) -> StoredEvent:
    """A plain pageview as the collect endpoint would store it."""
    return StoredEvent(
        event_id=uuid.uuid4(),
        site_id=site or uuid.uuid4(),
        timestamp=at or datetime(2026, 11, 23, tzinfo=UTC),
        kind=Kind.PAGEVIEW,
        name="pageview",
        hostname="a.example",
        pathname=path,
        source=Source(),
        utm={},
        location=Location(),
        software=Software(),
        screen_class="",
        props={},
        revenue=None,
        interactive=True,
        engagement_ms=0,
        scroll_depth=0,
        click=None,
    )
