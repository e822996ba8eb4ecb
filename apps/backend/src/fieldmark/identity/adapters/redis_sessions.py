"""Server-side sessions and sign-in throttling in Redis. Keys hold a hash of the session token, never the
token itself, so a Redis dump cannot be replayed as cookies."""

from __future__ import annotations

import hashlib
import json
import secrets
import uuid
from typing import Any

import redis.asyncio as aioredis
from redis.exceptions import RedisError

from fieldmark.identity.application.ports import Session
from fieldmark.shared_kernel.errors import StoreUnavailable
from fieldmark.shared_kernel.ids import UserId

SESSION_LIFETIME_S = 14 * 24 * 3600


def _key(token: str) -> str:
    return "fm:auth:session:" + hashlib.sha256(token.encode()).hexdigest()


def _user_id(value: Any) -> UserId | None:
    """The user id a reset token or a challenge holds, as Redis returns it (bytes or text), or None."""
    return UserId(uuid.UUID(value.decode() if isinstance(value, bytes) else value)) if value else None


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
    """One-time password-reset tokens: a hash of each kept for an hour, deleted when used, and a set per
    user of their live tokens' keys, so that all of them can be revoked at once."""

    def __init__(self, client: aioredis.Redis, lifetime_s: int = 3600) -> None:
        self._redis = client
        self._lifetime = lifetime_s

    @staticmethod
    def _key(token: str) -> str:
        return "fm:auth:reset:" + hashlib.sha256(token.encode()).hexdigest()

    @staticmethod
    def _user_key(user_id: UserId) -> str:
        return f"fm:auth:resets:{user_id}"

    async def issue(self, user_id: UserId) -> str:
        token = secrets.token_urlsafe(32)
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(self._key(token), str(user_id), ex=self._lifetime)
            pipe.sadd(self._user_key(user_id), self._key(token))
            pipe.expire(self._user_key(user_id), self._lifetime)
            await pipe.execute()
        return token

    async def peek(self, token: str) -> UserId | None:
        return _user_id(await self._redis.get(self._key(token)))

    async def redeem(self, token: str) -> UserId | None:
        return _user_id(await self._redis.getdel(self._key(token)))

    async def revoke_all(self, user_id: UserId) -> None:
        keys = [
            k.decode() if isinstance(k, bytes) else k
            for k in await self._redis.smembers(self._user_key(user_id))
        ]
        await self._redis.delete(self._user_key(user_id), *keys)


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
        return _user_id(value)


# Every key counts the attempt; the window starts with a key's first attempt. Over the limit: its wait.
_ATTEMPT = """
local limit, window, wait = tonumber(ARGV[1]), tonumber(ARGV[2]), 0
for _, key in ipairs(KEYS) do
    local count = redis.call('INCR', key)
    if count == 1 then redis.call('EXPIRE', key, window) end
    if count > limit then
        local ttl = redis.call('TTL', key)
        if ttl < 0 then redis.call('EXPIRE', key, window); ttl = window end
        if ttl > wait then wait = ttl end
    end
end
return wait
"""
_REFUND = """
for _, key in ipairs(KEYS) do
    if tonumber(redis.call('GET', key) or '0') > 0 then redis.call('DECR', key) end
end
"""


class RedisLoginThrottle:
    """At most `limit` attempts per key within `window_s`, counted before they are checked by one Lua
    script (atomic, so parallel attempts cannot pass the limit); a right one is refunded."""

    def __init__(self, client: aioredis.Redis, *, limit: int = 10, window_s: int = 900) -> None:
        self._redis = client
        self._limit = limit
        self._window = window_s
        self._attempt = client.register_script(_ATTEMPT)
        self._refund = client.register_script(_REFUND)

    @staticmethod
    def _key(key: str) -> str:
        return "fm:auth:fail:" + hashlib.sha256(key.encode()).hexdigest()[:32]

    async def attempt(self, keys: list[str]) -> int:
        wait = await self._attempt(keys=[self._key(k) for k in keys], args=[self._limit, self._window])
        return int(wait)

    async def succeeded(self, refund: list[str], clear: list[str]) -> None:
        if refund:
            await self._refund(keys=[self._key(k) for k in refund])
        if clear:
            await self._redis.delete(*(self._key(k) for k in clear))
