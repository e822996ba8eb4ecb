"""Background jobs on dramatiq, with the instance's Redis as broker: every process may enqueue, and the
processes with the worker role run them (in `fieldmark run`, that is the one process).

Each job is a named dramatiq actor whose body runs an async handler (a use case of a context) on the
worker process's event loop, where the stores' connection pools live; dramatiq's own threads only wait
for it. Arguments travel as JSON."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Callable, Coroutine
from typing import Any

import dramatiq
from dramatiq.brokers.redis import RedisBroker

log = logging.getLogger(__name__)

Handler = Callable[..., Coroutine[Any, Any, None]]
QUEUE = "fieldmark"


def install_broker(redis_url: str) -> RedisBroker:
    """Make the Redis broker dramatiq's global one; actors declared after this use it."""
    broker = RedisBroker(url=redis_url, namespace="fm-jobs")  # type: ignore[no-untyped-call]
    dramatiq.set_broker(broker)
    return broker


class JobQueue:
    """The instance's named jobs: declared once per process, sent from any process, run by workers."""

    def __init__(self, redis_url: str) -> None:
        self.broker = install_broker(redis_url)
        self._actors: dict[str, Any] = {}
        self._handlers: dict[str, Handler] = {}
        self._loop: asyncio.AbstractEventLoop | None = None

    def declare(self, name: str, handler: Handler, *, max_retries: int = 5, time_limit_s: int = 3600) -> None:
        """`handler(*args)` runs for each `enqueue(name, *args)`; a failure is retried with backoff."""
        self._handlers[name] = handler

        def run(*args: Any) -> None:
            loop = self._loop
            if loop is None or loop.is_closed():
                raise RuntimeError(f"job {name}: no worker event loop to run on")
            asyncio.run_coroutine_threadsafe(self._handlers[name](*args), loop).result()

        self._actors[name] = dramatiq.actor(  # type: ignore[call-overload]
            run,
            actor_name=name,
            queue_name=QUEUE,
            broker=self.broker,
            max_retries=max_retries,
            time_limit=time_limit_s * 1000,
        )

    def bind(self, loop: asyncio.AbstractEventLoop) -> None:
        """The event loop handlers run on: the worker process's."""
        self._loop = loop

    def send(self, name: str, *args: Any) -> None:
        """`enqueue` from a thread (the scheduler's)."""
        self._actors[name].send(*args)

    async def enqueue(self, name: str, *args: Any, delay_ms: int | None = None) -> None:
        actor = self._actors.get(name)
        if actor is None:
            raise KeyError(f"no job named {name!r}")
        await asyncio.to_thread(actor.send_with_options, args=args, delay=delay_ms)
        log.debug("enqueued job %s%s", name, f" in {delay_ms} ms" if delay_ms else "")


class JobWorker:
    """A dramatiq worker inside this process, in threads beside the event loop."""

    def __init__(self, queue: JobQueue, threads: int = 2) -> None:
        self._queue = queue
        self._worker = dramatiq.Worker(queue.broker, worker_threads=threads, worker_timeout=500)

    def start(self, loop: asyncio.AbstractEventLoop) -> None:
        self._queue.bind(loop)
        self._worker.start()
        log.info("started the job worker")

    def stop(self) -> None:
        self._worker.stop(timeout=10_000)
