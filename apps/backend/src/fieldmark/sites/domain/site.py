"""A site: a domain whose traffic a team measures, and the rules for its settings."""

from __future__ import annotations

import ipaddress
import re
import secrets
import zoneinfo
from dataclasses import dataclass
from datetime import datetime
from uuid import UUID

from fieldmark.shared_kernel.errors import InvalidInput
from fieldmark.shared_kernel.ids import SiteId

_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_HOSTNAME = re.compile(rf"^{_LABEL}(\.{_LABEL})*$")


@dataclass(frozen=True)
class Site:
    id: SiteId
    team_id: UUID | None
    domain: str
    name: str
    timezone: str
    public_key: str
    allowed_hostnames: tuple[str, ...]
    excluded_networks: tuple[str, ...]
    kept_query_params: tuple[str, ...]
    created_at: datetime


def normalize_domain(raw: str) -> str:
    """`Example.com`, `https://example.com/` and `example.com.` are all `example.com`."""
    domain = raw.strip().lower()
    domain = re.sub(r"^[a-z]+://", "", domain).split("/", 1)[0].rstrip(".")
    if len(domain) > 253 or not _HOSTNAME.match(domain) or ("." not in domain and domain != "localhost"):
        raise InvalidInput(f"{raw!r} is not a domain name", field="domain")
    return domain


def normalize_hostnames(raw: list[str] | None, domain: str) -> tuple[str, ...]:
    """Exact hostnames or `*.example.com` wildcards; by default the domain and its subdomains."""
    if not raw:
        return (domain, f"*.{domain}")
    out = []
    for item in raw:
        host = item.strip().lower().rstrip(".")
        bare = host[2:] if host.startswith("*.") else host
        if not _HOSTNAME.match(bare):
            raise InvalidInput(f"{item!r} is not a hostname or a *.wildcard", field="allowed_hostnames")
        out.append(host)
    return tuple(dict.fromkeys(out))


def normalize_networks(raw: list[str] | None) -> tuple[str, ...]:
    out = []
    for item in raw or []:
        try:
            out.append(str(ipaddress.ip_network(item.strip(), strict=False)))
        except ValueError:
            raise InvalidInput(f"{item!r} is not an IP address or CIDR range", field="excluded_ips") from None
    return tuple(out)


def check_timezone(name: str) -> str:
    if name not in zoneinfo.available_timezones():
        raise InvalidInput(f"{name!r} is not an IANA time zone", field="timezone")
    return name


def new_public_key() -> str:
    """The key a snippet may name instead of the domain: public, unguessable, URL-safe."""
    return "fm_" + secrets.token_urlsafe(16)
