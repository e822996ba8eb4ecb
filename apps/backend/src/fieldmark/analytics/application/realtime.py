"""The realtime view: who is on the site now, and the last 30 minutes minute by minute."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from typing import Any
from uuid import UUID

from fieldmark.analytics.application.run_query import RunQuery
from fieldmark.shared_kernel.audit import Actor
from fieldmark.shared_kernel.clock import Clock

CURRENT = timedelta(minutes=5)


@dataclass(frozen=True)
class RealtimeView:
    current_visitors: int  # visitors with an event in the last five minutes
    minutes: list[tuple[str, int, int]]  # the last 30 minutes: (minute, visitors, pageviews)
    top_pages: list[tuple[str, int]]  # the last 30 minutes: (page, visitors), ten at most
    top_sources: list[tuple[str, int]]


class Realtime:
    """Read straight from ClickHouse, so an event shows up as soon as the writer lands its batch
    (within a second at default settings). A shared link's segment applies here too."""

    def __init__(self, queries: RunQuery, clock: Clock) -> None:
        self._queries = queries
        self._clock = clock

    async def execute(self, site_id: UUID, actor: Actor | None = None) -> RealtimeView:
        now = self._clock.now()
        recent = [(now - CURRENT).isoformat(), (now + timedelta(seconds=1)).isoformat()]

        site = await self._queries.site(site_id)  # once, for the four queries below

        async def ask(**body: Any) -> list[Any]:
            answer = await self._queries.execute_on(site, body, actor)
            return [(r.dimensions, r.metrics) for r in answer.results]

        current = await ask(metrics=["visitors"], date_range=recent)
        minutes = await ask(
            metrics=["visitors", "pageviews"], date_range="realtime", dimensions=["time:minute"]
        )
        top = {"limit": 10, "offset": 0}
        pages = await ask(
            metrics=["visitors"], date_range="realtime", dimensions=["event:page"], pagination=top
        )
        sources = await ask(
            metrics=["visitors"], date_range="realtime", dimensions=["visit:source"], pagination=top
        )
        return RealtimeView(
            int(current[0][1][0]) if current else 0,
            [(d[0], int(m[0]), int(m[1])) for d, m in minutes],
            [(d[0], int(m[0])) for d, m in pages],
            [(d[0], int(m[0])) for d, m in sources],
        )
