"""Drain the event stream into the event store in batches, losing nothing and writing nothing twice."""

from __future__ import annotations

import asyncio
import contextlib
import hashlib
import logging
import time
from dataclasses import dataclass

from fieldmark.ingestion.application.ports import DataVersions, EventStore, EventStream, GoneSites
from fieldmark.ingestion.domain.recorded import StreamEntry
from fieldmark.shared_kernel.errors import first_line

log = logging.getLogger(__name__)


@dataclass(frozen=True)
class WriterSettings:
    batch_size: int = 2_000
    batch_wait_s: float = 1.0
    max_attempts: int = 5
    abandoned_after_ms: int = 60_000
    backoff_start_s: float = 0.2
    backoff_max_s: float = 30.0


def dedup_token(entries: list[StreamEntry]) -> str:
    """The same entries always give the same token, so a batch inserted again is ignored by ClickHouse."""
    joined = ",".join(sorted(entry.entry_id for entry in entries))
    return hashlib.sha256(joined.encode()).hexdigest()


class StreamWriter:
    """One consumer of the writers' group.

    Rules: a consumer has one batch in flight at a time and acknowledges it only after the insert, so its
    pending entries are exactly that batch and a restart inserts it again under the same dedup token
    (nothing is duplicated). The batch of a consumer silent for a minute is taken over whole, for the same
    reason. Events of a site deleted after they were collected are dropped. An entry that cannot be
    decoded stays pending and is retried with the next batches; after `max_attempts` it moves to the
    dead-letter stream. When the store fails, the same batch is retried with exponential backoff and
    nothing new is read, so nothing is lost while ClickHouse is away."""

    def __init__(
        self,
        stream: EventStream,
        store: EventStore,
        settings: WriterSettings | None = None,
        versions: DataVersions | None = None,
        gone: GoneSites | None = None,
    ) -> None:
        self._versions = versions
        self._gone = gone
        self._stream = stream
        self._store = store
        self._settings = settings or WriterSettings()
        self._last_takeover = 0.0

    async def run(self, stop: asyncio.Event) -> None:
        failing = False
        while not stop.is_set():
            try:
                await self.step(stop)
            except asyncio.CancelledError:
                raise
            except Exception as exc:  # a broken Redis connection, a full disk: wait, then go on
                if failing:  # the traceback once; then a line a second until it works again
                    log.warning("stream writer still failing: %s", first_line(exc)[:200])
                else:
                    log.exception("stream writer step failed; retrying every second")
                failing = True
                await _sleep(stop, 1.0)
            else:
                if failing:
                    log.info("stream writer recovered")
                failing = False

    async def step(self, stop: asyncio.Event | None = None) -> int:
        """One round: take over abandoned batches, then write own pending plus new entries. Returns rows."""
        written = 0
        if time.monotonic() - self._last_takeover > self._settings.abandoned_after_ms / 2000:
            self._last_takeover = time.monotonic()
            for batch in await self._stream.abandoned_batches(self._settings.abandoned_after_ms):
                written += await self._write(batch, stop)
        batch = await self._stream.own_pending(self._settings.batch_size)
        if not any(entry.recorded for entry in batch):
            # Pending decodable entries are a batch that may already be in the store: they are written
            # alone, under their own token. Undecodable ones do not count in a token, so new entries join.
            batch += await self._collect(self._settings.batch_size - len(batch), stop)
        if batch:
            written += await self._write(batch, stop)
        return written

    async def _collect(self, room: int, stop: asyncio.Event | None) -> list[StreamEntry]:
        """New entries until the batch is full or `batch_wait_s` has passed since the first arrived."""
        entries: list[StreamEntry] = []
        deadline: float | None = None
        while room > 0 and not (stop and stop.is_set()):
            wait_ms = 500 if deadline is None else int(max(0.0, deadline - time.monotonic()) * 1000)
            if deadline is not None and wait_ms <= 0:
                break
            got = await self._stream.read_new(room, max(wait_ms, 1))
            if not got:
                if deadline is None:
                    break
                continue
            entries += got
            room -= len(got)
            if deadline is None:
                deadline = time.monotonic() + self._settings.batch_wait_s
        return entries

    async def _write(self, batch: list[StreamEntry], stop: asyncio.Event | None) -> int:
        good = [entry for entry in batch if entry.recorded is not None]
        for entry in batch:
            if entry.recorded is None:
                await self._fail(entry, entry.error or "undecodable entry")
        if not good:
            return 0
        if self._gone is not None:  # events of a site deleted since they were collected are dropped
            gone = await self._gone.gone({e.recorded.event.site_id for e in good if e.recorded})
            if gone:
                dropped = [e for e in good if e.recorded and e.recorded.event.site_id in gone]
                log.info("dropped %d queued events of %d deleted site(s)", len(dropped), len(gone))
                for site in gone:  # the sessions those events opened when they were collected
                    await self._gone.forget(site)
                await self._stream.ack([e.entry_id for e in dropped])
                good = [e for e in good if e not in dropped]
                if not good:
                    return 0
        delay = self._settings.backoff_start_s
        while True:
            try:
                await self._store.insert([e.recorded for e in good if e.recorded], dedup_token(good))
                break
            except Exception as exc:
                log.warning(
                    "event store insert of %d events failed (%s); retrying in %.1f s",
                    len(good),
                    first_line(exc)[:200],
                    delay,
                )
                if stop is not None and stop.is_set():
                    return 0  # left pending: the next start writes them
                await _sleep(stop, delay)
                delay = min(delay * 2, self._settings.backoff_max_s)
        if self._versions is not None:  # before the ack: a failure here retries the batch (deduplicated)
            await self._versions.bump({e.recorded.event.site_id for e in good if e.recorded})
        await self._stream.ack([entry.entry_id for entry in good])
        return len(good)

    async def _fail(self, entry: StreamEntry, reason: str) -> None:
        attempts = await self._stream.record_failure(entry.entry_id)
        if attempts >= self._settings.max_attempts:
            log.error("stream entry %s dead-lettered after %d attempts: %s", entry.entry_id, attempts, reason)
            await self._stream.dead_letter(entry, reason)


async def _sleep(stop: asyncio.Event | None, seconds: float) -> None:
    if stop is None:
        await asyncio.sleep(seconds)
        return
    with contextlib.suppress(TimeoutError):
        await asyncio.wait_for(stop.wait(), seconds)
