"""Periodic jobs: APScheduler (in the worker role) ticks, and each tick enqueues a dramatiq job. With
several worker processes, a Redis key per tick and time slot lets exactly one of them enqueue it."""

from __future__ import annotations

import logging
import time

import redis
from apscheduler.schedulers.background import BackgroundScheduler  # type: ignore[import-untyped]

from fieldmark.bootstrap.jobs import JobQueue
from fieldmark.reporting.domain.schedule import TICKS

log = logging.getLogger(__name__)


class Scheduler:
    def __init__(self, queue: JobQueue, redis_url: str, ticks: dict[str, int] | None = None) -> None:
        self._queue = queue
        self._redis = redis.Redis.from_url(redis_url)
        self._ticks = ticks if ticks is not None else dict(TICKS)
        self._scheduler = BackgroundScheduler(timezone="UTC")

    def tick(self, name: str, every_s: int) -> bool:
        """Enqueue `name` unless another process already did in this time slot."""
        slot = int(time.time() // every_s)
        if not self._redis.set(f"fm:tick:{name}:{slot}", 1, nx=True, ex=every_s * 2):
            return False
        self._queue.send(name)
        return True

    def start(self) -> None:
        for name, every_s in self._ticks.items():
            self._scheduler.add_job(
                self.tick,
                "interval",
                seconds=every_s,
                args=(name, every_s),
                id=name,
                coalesce=True,
                max_instances=1,
            )
        self._scheduler.start()
        log.info("started the scheduler: %s", ", ".join(f"{n} every {s} s" for n, s in self._ticks.items()))

    def stop(self) -> None:
        if self._scheduler.running:
            self._scheduler.shutdown(wait=False)
        self._redis.close()
