"""Ingestion's adapters on the real engines: salts, sessions across midnight, insert deduplication."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time, timedelta

import pytest
import redis
import redis.asyncio as aioredis

from fieldmark.bootstrap.migrate import migrate_clickhouse
from fieldmark.bootstrap.stores import ClickHousePool
from fieldmark.ingestion.adapters.clickhouse_store import ClickHouseEventStore
from fieldmark.ingestion.adapters.redis_queue import RedisEventQueue
from fieldmark.ingestion.adapters.redis_salts import RedisSaltStore
from fieldmark.ingestion.adapters.redis_stream import RedisEventStream
from fieldmark.ingestion.application.ports import QueuedEvent, QueuedRequest
from fieldmark.ingestion.domain.event import StoredEvent
from fieldmark.ingestion.domain.recorded import RecordedEvent
from fieldmark.shared_kernel.errors import StoreUnavailable
from tests.factories import stored_event

SITE = uuid.uuid4()


def stored(path: str, at: datetime) -> StoredEvent:
    return stored_event(path, at=at, site=SITE)


async def test_salts_live_48_hours_from_the_start_of_their_day(redis_url: str) -> None:
    client = aioredis.Redis.from_url(redis_url)
    sync = redis.Redis.from_url(redis_url)
    now = datetime.now(UTC)
    today_start = datetime.combine(now.date(), time(), UTC)

    first = await RedisSaltStore(client).salts(now)
    assert len(first.today) == 32
    assert first.yesterday is None
    ttl = sync.ttl(f"fm:salt:{now.date()}")
    assert abs(ttl - (today_start + timedelta(hours=48) - now).total_seconds()) < 3
    assert await RedisSaltStore(client).salts(now) == first  # another process gets the same salt

    yesterday = await RedisSaltStore(client).salts(now - timedelta(days=1))
    both = await RedisSaltStore(client).salts(now)
    assert both.today == first.today
    assert both.yesterday == yesterday.today != first.today
    assert (
        sync.ttl(f"fm:salt:{now.date() - timedelta(days=1)}")
        <= (today_start + timedelta(hours=24) - now).total_seconds() + 1
    )

    with pytest.raises(StoreUnavailable):  # a day whose 48 hours are over: its salt cannot exist
        await RedisSaltStore(client).salts(now - timedelta(days=3))
    assert sync.exists(f"fm:salt:{now.date() - timedelta(days=3)}") == 0
    await client.aclose()


async def test_a_visit_crossing_midnight_keeps_its_session_and_visitor(redis_url: str) -> None:
    client = aioredis.Redis.from_url(redis_url)
    queue = RedisEventQueue(client)
    stream = RedisEventStream(client, "reader")
    now = datetime.now(UTC)
    await queue.enqueue(QueuedRequest([QueuedEvent(stored("/before", now), 111, None)], "ip-a"), now)
    # After midnight the same person hashes to a new visitor id (222); yesterday's (111) has a live session.
    await queue.enqueue(QueuedRequest([QueuedEvent(stored("/after", now), 222, 111)], "ip-a"), now)
    # Someone else, first seen after midnight, starts a session of their own.
    await queue.enqueue(QueuedRequest([QueuedEvent(stored("/other", now), 333, 444)], "ip-b"), now)
    entries = await stream.read_new(10, 100)
    recorded = [e.recorded for e in entries if e.recorded]
    assert [r.event.pathname for r in recorded] == ["/before", "/after", "/other"]
    assert recorded[0].session_id == recorded[1].session_id != recorded[2].session_id
    assert [r.visitor_id for r in recorded] == [111, 111, 333]
    assert 0 < await client.ttl(f"fm:sess:{SITE.hex}:{111:x}") <= 1800
    await client.aclose()


async def test_an_insert_repeated_with_its_token_is_ignored(clickhouse: ClickHousePool) -> None:
    migrate_clickhouse(clickhouse)
    store = ClickHouseEventStore(clickhouse)
    now = datetime.now(UTC)
    batch = [RecordedEvent(stored(f"/{i}", now), i, i) for i in range(5)]
    await store.insert(batch, "token-1")
    await store.insert(batch, "token-1")
    assert clickhouse.run(lambda c: c.command("SELECT count() FROM events")) == 5
    await store.insert(batch[:2], "token-2")
    assert clickhouse.run(lambda c: c.command("SELECT count() FROM events")) == 7


async def test_rate_limit_counters_live_until_their_minute_ends(redis_url: str) -> None:
    """A minute's counters expire just after it (5 s of slack), so about one minute of them is kept."""
    client = aioredis.Redis.from_url(redis_url)
    queue = RedisEventQueue(client)
    now = datetime(2026, 11, 24, 12, 0, 40, tzinfo=UTC)  # 20 s before the minute ends
    await queue.enqueue(QueuedRequest([QueuedEvent(stored("/x", now), 1, None)], "ip-a"), now)
    window = int(now.timestamp()) // 60
    assert 20 <= await client.ttl(f"fm:rl:ip:ip-a:{window}") <= 25
    assert 20 <= await client.ttl(f"fm:rl:site:{SITE.hex}:{window}") <= 25
    await client.aclose()
