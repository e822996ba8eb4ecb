"""Background jobs on dramatiq, with the instance's Redis as broker: every process may enqueue, and the
processes with the worker role run them (in `fieldmark run`, that is the one process)."""

from __future__ import annotations

import logging

import dramatiq
from dramatiq.brokers.redis import RedisBroker

log = logging.getLogger(__name__)


def install_broker(redis_url: str) -> RedisBroker:
    """Make the Redis broker dramatiq's global one; actors declared after this use it."""
    broker = RedisBroker(url=redis_url, namespace="fm-jobs")  # type: ignore[no-untyped-call]
    dramatiq.set_broker(broker)
    return broker


class JobWorker:
    """A dramatiq worker inside this process, in threads beside the event loop."""

    def __init__(self, broker: RedisBroker, threads: int = 2) -> None:
        self._worker = dramatiq.Worker(broker, worker_threads=threads, worker_timeout=500)

    def start(self) -> None:
        self._worker.start()
        log.info("started the job worker")

    def stop(self) -> None:
        self._worker.stop(timeout=10_000)
