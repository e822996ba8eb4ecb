"""A site: a domain whose traffic a team measures, and the rules for its settings."""

from __future__ import annotations

import ipaddress
import re
import secrets
import zoneinfo
from dataclasses import dataclass, field
from datetime import datetime
from uuid import UUID

from fieldmark.shared_kernel.errors import InvalidInput
from fieldmark.shared_kernel.ids import SiteId

_LABEL = r"(?!-)[a-z0-9-]{1,63}(?<!-)"
_HOSTNAME = re.compile(rf"^{_LABEL}(\.{_LABEL})*$")


# The tracker's switches and their defaults; data-* attributes of the snippet carry them to the script.
TRACKER_OPTIONS: dict[str, bool] = {
    "heatmaps": False,  # collect clicks; the tracker loads its behavioural module (no snippet change)
    "outbound_links": False,
    "file_downloads": False,
    "not_found": False,  # record 404 pages as an event
    "hash_routing": False,  # a single-page app routing by URL fragment
    "respect_dnt": True,  # honour Do Not Track (Global Privacy Control is always honoured)
}


def check_tracker_options(raw: dict[str, bool]) -> dict[str, bool]:
    for name, value in raw.items():
        if name not in TRACKER_OPTIONS:
            raise InvalidInput(
                f"{name!r} is not a tracker option ({', '.join(TRACKER_OPTIONS)})", field="tracker_options"
            )
        if not isinstance(value, bool):
            raise InvalidInput(f"tracker option {name!r} is true or false", field="tracker_options")
    return dict(raw)


def snippets(site: Site, base_url: str, proxy_path: str = "/stats") -> dict[str, str]:
    """The script tag for a direct install, and for a first-party proxy that forwards `proxy_path`
    to Fieldmark: the script posts next to where it was loaded from (`<proxy_path>/api/event` on the
    site's own origin), so neither needs `data-api`. Heatmaps need no attribute: the collect endpoint's
    answer tells the script to load its behavioural module while the site has them on."""
    attributes = [f'data-domain="{site.domain}"']
    names = {
        "outbound_links": "outbound-links",
        "file_downloads": "file-downloads",
        "not_found": "404",
        "hash_routing": "hash",
    }
    attributes += [f"data-{names[name]}" for name in names if site.option(name)]
    if not site.option("respect_dnt"):
        attributes.append('data-dnt="ignore"')
    if site.kept_query_params:
        attributes.append(f'data-params="{",".join(site.kept_query_params)}"')
    joined = " ".join(attributes)
    return {
        "direct": f'<script defer {joined} src="{base_url.rstrip("/")}/js/script.js"></script>',
        "first_party": f'<script defer {joined} src="{proxy_path}/js/script.js"></script>',
    }


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
    tracker_options: dict[str, bool] = field(default_factory=dict)
    heatmap_pages: tuple[str, ...] = ()  # pages (paths or patterns) whose clicks are kept; empty: all
    retention_days: int = 0  # days its events are kept; 0: for ever

    def option(self, name: str) -> bool:
        return self.tracker_options.get(name, TRACKER_OPTIONS[name])


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


MAX_HEATMAP_PAGES = 50
RETENTION_DAYS = (7, 3650)  # the shortest and longest retention periods; 0 keeps events for ever


def check_retention(days: int) -> int:
    low, high = RETENTION_DAYS
    if days != 0 and not low <= days <= high:
        raise InvalidInput(
            f"retention_days is 0 (keep for ever) or from {low} to {high} days", field="retention_days"
        )
    return days


def normalize_heatmap_pages(raw: list[str]) -> tuple[str, ...]:
    """Paths or patterns (`*` within a segment, `**` across), each starting with /; at most 50."""
    pages = [p.strip() for p in raw if p.strip()]
    if len(pages) > MAX_HEATMAP_PAGES:
        raise InvalidInput(f"at most {MAX_HEATMAP_PAGES} heatmap pages", field="heatmap_pages")
    for page in pages:
        if not page.startswith("/") or len(page) > 2000:
            raise InvalidInput(f"{page[:40]!r} is not a path starting with /", field="heatmap_pages")
    return tuple(dict.fromkeys(pages))


def check_timezone(name: str) -> str:
    if name not in zoneinfo.available_timezones():
        raise InvalidInput(f"{name!r} is not an IANA time zone", field="timezone")
    return name


def new_public_key() -> str:
    """The key a snippet may name instead of the domain: public, unguessable, URL-safe."""
    return "fm_" + secrets.token_urlsafe(16)
