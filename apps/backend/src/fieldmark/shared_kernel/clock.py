"""The server's clock as a port, so rules that depend on time are testable."""

from datetime import UTC, datetime
from typing import Protocol


class Clock(Protocol):
    def now(self) -> datetime: ...


class SystemClock:
    """The real clock, always in UTC."""

    def now(self) -> datetime:
        return datetime.now(UTC)
