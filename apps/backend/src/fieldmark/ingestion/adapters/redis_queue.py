"""The event queue on a Redis Stream: sessions, rate limits and XADD in one Lua call per flush.

Requests arriving while a flush is in flight are gathered into the next one (group commit), so under
load many requests share one round trip; each request still returns only after its own events are in
the stream. Keys are built here and passed as arguments, so this expects a single Redis (not Cluster)."""

from __future__ import annotations

import asyncio
import hashlib
import random
from datetime import date, datetime
from typing import Any

import msgspec
import redis.asyncio as aioredis
from redis.exceptions import RedisError

from fieldmark.ingestion.application.ports import QueuedRequest
from fieldmark.ingestion.domain.limits import (
    COLLECT_DEADLINE_SECONDS,
    IDEMPOTENCY_WINDOW_SECONDS,
    SESSION_TIMEOUT_SECONDS,
)
from fieldmark.shared_kernel.errors import Overloaded, RateLimited, StoreUnavailable

STREAM = "fm:events"
GROUP = "writers"
DEAD_LETTERS = "fm:events:dead"
_random = random.Random()  # noqa: S311 - candidate session ids: unique, never a credential
ATTEMPTS = "fm:events:attempts"

_ENQUEUE = """
local ttl, max_backlog = tonumber(ARGV[1]), tonumber(ARGV[2])
local ip_limit, site_limit, window = tonumber(ARGV[3]), tonumber(ARGV[4]), tonumber(ARGV[5])
local groups, now, idem_ttl, i, out = tonumber(ARGV[6]), tonumber(ARGV[7]), tonumber(ARGV[8]), 9, {}
-- A window's counters are needed until it ends (and a little after, for requests still in flight): they
-- expire then, so that about one window's keys are alive at a time, not two or three.
local counter_ttl = window - (now % window) + 5
local backlogged = redis.call('XLEN', KEYS[1]) >= max_backlog
for g = 1, groups do
  local ip_key, site_key, n = ARGV[i], ARGV[i + 1], tonumber(ARGV[i + 2])
  i = i + 3
  local status = 1
  if backlogged then
    status = -1
  else
    local ip_count = redis.call('INCRBY', ip_key, n)
    if ip_count == n then redis.call('EXPIRE', ip_key, counter_ttl) end
    local site_count = redis.call('INCRBY', site_key, n)
    if site_count == n then redis.call('EXPIRE', site_key, counter_ttl) end
    if ip_count > ip_limit then status = -2 elseif site_count > site_limit then status = -3 end
  end
  for e = 1, n do
    if status == 1 then
      local today, yesterday, sid = ARGV[i], ARGV[i + 1], ARGV[i + 2]
      local visitor = ARGV[i + 3]
      local existing = redis.call('GET', today)
      if existing then
        sid = existing
        redis.call('EXPIRE', today, ttl)
      else
        local previous = false
        if yesterday ~= '' then previous = redis.call('GET', yesterday) end
        if previous then
          sid, visitor = previous, ARGV[i + 4]
          redis.call('EXPIRE', yesterday, ttl)
        else
          redis.call('SET', today, sid, 'EX', ttl)
        end
      end
      -- An idempotency key seen within its window: the event is in the stream already.
      local idem = ARGV[i + 6]
      if idem == '' or redis.call('SET', idem, 1, 'NX', 'EX', idem_ttl) then
        redis.call('XADD', KEYS[1], '*', 'e', ARGV[i + 5], 'v', visitor, 's', sid)
      end
    end
    i = i + 7
  end
  out[g] = status
end
return out
"""


def _idempotency(site_hex: str, key: str | None) -> str:
    """The Redis key that marks an idempotency key as seen for a site ('' when the event has none)."""
    if key is None:
        return ""
    return f"fm:idem:{site_hex}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"


