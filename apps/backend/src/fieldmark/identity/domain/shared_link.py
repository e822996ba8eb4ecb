"""Shared links: a public, read-only dashboard of one site for whoever holds an unguessable token,
optionally behind a password and optionally restricted to one of the site's shared segments."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from fieldmark.shared_kernel.errors import InvalidInput
from fieldmark.shared_kernel.text import display_name

PREFIX = "fms_"
GRANT_LIFETIME_S = 12 * 3600  # how long an unlocked password link works before asking again


def new_token() -> str:
    return PREFIX + secrets.token_urlsafe(24)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def check_link_name(raw: str) -> str:
    return display_name(raw, what="a shared link's name")


def check_link_password(raw: str) -> str:
    if not 8 <= len(raw) <= 1024:
        raise InvalidInput("a shared link's password has 8 to 1,024 characters", field="password")
    return raw


@dataclass(frozen=True)
class SharedLink:
    id: UUID
    site_id: UUID
    name: str
    segment_id: UUID | None  # set: every answer through the link is restricted to this segment
    has_password: bool
    created_by: UUID | None
    created_at: datetime
    revoked_at: datetime | None = None


def grant(secret: bytes, link_id: UUID, expires: int) -> str:
    """What an unlocked password link carries after its token: `<expires>.<signature>`."""
    signature = hmac.new(secret, f"{link_id}:{expires}".encode(), hashlib.sha256).hexdigest()[:32]
    return f"{expires}.{signature}"


def grant_valid(secret: bytes, link_id: UUID, value: str, now: int) -> bool:
    expires, _, _ = value.partition(".")
    if not expires.isdigit() or int(expires) < now:
        return False
    return hmac.compare_digest(value, grant(secret, link_id, int(expires)))
