"""Daily salts in Redis: random, made once per server-clock day by whichever process asks first, and
deleted by Redis 48 hours after that day began (so only today's and yesterday's ever exist)."""

from __future__ import annotations

import os
from datetime import UTC, date, datetime, time, timedelta

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from fieldmark.ingestion.application.ports import DailySalts
from fieldmark.shared_kernel.errors import StoreUnavailable

SALT_LIFETIME = timedelta(hours=48)


class RedisSaltStore:
    def __init__(self, client: aioredis.Redis) -> None:
        self._redis = client
        self._cache: dict[date, bytes | None] = {}  # None: that day had no salt (it cannot gain one later)

    async def salts(self, now: datetime) -> DailySalts:
        today = now.astimezone(UTC).date()
        yesterday = today - timedelta(days=1)
        current = self._cache.get(today)
        if current is None:
            self._cache = {d: s for d, s in self._cache.items() if d >= yesterday}
            current = await self._salt(today, create=True)
            assert current is not None
            self._cache[today] = current
        if yesterday not in self._cache:
            self._cache[yesterday] = await self._salt(yesterday, create=False)
        return DailySalts(current, self._cache[yesterday])

    async def _salt(self, day: date, *, create: bool) -> bytes | None:
        key = f"fm:salt:{day.isoformat()}"
        expires = datetime.combine(day, time(), UTC) + SALT_LIFETIME
        try:
            if create:
                await self._redis.set(key, os.urandom(32), nx=True, exat=int(expires.timestamp()))
            value = await self._redis.get(key)
        except (RedisError, OSError) as exc:
            raise StoreUnavailable.because("Redis", exc) from None
        if value is None and create:
            raise StoreUnavailable(f"the salt for {day} could not be kept")
        if value is None:
            return None
        return value.encode() if isinstance(value, str) else bytes(value)
