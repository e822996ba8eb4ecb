"""Heatmap tokens: short-lived, signed, stateless credentials that let the on-page overlay read one
site's heatmap aggregates and nothing else."""

from __future__ import annotations

import base64
import hashlib
import hmac
from uuid import UUID

PREFIX = "fmh_"
LIFETIME_S = 15 * 60


def _signature(secret: bytes, body: str) -> str:
    key = hmac.new(secret, b"fieldmark heatmap token", hashlib.sha256).digest()
    digest = hmac.new(key, body.encode(), hashlib.sha256).digest()
    return base64.urlsafe_b64encode(digest).decode().rstrip("=")


def issue(secret: bytes, site_id: UUID, expires_at: int) -> str:
    body = f"{site_id.hex}_{expires_at}"
    return f"{PREFIX}{body}_{_signature(secret, body)}"


def site_of(secret: bytes, token: str, now: int) -> UUID | None:
    """The site a token grants, or None when it is malformed, forged or expired."""
    if not token.startswith(PREFIX):
        return None
    site, _, rest = token[len(PREFIX) :].partition("_")
    expires, _, signature = rest.partition("_")
    if not (len(site) == 32 and expires.isdigit() and signature):
        return None
    if not hmac.compare_digest(signature, _signature(secret, f"{site}_{expires}")):
        return None
    if int(expires) <= now:
        return None
    try:
        return UUID(hex=site)
    except ValueError:
        return None
