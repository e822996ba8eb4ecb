"""What Redis holds of a site besides its queued events, forgotten when the site is deleted; and the
deleted sites' tombstones, by which the stream writers drop events of a site collected just before its
deletion (a collector's site cache lasts 30 seconds)."""

from __future__ import annotations

from uuid import UUID

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from fieldmark.shared_kernel.data_version import data_version_key
from fieldmark.shared_kernel.errors import StoreUnavailable

TOMBSTONE_S = 86_400  # longer than any backlog the stream is allowed to hold


def tombstone_key(site_id: UUID) -> str:
    return f"fm:gone:{site_id.hex}"


class RedisSiteForgetting:
    def __init__(self, client: aioredis.Redis) -> None:
        self._redis = client

    async def forget(self, site_id: UUID) -> None:
        """Its sessions, rate-limit counters, bot counts and data version, and a tombstone."""
        try:
            await self._redis.set(tombstone_key(site_id), 1, ex=TOMBSTONE_S)
            doomed = [data_version_key(site_id)]
            for pattern in (f"fm:sess:{site_id.hex}:*", f"fm:rl:site:{site_id.hex}:*"):
                doomed += [key async for key in self._redis.scan_iter(match=pattern, count=1000)]
            if doomed:
                await self._redis.delete(*doomed)
            async for key in self._redis.scan_iter(match="fm:bots:*", count=1000):
                await self._redis.hdel(key, str(site_id), site_id.hex)
        except (RedisError, OSError) as exc:
            raise StoreUnavailable.because("Redis", exc) from None

    async def gone(self, site_ids: set[UUID]) -> set[UUID]:
        """Which of these sites have been deleted."""
        ordered = sorted(site_ids, key=str)
        flags = await self._redis.mget([tombstone_key(s) for s in ordered])
        return {site for site, flag in zip(ordered, flags, strict=True) if flag is not None}
