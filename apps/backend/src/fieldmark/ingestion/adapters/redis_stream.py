"""The writers' side of the Redis Stream: one named consumer in the `writers` group."""

from __future__ import annotations

import asyncio
from typing import Any

import msgspec
import redis.asyncio as aioredis
from redis.exceptions import ResponseError

from fieldmark.ingestion.adapters.redis_queue import ATTEMPTS, DEAD_LETTERS, GROUP, STREAM
from fieldmark.ingestion.domain.event import StoredEvent
from fieldmark.ingestion.domain.recorded import RecordedEvent, StreamEntry


class RedisEventStream:
    def __init__(self, client: aioredis.Redis, consumer: str) -> None:
        self._redis = client
        self.consumer = consumer
        self._decoder = msgspec.msgpack.Decoder(StoredEvent)
        self._group_ready = False

    async def _ensure_group(self) -> None:
        if self._group_ready:
            return
        try:
            await self._redis.xgroup_create(STREAM, GROUP, id="0", mkstream=True)
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise
        self._group_ready = True

    def _entry(self, entry_id: Any, fields: dict[bytes, bytes]) -> StreamEntry:
        ident = entry_id.decode() if isinstance(entry_id, bytes) else str(entry_id)
        try:
            event = self._decoder.decode(fields[b"e"])
            recorded = RecordedEvent(event, int(fields[b"v"]), int(fields[b"s"]))
        except (KeyError, ValueError, msgspec.DecodeError) as exc:
            return StreamEntry(ident, None, f"{type(exc).__name__}: {exc}"[:500])
        return StreamEntry(ident, recorded)

    def _entries(self, response: Any) -> list[StreamEntry]:
        if not response:
            return []
        ((_, items),) = response
        return [self._entry(entry_id, fields) for entry_id, fields in items if fields is not None]

    async def own_pending(self, limit: int) -> list[StreamEntry]:
        await self._ensure_group()
        response = await self._redis.xreadgroup(GROUP, self.consumer, {STREAM: "0"}, count=limit)
        return await asyncio.to_thread(self._entries, response)

    async def read_new(self, limit: int, block_ms: int) -> list[StreamEntry]:
        await self._ensure_group()
        response = await self._redis.xreadgroup(
            GROUP, self.consumer, {STREAM: ">"}, count=limit, block=block_ms
        )
        return await asyncio.to_thread(self._entries, response)  # decoding a batch is CPU work

    async def abandoned_batches(self, min_idle_ms: int) -> list[list[StreamEntry]]:
        await self._ensure_group()
        batches = []
        for consumer in await self._redis.xinfo_consumers(STREAM, GROUP):
            name = consumer["name"].decode() if isinstance(consumer["name"], bytes) else consumer["name"]
            if name == self.consumer or consumer["pending"] == 0 or consumer["idle"] < min_idle_ms:
                continue
            pending = await self._redis.xpending_range(
                STREAM, GROUP, "-", "+", consumer["pending"], consumername=name
            )
            ids: list[Any] = [p["message_id"] for p in pending]
            claimed: list[Any] = await self._redis.xclaim(STREAM, GROUP, self.consumer, min_idle_ms, ids)
            batches.append([self._entry(i, f) for i, f in claimed if f is not None])
            await self._redis.xgroup_delconsumer(STREAM, GROUP, name)
        return batches

    async def ack(self, entry_ids: list[str]) -> None:
        if not entry_ids:
            return
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xack(STREAM, GROUP, *entry_ids)
            pipe.xdel(STREAM, *entry_ids)
            pipe.hdel(ATTEMPTS, *entry_ids)
            await pipe.execute()

    async def record_failure(self, entry_id: str) -> int:
        return int(await self._redis.hincrby(ATTEMPTS, entry_id, 1))

    async def dead_letter(self, entry: StreamEntry, reason: str) -> None:
        raw: Any = await self._redis.xrange(STREAM, entry.entry_id, entry.entry_id)
        fields: dict[Any, Any] = dict(raw[0][1]) if raw else {}
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.xadd(DEAD_LETTERS, {**fields, b"entry": entry.entry_id, b"reason": reason})
            pipe.xack(STREAM, GROUP, entry.entry_id)
            pipe.xdel(STREAM, entry.entry_id)
            pipe.hdel(ATTEMPTS, entry.entry_id)
            await pipe.execute()


async def stream_status(client: aioredis.Redis) -> dict[str, int]:
    """Events waiting (not yet in ClickHouse), held by a writer, and dead-lettered."""
    async with client.pipeline(transaction=False) as pipe:
        pipe.xlen(STREAM)
        pipe.xlen(DEAD_LETTERS)
        backlog, dead = await pipe.execute()
    try:
        pending = (await client.xpending(STREAM, GROUP))["pending"]
    except ResponseError:  # no group yet: nothing was ever read
        pending = 0
    return {"backlog": int(backlog), "in_flight": int(pending), "dead_letters": int(dead)}
