"""StreamWriter against fakes of its ports: batching, exact replay, poison entries, store outages."""

import asyncio
from dataclasses import replace

import pytest

from fieldmark.ingestion.application.write_stream import StreamWriter, WriterSettings, dedup_token
from fieldmark.ingestion.domain.recorded import RecordedEvent, StreamEntry
from tests.factories import stored_event

FAST = WriterSettings(
    batch_size=100, batch_wait_s=0.01, max_attempts=3, backoff_start_s=0.001, backoff_max_s=0.002
)


def entry(n: int, *, poison: bool = False) -> StreamEntry:
    if poison:
        return StreamEntry(f"{n}-0", None, "DecodeError: garbage")
    return StreamEntry(f"{n}-0", RecordedEvent(stored_event(f"/{n}"), visitor_id=n, session_id=n))


class FakeStream:
    def __init__(self, new: list[StreamEntry], pending: list[StreamEntry] | None = None) -> None:
        self.new = list(new)
        self.pending = list(pending or [])
        self.acked: list[str] = []
        self.attempts: dict[str, int] = {}
        self.dead: list[tuple[str, str]] = []

    async def own_pending(self, limit: int) -> list[StreamEntry]:
        return self.pending[:limit]

    async def read_new(self, limit: int, block_ms: int) -> list[StreamEntry]:
        got, self.new = self.new[:limit], self.new[limit:]
        self.pending += got
        return got

    async def abandoned_batches(self, min_idle_ms: int) -> list[list[StreamEntry]]:
        return []

    async def ack(self, entry_ids: list[str]) -> None:
        self.acked += entry_ids
        self.pending = [e for e in self.pending if e.entry_id not in entry_ids]

    async def record_failure(self, entry_id: str) -> int:
        self.attempts[entry_id] = self.attempts.get(entry_id, 0) + 1
        return self.attempts[entry_id]

    async def dead_letter(self, entry: StreamEntry, reason: str) -> None:
        self.dead.append((entry.entry_id, reason))
        self.pending = [e for e in self.pending if e.entry_id != entry.entry_id]


class FakeStore:
    """Keeps rows and, like ClickHouse, ignores an insert whose token it has seen."""

    def __init__(self, failures: int = 0) -> None:
        self.rows: list[RecordedEvent] = []
        self.tokens: list[str] = []
        self.failures = failures

    async def insert(self, events: list[RecordedEvent], dedup_token: str) -> None:
        if self.failures:
            self.failures -= 1
            raise ConnectionError("ClickHouse is unreachable")
        if dedup_token in self.tokens:
            return
        self.tokens.append(dedup_token)
        self.rows += events


async def test_writes_a_batch_and_acknowledges_it_after_the_insert() -> None:
    stream, store = FakeStream([entry(i) for i in range(5)]), FakeStore()
    assert await StreamWriter(stream, store, FAST).step() == 5
    assert [r.visitor_id for r in store.rows] == [0, 1, 2, 3, 4]
    assert stream.acked == [f"{i}-0" for i in range(5)]
    assert stream.pending == []


async def test_a_pending_batch_is_replayed_alone_under_its_own_token() -> None:
    """After a crash between insert and ack: the pending batch is inserted again with the same token
    (and ignored), and new entries are not mixed into it."""
    crashed = [entry(i) for i in range(3)]
    store = FakeStore()
    await store.insert([e.recorded for e in crashed if e.recorded], dedup_token(crashed))
    stream = FakeStream([entry(10), entry(11)], pending=crashed)
    writer = StreamWriter(stream, store, FAST)
    await writer.step()
    assert len(store.rows) == 3
    assert stream.acked == ["0-0", "1-0", "2-0"]
    await writer.step()
    assert sorted(r.visitor_id for r in store.rows) == [0, 1, 2, 10, 11]


async def test_poison_is_retried_then_dead_lettered_while_the_rest_flow() -> None:
    stream = FakeStream([entry(1), entry(2, poison=True), entry(3)])
    store = FakeStore()
    writer = StreamWriter(stream, store, FAST)
    await writer.step()
    assert sorted(r.visitor_id for r in store.rows) == [1, 3]
    assert stream.attempts == {"2-0": 1}
    assert stream.dead == []
    stream.new = [entry(4)]
    await writer.step()
    await writer.step()
    assert stream.attempts == {"2-0": 3}
    assert stream.dead == [("2-0", "DecodeError: garbage")]
    assert stream.pending == []
    assert sorted(r.visitor_id for r in store.rows) == [1, 3, 4]


async def test_store_failures_are_retried_and_nothing_is_lost() -> None:
    stream, store = FakeStream([entry(i) for i in range(4)]), FakeStore(failures=3)
    assert await StreamWriter(stream, store, FAST).step() == 4
    assert len(store.rows) == 4
    assert stream.attempts == {}  # an outage is not the entries' fault


async def test_stop_leaves_a_failing_batch_pending() -> None:
    stream, store = FakeStream([entry(1)]), FakeStore(failures=10**6)
    stop = asyncio.Event()
    writer = StreamWriter(stream, store, replace(FAST, backoff_start_s=0.01, backoff_max_s=0.01))
    task = asyncio.create_task(writer.run(stop))
    await asyncio.sleep(0.05)
    stop.set()
    await asyncio.wait_for(task, 2)
    assert stream.acked == []
    assert [e.entry_id for e in stream.pending] == ["1-0"]


def test_the_token_depends_only_on_which_entries() -> None:
    a, b = entry(1), entry(2)
    assert dedup_token([a, b]) == dedup_token([b, a])
    assert dedup_token([a]) != dedup_token([a, b])


@pytest.mark.parametrize("size", [1, 7])
async def test_batches_are_capped(size: int) -> None:
    stream, store = FakeStream([entry(i) for i in range(10)]), FakeStore()
    writer = StreamWriter(stream, store, replace(FAST, batch_size=size))
    assert await writer.step() == size
