"""Server-side sessions and sign-in throttling in Redis. Keys hold a hash of the session token, never the
token itself, so a Redis dump cannot be replayed as cookies."""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from fieldmark.identity.application.ports import Session
from fieldmark.shared_kernel.errors import StoreUnavailable
from fieldmark.shared_kernel.ids import UserId

SESSION_LIFETIME_S = 14 * 24 * 3600


def _key(token: str) -> str:
    return "fm:auth:session:" + hashlib.sha256(token.encode()).hexdigest()


class RedisSessionStore:
    def __init__(self, client: aioredis.Redis) -> None:
        self._redis = client

    async def create(self, user_id: UserId) -> Session:
        session = Session(secrets.token_urlsafe(32), user_id, secrets.token_urlsafe(32))
        value = json.dumps({"user": str(user_id), "csrf": session.csrf_token})
        index = f"fm:auth:user-sessions:{user_id}"
        try:
            async with self._redis.pipeline(transaction=True) as pipe:
                pipe.set(_key(session.token), value, ex=SESSION_LIFETIME_S)
                pipe.sadd(index, _key(session.token))
                pipe.expire(index, SESSION_LIFETIME_S)
                await pipe.execute()
        except (RedisError, OSError) as exc:
            raise StoreUnavailable.because("Redis", exc) from None
        return session

    async def get(self, token: str) -> Session | None:
        try:
            raw = await self._redis.get(_key(token))
        except (RedisError, OSError) as exc:
            raise StoreUnavailable.because("Redis", exc) from None
        if raw is None:
            return None
        value = json.loads(raw)
        return Session(token, UserId(uuid.UUID(value["user"])), value["csrf"])

    async def revoke(self, token: str) -> None:
        try:
            await self._redis.delete(_key(token))
        except (RedisError, OSError) as exc:
            raise StoreUnavailable.because("Redis", exc) from None

    async def revoke_all(self, user_id: UserId) -> None:
        index = f"fm:auth:user-sessions:{user_id}"
        try:
            keys = await self._redis.smembers(index)
            await self._redis.delete(index, *keys)
        except (RedisError, OSError) as exc:
            raise StoreUnavailable.because("Redis", exc) from None


class RedisResetTokens:
    """One-time password-reset tokens: a hash of each kept for an hour, deleted when used."""

    def __init__(self, client: aioredis.Redis, lifetime_s: int = 3600) -> None:
        self._redis = client
        self._lifetime = lifetime_s

    async def issue(self, user_id: UserId) -> str:
        token = secrets.token_urlsafe(32)
        await self._redis.set(
            "fm:auth:reset:" + hashlib.sha256(token.encode()).hexdigest(), str(user_id), ex=self._lifetime
        )
        return token

    async def redeem(self, token: str) -> UserId | None:
        value = await self._redis.getdel("fm:auth:reset:" + hashlib.sha256(token.encode()).hexdigest())
        return UserId(uuid.UUID(value.decode() if isinstance(value, bytes) else value)) if value else None


class RedisChallenges:
    """Second-factor challenges: a hash of each kept five minutes, spent on the first attempt."""

    def __init__(self, client: aioredis.Redis, lifetime_s: int = 300) -> None:
        self._redis = client
        self._lifetime = lifetime_s

    async def issue(self, user_id: UserId) -> str:
        token = secrets.token_urlsafe(32)
        await self._redis.set(
            "fm:auth:2fa:" + hashlib.sha256(token.encode()).hexdigest(), str(user_id), ex=self._lifetime
        )
        return token

    async def redeem(self, token: str) -> UserId | None:
        value = await self._redis.getdel("fm:auth:2fa:" + hashlib.sha256(token.encode()).hexdigest())
        return UserId(uuid.UUID(value.decode() if isinstance(value, bytes) else value)) if value else None


class RedisLoginThrottle:
    """At most `limit` failures per key within `window_s`; a success clears the account's count."""

    def __init__(self, client: aioredis.Redis, *, limit: int = 10, window_s: int = 900) -> None:
        self._redis = client
        self._limit = limit
        self._window = window_s

    @staticmethod
    def _key(key: str) -> str:
        return "fm:auth:fail:" + hashlib.sha256(key.encode()).hexdigest()[:32]

    async def blocked_for(self, keys: list[str]) -> int:
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in keys:
                pipe.get(self._key(key))
                pipe.ttl(self._key(key))
            values = await pipe.execute()
        waits = [
            int(ttl)
            for count, ttl in zip(values[::2], values[1::2], strict=True)
            if count is not None and int(count) >= self._limit
        ]
        return max(waits, default=0)

    async def failed(self, keys: list[str]) -> None:
        async with self._redis.pipeline(transaction=False) as pipe:
            for key in keys:  # SET NX starts the window; INCR keeps its expiry (Redis 6.2 has no EXPIRE NX)
                pipe.set(self._key(key), 0, ex=self._window, nx=True)
                pipe.incr(self._key(key))
            await pipe.execute()

    async def succeeded(self, keys: list[str]) -> None:
        await self._redis.delete(*(self._key(key) for key in keys))