class RedisEventQueue:
    def __init__(
        self,
        client: aioredis.Redis,
        *,
        max_backlog: int = 1_000_000,
        ip_limit_per_minute: int = 1200,
        site_limit_per_minute: int = 600_000,
        max_events_per_flush: int = 2000,
        deadline_s: float = COLLECT_DEADLINE_SECONDS,
    ) -> None:
        self._deadline = deadline_s
        self._redis = client
        self._script = client.register_script(_ENQUEUE)
        self._max_backlog = max_backlog
        self._ip_limit = ip_limit_per_minute
        self._site_limit = site_limit_per_minute
        self._max_flush = max_events_per_flush
        self._waiting: list[tuple[QueuedRequest, int, asyncio.Future[int]]] = []
        self._flushing = False
        self._encoder = msgspec.msgpack.Encoder()

    async def enqueue(self, request: QueuedRequest, now: datetime) -> None:
        future: asyncio.Future[int] = asyncio.get_running_loop().create_future()
        self._waiting.append((request, int(now.timestamp()), future))
        if not self._flushing:
            self._flushing = True
            asyncio.get_running_loop().create_task(self._flush())
        status = await future
        if status == -1:
            raise Overloaded("the ingestion backlog is full; retry later", retry_after=30)
        if status in (-2, -3):
            retry = 60 - int(now.timestamp()) % 60
            who = "this address" if status == -2 else "this site"
            raise RateLimited(f"too many events from {who}; retry in {retry} s", retry_after=retry)

    async def _flush(self) -> None:
        try:
            while self._waiting:
                batch: list[tuple[QueuedRequest, int, asyncio.Future[int]]] = []
                size = 0
                while self._waiting and (
                    not batch or size + len(self._waiting[0][0].events) <= self._max_flush
                ):
                    item = self._waiting.pop(0)
                    batch.append(item)
                    size += len(item[0].events)
                try:
                    statuses = await asyncio.wait_for(
                        self._script(keys=[STREAM], args=self._arguments(batch)), self._deadline
                    )
                except (RedisError, OSError, TimeoutError) as exc:
                    # Not confirmed: Redis may still run the script (a frozen server resumes); the request
                    # answers 503 (CollectEvents), and a retry with the same idempotency key stores nothing
                    # twice. Bounded, so that one hung call does not hold the requests gathered after it.
                    error = StoreUnavailable.because("Redis", exc)
                    for _, _, future in batch:
                        if not future.done():
                            future.set_exception(error)
                    continue
                for (_, _, future), status in zip(batch, statuses, strict=True):
                    if not future.done():
                        future.set_result(int(status))
        finally:
            self._flushing = False

    def _arguments(self, batch: list[tuple[QueuedRequest, int, asyncio.Future[int]]]) -> list[Any]:
        args: list[Any] = [
            SESSION_TIMEOUT_SECONDS,
            self._max_backlog,
            self._ip_limit,
            self._site_limit,
            60,
            len(batch),
            max(epoch for _, epoch, _ in batch),
            IDEMPOTENCY_WINDOW_SECONDS,
        ]
        for request, epoch, _ in batch:
            window = epoch // 60
            site = request.events[0].event.site_id.hex if request.events else "none"
            args += [
                f"fm:rl:ip:{request.address_token}:{window}",
                f"fm:rl:site:{site}:{window}",
                len(request.events),
            ]
            for queued in request.events:
                site_hex = queued.event.site_id.hex
                args += [
                    f"fm:sess:{site_hex}:{queued.visitor_today:x}",
                    f"fm:sess:{site_hex}:{queued.visitor_yesterday:x}" if queued.visitor_yesterday else "",
                    _random.getrandbits(63),
                    queued.visitor_today,
                    queued.visitor_yesterday or 0,
                    self._encoder.encode(queued.event),
                    _idempotency(site_hex, queued.idempotency_key),
                ]
        return args

    async def count_bots(self, site_ids: list[str], day: date) -> None:
        key = f"fm:bots:{day.isoformat()}"
        try:
            async with self._redis.pipeline(transaction=False) as pipe:
                for site_id in site_ids:
                    pipe.hincrby(key, site_id, 1)
                pipe.expire(key, 90 * 86400)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            raise StoreUnavailable.because("Redis", exc) from None
