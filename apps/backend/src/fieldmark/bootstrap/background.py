"""Background services of the worker role: the stream writers, run as tasks beside the HTTP server."""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket

from fieldmark.bootstrap.container import AppContainer, resolved
from fieldmark.bootstrap.jobs import JobWorker
from fieldmark.bootstrap.scheduler import Scheduler
from fieldmark.ingestion.adapters.redis_stream import RedisEventStream
from fieldmark.ingestion.application.write_stream import StreamWriter

log = logging.getLogger(__name__)


def consumer_name(index: int, *, stable: bool) -> str:
    """Stable across restarts for the single `fieldmark run` process, so it writes its own pending batch
    at once; per process otherwise, so two workers on one host never share a name (a silent consumer's
    batch is taken over after a minute either way)."""
    host = socket.gethostname()
    return f"{host}-{index}" if stable else f"{host}-{os.getpid()}-{index}"


class BackgroundServices:
    def __init__(
        self,
        container: AppContainer,
        writers: int,
        *,
        stable_names: bool,
        jobs: JobWorker | None = None,
        scheduler: Scheduler | None = None,
    ) -> None:
        self._scheduler = scheduler
        self._container = container
        self._writers = writers
        self._stable = stable_names
        self._jobs = jobs
        self._stop = asyncio.Event()
        self._tasks: list[asyncio.Task[None]] = []

    async def start(self) -> None:
        redis = await resolved(self._container.redis())
        if self._writers or self._jobs is not None:  # a scheduler alone never opens ClickHouse
            await resolved(self._container.clickhouse())
        for index in range(self._writers):
            stream = RedisEventStream(redis, consumer_name(index, stable=self._stable))
            writer: StreamWriter = await resolved(self._container.ingestion.writer(stream=stream))
            self._tasks.append(asyncio.create_task(writer.run(self._stop), name=f"writer-{index}"))
        log.info("started %d stream writer(s)", self._writers)
        if self._jobs is not None:
            await asyncio.to_thread(self._jobs.start, asyncio.get_running_loop())
        if self._scheduler is not None:
            self._scheduler.start()

    async def stop(self) -> None:
        """Finish the batch in hand (the stop is noticed between reads), then return."""
        self._stop.set()
        if self._scheduler is not None:
            self._scheduler.stop()
        if self._jobs is not None:
            await asyncio.to_thread(self._jobs.stop)
        if not self._tasks:
            return
        _, pending = await asyncio.wait(self._tasks, timeout=15)
        for task in pending:
            task.cancel()
        for task in pending:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        self._tasks.clear()
