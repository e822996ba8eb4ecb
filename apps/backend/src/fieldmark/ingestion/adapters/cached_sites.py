"""Site lookups cached in memory: the collect path never waits on PostgreSQL for a known site, and keeps
answering from the cache for a bounded time if PostgreSQL goes away."""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from typing import TypeVar

from fieldmark.ingestion.application.ports import SiteDirectory
from fieldmark.ingestion.domain.site import SiteSettings
from fieldmark.shared_kernel.errors import StoreUnavailable

T = TypeVar("T")


class CachedSiteDirectory:
    def __init__(
        self, inner: SiteDirectory, *, fresh_s: float = 30.0, stale_s: float = 600.0, missing_s: float = 5.0
    ) -> None:
        self._inner = inner
        self._fresh_s, self._stale_s, self._missing_s = fresh_s, stale_s, missing_s
        self._entries: dict[tuple[str, str], tuple[float, object]] = {}

    async def _cached(self, key: tuple[str, str], load: Callable[[], Awaitable[T]]) -> T:
        now = time.monotonic()
        hit = self._entries.get(key)
        if hit is not None:
            age = now - hit[0]
            ttl = self._fresh_s if hit[1] not in (None, False) else self._missing_s
            if age < ttl:
                return hit[1]  # type: ignore[return-value]
        try:
            value = await load()
        except StoreUnavailable:
            if hit is not None and now - hit[0] < self._stale_s:
                return hit[1]  # type: ignore[return-value]
            raise
        if len(self._entries) > 50_000:
            self._entries.clear()
        self._entries[key] = (now, value)
        return value

    async def by_domain(self, domain: str) -> SiteSettings | None:
        return await self._cached(("domain", domain), lambda: self._inner.by_domain(domain))

    async def by_key(self, public_key: str) -> SiteSettings | None:
        return await self._cached(("key", public_key), lambda: self._inner.by_key(public_key))

    async def origin_allowed(self, host: str) -> bool:
        return await self._cached(("origin", host), lambda: self._inner.origin_allowed(host))
