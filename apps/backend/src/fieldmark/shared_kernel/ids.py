"""Identifiers shared across contexts: time-ordered UUIDs (version 7) so ids sort by creation."""

import random
import time
import uuid
from typing import NewType

UserId = NewType("UserId", uuid.UUID)
TeamId = NewType("TeamId", uuid.UUID)
SiteId = NewType("SiteId", uuid.UUID)


_random = random.Random()  # noqa: S311 - ids must be unique, not secret; seeded from the OS


def new_id() -> uuid.UUID:
    """A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, the version, 74 random bits, the variant."""
    millis = time.time_ns() // 1_000_000
    bits = _random.getrandbits(74)
    value = (millis << 80) | (0x7 << 76) | ((bits >> 62) << 64) | (0b10 << 62) | (bits & ((1 << 62) - 1))
    return uuid.UUID(int=value)
