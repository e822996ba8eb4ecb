"""Results in Redis, keyed by the query and the data versions of its sites: the writer bumps a site's
version when a batch lands, so a cached answer is never older than the last landed batch. Answers are
kept for ten minutes; when Redis is away the store is asked directly."""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Awaitable, Callable
from datetime import datetime
from typing import Any, TypeVar

import msgspec
import redis.asyncio as aioredis

from fieldmark.analytics.application.ports import (
    ClickScope,
    FunnelDef,
    FunnelRow,
    HeatmapRows,
    Row,
    Scope,
    StatsStore,
)
from fieldmark.analytics.domain.query import Dimension, Filter, Query
from fieldmark.shared_kernel.data_version import data_version_key

log = logging.getLogger(__name__)
TTL_S = 600
T = TypeVar("T")


def _key(kind: str, *parts: Any) -> str:
    """The model's objects are frozen dataclasses, tuples and enums: their repr is their full value."""
    return hashlib.sha256(repr((kind, *parts)).encode()).hexdigest()


class CachedStats:
    """A `StatsStore` in front of another: every statistic goes through `_through`."""

    def __init__(self, store: StatsStore, client: aioredis.Redis) -> None:
        self._store = store
        self._redis = client

    async def _versions(self, scope: Scope) -> list[int] | None:
        try:
            values = await self._redis.mget([data_version_key(s) for s in scope.sites])
        except Exception as exc:
            log.warning("result cache unavailable (%s): asking ClickHouse", type(exc).__name__)
            return None
        return [int(v or 0) for v in values]

    async def _through(
        self, kind: str, scope: Scope, answer_type: type[T], ask: Callable[[], Awaitable[T]], *parts: Any
    ) -> T:
        """The cached answer for these sites' current data versions, or the store's, then kept."""
        versions = await self._versions(scope)
        if versions is None:
            return await ask()
        key = "fm:qc:" + _key(kind, scope, *parts, versions)
        try:
            raw = await self._redis.get(key)
        except Exception:
            raw = None
        if raw:
            found: T = msgspec.json.decode(raw, type=answer_type)
            return found
        answer = await ask()
        try:
            await self._redis.set(key, msgspec.json.encode(answer), ex=TTL_S)
        except Exception as exc:
            log.warning("result cache unavailable (%s): answer not kept", type(exc).__name__)
        return answer

    async def aggregate(self, scope: Scope, query: Query) -> list[Row]:
        return await self._through(
            "aggregate", scope, list[Row], lambda: self._store.aggregate(scope, query), query
        )

    async def imported(self, scope: Scope, dimension: str | None, limit: int) -> list[Row]:
        return await self._through(
            "imported",
            scope,
            list[Row],
            lambda: self._store.imported(scope, dimension, limit),
            dimension,
            limit,
        )

    async def funnel(
        self, scope: Scope, funnel: FunnelDef, filters: tuple[Filter, ...], breakdown: Dimension | None
    ) -> list[FunnelRow]:
        return await self._through(
            "funnel",
            scope,
            list[FunnelRow],
            lambda: self._store.funnel(scope, funnel, filters, breakdown),
            funnel,
            filters,
            breakdown,
        )

    async def heatmap(
        self, scope: Scope, filters: tuple[Filter, ...], clicks: ClickScope, columns: int
    ) -> HeatmapRows:
        return await self._through(
            "heatmap",
            scope,
            HeatmapRows,
            lambda: self._store.heatmap(scope, filters, clicks, columns),
            filters,
            clicks,
            columns,
        )

    async def click_pages(
        self, scope: Scope, filters: tuple[Filter, ...], clicks: ClickScope, limit: int
    ) -> list[tuple[str, int]]:
        return await self._through(
            "click_pages",
            scope,
            list[tuple[str, int]],
            lambda: self._store.click_pages(scope, filters, clicks, limit),
            filters,
            clicks,
            limit,
        )

    async def journeys(
        self, scope: Scope, filters: tuple[Filter, ...], page: str | None, depth: int, limit: int
    ) -> list[tuple[str, tuple[str, ...], int]]:
        return await self._through(
            "journeys",
            scope,
            list[tuple[str, tuple[str, ...], int]],
            lambda: self._store.journeys(scope, filters, page, depth, limit),
            filters,
            page,
            depth,
            limit,
        )

    async def retention(
        self, scope: Scope, unit: str, basis: str, filters: tuple[Filter, ...]
    ) -> list[tuple[str, int, int]]:
        return await self._through(
            "retention",
            scope,
            list[tuple[str, int, int]],
            lambda: self._store.retention(scope, unit, basis, filters),
            unit,
            basis,
            filters,
        )

    async def has_people(self, scope: Scope) -> bool:
        return await self._store.has_people(scope)

    async def first_event(self, sites: tuple[Any, ...]) -> datetime | None:
        return await self._store.first_event(sites)
