"""Results in Redis, keyed by the query and the data versions of its sites: the writer bumps a site's
version when a batch lands, so a cached answer is never older than the last landed batch. Answers are
kept for ten minutes; when Redis is away the store is asked directly."""

from __future__ import annotations

import hashlib
import logging
from datetime import datetime
from typing import Any

import msgspec
import redis.asyncio as aioredis

from fieldmark.analytics.application.ports import FunnelDef, FunnelRow, Row, Scope, StatsStore
from fieldmark.analytics.domain.query import Dimension, Filter, Query
from fieldmark.shared_kernel.data_version import data_version_key

log = logging.getLogger(__name__)
TTL_S = 600


def _key(kind: str, *parts: Any) -> str:
    """The model's objects are frozen dataclasses, tuples and enums: their repr is their full value."""
    return hashlib.sha256(repr((kind, *parts)).encode()).hexdigest()


class CachedStats:
    """A `StatsStore` in front of another. `hits` and `misses` count since start (for /api/health)."""

    def __init__(self, store: StatsStore, client: aioredis.Redis) -> None:
        self._store = store
        self._redis = client
        self.hits = 0
        self.misses = 0

    async def _versions(self, scope: Scope) -> list[int] | None:
        try:
            values = await self._redis.mget([data_version_key(s) for s in scope.sites])
        except Exception as exc:
            log.warning("result cache unavailable (%s): asking ClickHouse", type(exc).__name__)
            return None
        return [int(v or 0) for v in values]

    async def _cached(self, key: str, decode: Any) -> Any:
        try:
            raw = await self._redis.get(key)
        except Exception:
            return None
        return msgspec.json.decode(raw, type=decode) if raw else None

    async def _keep(self, key: str, value: Any) -> None:
        try:
            await self._redis.set(key, msgspec.json.encode(value), ex=TTL_S)
        except Exception as exc:
            log.warning("result cache unavailable (%s): answer not kept", type(exc).__name__)

    async def aggregate(self, scope: Scope, query: Query) -> list[Row]:
        versions = await self._versions(scope)
        if versions is None:
            return await self._store.aggregate(scope, query)
        key = "fm:qc:" + _key("aggregate", scope, query, versions)
        found = await self._cached(key, list[Row])
        if found is not None:
            self.hits += 1
            return list(found)
        self.misses += 1
        rows = await self._store.aggregate(scope, query)
        await self._keep(key, rows)
        return rows

    async def funnel(
        self, scope: Scope, funnel: FunnelDef, filters: tuple[Filter, ...], breakdown: Dimension | None
    ) -> list[FunnelRow]:
        versions = await self._versions(scope)
        if versions is None:
            return await self._store.funnel(scope, funnel, filters, breakdown)
        key = "fm:qc:" + _key("funnel", scope, funnel, list(filters), breakdown, versions)
        found = await self._cached(key, list[FunnelRow])
        if found is not None:
            self.hits += 1
            return list(found)
        self.misses += 1
        rows = await self._store.funnel(scope, funnel, filters, breakdown)
        await self._keep(key, rows)
        return rows

    async def journeys(
        self, scope: Scope, filters: tuple[Filter, ...], page: str | None, depth: int, limit: int
    ) -> list[tuple[str, tuple[str, ...], int]]:
        versions = await self._versions(scope)
        if versions is None:
            return await self._store.journeys(scope, filters, page, depth, limit)
        key = "fm:qc:" + _key("journeys", scope, filters, page, depth, limit, versions)
        found = await self._cached(key, list[tuple[str, tuple[str, ...], int]])
        if found is not None:
            self.hits += 1
            return list(found)
        self.misses += 1
        rows = await self._store.journeys(scope, filters, page, depth, limit)
        await self._keep(key, rows)
        return rows

    async def retention(
        self, scope: Scope, unit: str, basis: str, filters: tuple[Filter, ...]
    ) -> list[tuple[str, int, int]]:
        versions = await self._versions(scope)
        if versions is None:
            return await self._store.retention(scope, unit, basis, filters)
        key = "fm:qc:" + _key("retention", scope, unit, basis, filters, versions)
        found = await self._cached(key, list[tuple[str, int, int]])
        if found is not None:
            self.hits += 1
            return list(found)
        self.misses += 1
        rows = await self._store.retention(scope, unit, basis, filters)
        await self._keep(key, rows)
        return rows

    async def has_people(self, scope: Scope) -> bool:
        return await self._store.has_people(scope)

    async def first_event(self, sites: tuple[Any, ...]) -> datetime | None:
        return await self._store.first_event(sites)
