"""An event as it travels through the stream: the stored row plus who and which visit."""

from dataclasses import dataclass

from fieldmark.ingestion.domain.event import StoredEvent


@dataclass(frozen=True)
class RecordedEvent:
    event: StoredEvent
    visitor_id: int
    session_id: int


@dataclass(frozen=True)
class StreamEntry:
    """One stream entry as read back: decoded, or `error` saying why it could not be."""

    entry_id: str
    recorded: RecordedEvent | None
    error: str | None = None
