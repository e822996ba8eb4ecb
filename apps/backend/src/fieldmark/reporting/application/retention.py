"""Data retention: a site's period applies to new events as they are collected (each carries it, and
ClickHouse's TTL deletes it when it runs out); when the period changes, a background job applies it to
the events already stored."""

from __future__ import annotations

from uuid import UUID

from fieldmark.reporting.application.ports import EventRetention, Jobs
from fieldmark.reporting.domain.retention import APPLY_RETENTION, cutoff
from fieldmark.shared_kernel.clock import Clock


class ScheduleRetention:
    """Sites' retention policy: a changed period becomes a job, so the request that changed it does not
    wait for ClickHouse to rewrite the site's data."""

    def __init__(self, jobs: Jobs) -> None:
        self._jobs = jobs

    async def changed(self, site_id: UUID, days: int) -> None:
        await self._jobs.enqueue(APPLY_RETENTION, str(site_id), days)


class ApplyRetention:
    """Rules: every stored event of the site takes the new period; with a period, the events older than
    it are deleted before the job ends (not left to ClickHouse's background merges). Running it again
    changes nothing, so a retried job is safe."""

    def __init__(self, store: EventRetention, clock: Clock) -> None:
        self._store = store
        self._clock = clock

    async def execute(self, site_id: UUID, days: int) -> None:
        await self._store.restamp(site_id, days)
        before = cutoff(self._clock.now(), days)
        if before is not None:
            await self._store.expire(before)
