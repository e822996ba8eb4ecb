"""The client's address: the socket peer, or what `X-Forwarded-For` / `Forwarded` say when, and only
when, the peer is one of the trusted proxies (walking the chain from the right past trusted hops). Over
the main process's Unix socket, where only this instance's own collect processes connect, the address is
the one they resolved and relayed in `X-Fieldmark-Peer`, never a forwarding header a client sent."""

from __future__ import annotations

import ipaddress
import re
from functools import lru_cache
from urllib.parse import urlsplit

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
RELAYED_PEER = "x-fieldmark-peer"  # set by the collect processes' proxy only, read on the Unix socket only
# Headers a client may send to claim another address: a proxying collect process drops them all.
FORWARDING_HEADERS = frozenset(
    {"forwarded", "x-forwarded-for", "x-forwarded-host", "x-forwarded-proto", "x-real-ip", RELAYED_PEER}
)
_FORWARDED_FOR = re.compile(r'for="?\[?([^\]";,]+)\]?(?::\d+)?"?', re.IGNORECASE)


def parse_networks(raw: str) -> tuple[Network, ...]:
    """`TRUSTED_PROXIES`: comma-separated addresses or CIDR ranges; raises ValueError naming a bad one."""
    networks = []
    for item in (part.strip() for part in raw.split(",")):
        if item:
            try:
                networks.append(ipaddress.ip_network(item, strict=False))
            except ValueError:
                raise ValueError(f"{item!r} is not an IP address or CIDR range") from None
    return tuple(networks)


@lru_cache(maxsize=65_536)
def _trusted(address: str, proxies: tuple[Network, ...]) -> bool:
    try:
        ip = ipaddress.ip_address(address)
    except ValueError:
        return False
    return any(ip in network for network in proxies)


@lru_cache(maxsize=65_536)
def _valid(address: str) -> str | None:
    try:
        return str(ipaddress.ip_address(address.strip()))
    except ValueError:
        return None


def client_ip(
    peer: str,
    forwarded_for: str | None,
    forwarded: str | None,
    proxies: tuple[Network, ...],
    relayed: str | None = None,
) -> str:
    if peer == "":  # the Unix socket: only this instance's own collect processes reach it
        return (_valid(relayed) if relayed else None) or ""
    if not proxies or not _trusted(peer, proxies):
        return peer
    chain: list[str] = []
    if forwarded:
        chain = _FORWARDED_FOR.findall(forwarded)
    elif forwarded_for:
        chain = [part.strip() for part in forwarded_for.split(",")]
    for hop in reversed(chain):
        address = _valid(hop)
        if address is None:
            return peer
        if not _trusted(address, proxies):
            return address
    return _valid(chain[0]) or peer if chain else peer


def host_of_origin(url: str) -> str:
    """An origin's (or URL's) `host[:port]`, lower-cased, as a Host header names it; "" when unparsable."""
    try:
        return urlsplit(url).netloc.rsplit("@", 1)[-1].lower()
    except ValueError:
        return ""


def host_of(url: str) -> str:
    """The lower-cased host of `url`; "" when it has none or cannot be parsed (`http://[`, say)."""
    try:
        return (urlsplit(url).hostname or "").lower()
    except ValueError:
        return ""
