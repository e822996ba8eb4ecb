"""Cookieless identity: a keyed 64-bit BLAKE2b hash under a random daily salt that is never stored
with the events and is deleted after 48 hours, so yesterday's visitors cannot be linked to today's."""

from __future__ import annotations

import hashlib
from uuid import UUID


def visitor_id(salt: bytes, site_id: UUID, ip: str, user_agent: str) -> int:
    digest = hashlib.blake2b(
        site_id.bytes + ip.encode() + b"\x00" + user_agent.encode(), key=salt, digest_size=8
    ).digest()
    return int.from_bytes(digest, "big")


def address_token(salt: bytes, ip: str) -> str:
    """A salted stand-in for an IP in rate-limit keys, so Redis never holds the address itself."""
    return hashlib.blake2b(b"ip:" + ip.encode(), key=salt, digest_size=8).hexdigest()


def person_id(key: bytes, site_id: UUID, person: str) -> int:
    """A site's own id for a signed-in person, as a keyed hash: stable across days (unlike visitor ids),
    different for each site, and not reversible without the server's key. Never 0 (0 is anonymous)."""
    digest = hashlib.blake2b(
        b"person:" + site_id.bytes + person.encode(), key=key[:64], digest_size=8
    ).digest()
    return int.from_bytes(digest, "big") or 1
