"""The instance's background jobs, each bound to the use case it runs."""

from __future__ import annotations

from uuid import UUID

from fieldmark.bootstrap.container import AppContainer, resolved
from fieldmark.bootstrap.jobs import JobQueue
from fieldmark.reporting.domain.retention import APPLY_RETENTION


def declare_jobs(container: AppContainer, queue: JobQueue) -> None:
    async def apply_retention(site_id: str, days: int) -> None:
        use_case = await resolved(container.reporting.apply_retention())
        await use_case.execute(UUID(site_id), days)

    queue.declare(APPLY_RETENTION, apply_retention)
