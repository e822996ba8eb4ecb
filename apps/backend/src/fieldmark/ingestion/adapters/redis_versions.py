"""Per-site data versions in Redis, bumped after each landed batch."""

from __future__ import annotations

from uuid import UUID

import redis.asyncio as aioredis

from fieldmark.shared_kernel.data_version import data_version_key


class RedisDataVersions:
    def __init__(self, client: aioredis.Redis) -> None:
        self._redis = client

    async def bump(self, site_ids: set[UUID]) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            for site_id in sorted(site_ids, key=str):
                pipe.incr(data_version_key(site_id))
            await pipe.execute()
