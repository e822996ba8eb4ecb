"""The instance's background jobs, each bound to the use case it runs."""

from __future__ import annotations

from uuid import UUID

from fieldmark.bootstrap.container import AppContainer, resolved
from fieldmark.bootstrap.jobs import JobQueue
from fieldmark.reporting.domain.retention import APPLY_RETENTION
from fieldmark.reporting.domain.schedule import CHECK_ALERTS, SEND_DIGESTS


def declare_jobs(container: AppContainer, queue: JobQueue) -> None:
    async def apply_retention(site_id: str, days: int) -> None:
        use_case = await resolved(container.reporting.apply_retention())
        await use_case.execute(UUID(site_id), days)

    async def send_digests() -> None:
        use_case = await resolved(container.reporting.send_digests())
        await use_case.execute(container.clock().now())

    async def check_alerts() -> None:
        use_case = await resolved(container.reporting.check_alerts())
        await use_case.execute(container.clock().now())

    queue.declare(APPLY_RETENTION, apply_retention)
    queue.declare(SEND_DIGESTS, send_digests, max_retries=0)  # the next tick is the retry
    queue.declare(CHECK_ALERTS, check_alerts, max_retries=0)
