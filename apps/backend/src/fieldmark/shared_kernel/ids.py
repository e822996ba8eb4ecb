"""Identifiers shared across contexts: time-ordered UUIDs (version 7) so ids sort by creation."""

import os
import time
import uuid
from typing import NewType

UserId = NewType("UserId", uuid.UUID)
TeamId = NewType("TeamId", uuid.UUID)
SiteId = NewType("SiteId", uuid.UUID)


def new_id() -> uuid.UUID:
    """A UUIDv7 (RFC 9562): 48 bits of Unix milliseconds, then random bits."""
    millis = time.time_ns() // 1_000_000
    raw = bytearray(millis.to_bytes(6, "big") + os.urandom(10))
    raw[6] = (raw[6] & 0x0F) | 0x70  # version 7
    raw[8] = (raw[8] & 0x3F) | 0x80  # RFC 4122 variant
    return uuid.UUID(bytes=bytes(raw))
