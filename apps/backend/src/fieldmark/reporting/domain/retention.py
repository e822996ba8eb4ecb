"""Retention: how long a site's events are kept."""

from __future__ import annotations

from datetime import datetime, timedelta

APPLY_RETENTION = "apply_retention"  # the job that applies a site's new period to its stored events


def cutoff(now: datetime, days: int) -> datetime | None:
    """The instant before which a site's events are deleted; None when they are kept for ever."""
    return now - timedelta(days=days) if days > 0 else None
