"""Email digests: which period a weekly or monthly digest covers, and when it is due, in the site's zone."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from uuid import UUID
from zoneinfo import ZoneInfo

FREQUENCIES = ("weekly", "monthly")
SEND_HOUR = 8  # a digest goes at 08:00 in the site's zone, on Monday or on the 1st


@dataclass(frozen=True)
class Subscription:
    id: UUID
    site_id: UUID
    frequency: str
    user_id: UUID | None = None
    email: str | None = None  # an address an admin added (else the member's own)
    last_period: str = ""


@dataclass(frozen=True)
class Period:
    first: date
    last: date  # both included

    @property
    def key(self) -> str:
        return f"{self.first.isoformat()}/{self.last.isoformat()}"

    def previous(self, frequency: str) -> Period:
        if frequency == "weekly":
            return Period(self.first - timedelta(days=7), self.last - timedelta(days=7))
        last = self.first - timedelta(days=1)
        return Period(last.replace(day=1), last)


def last_complete(frequency: str, now: datetime, timezone: str) -> Period:
    """The last whole week (Monday to Sunday) or month that ended before `now` in the zone, from its
    sending hour on: before 08:00 on a Monday, the week before is still the one due."""
    local = now.astimezone(ZoneInfo(timezone))
    today = local.date() - (timedelta(days=1) if local.hour < SEND_HOUR else timedelta(0))
    if frequency == "weekly":
        monday = today - timedelta(days=today.weekday())
        return Period(monday - timedelta(days=7), monday - timedelta(days=1))
    first_of_month = today.replace(day=1)
    last = first_of_month - timedelta(days=1)
    return Period(last.replace(day=1), last)


def due(subscription: Subscription, now: datetime, timezone: str) -> Period | None:
    """The period to send now, or None when it has gone already."""
    period = last_complete(subscription.frequency, now, timezone)
    return None if subscription.last_period == period.key else period


def change(current: float, previous: float) -> float | None:
    """Percentage change, None when there was nothing before."""
    return None if previous == 0 else round((current - previous) / previous * 100, 1)
