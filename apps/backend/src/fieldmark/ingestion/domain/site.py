"""What ingestion needs to know of a site: where its pages may live and whose traffic to ignore."""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from uuid import UUID

from fieldmark.shared_kernel.patterns import wildcard_regex

Network = ipaddress.IPv4Network | ipaddress.IPv6Network


@dataclass(frozen=True)
class SiteSettings:
    site_id: UUID
    domain: str
    public_key: str
    allowed_hostnames: tuple[str, ...]
    excluded_networks: tuple[Network, ...] = ()
    kept_query_params: tuple[str, ...] = ()
    heatmaps: bool = False  # clicks are kept, and the tracker loads its behavioural module, only when on
    heatmap_pages: tuple[str, ...] = ()  # the pages (paths or patterns) whose clicks are kept; empty: all
    retention_days: int = 0  # stamped on its events, for ClickHouse's TTL; 0 keeps them for ever

    def keeps_clicks_of(self, path: str) -> bool:
        if not self.heatmaps:
            return False
        pages = self.heatmap_pages
        return not pages or any(p == path or ("*" in p and re.match(wildcard_regex(p), path)) for p in pages)

    def excludes(self, ip: str) -> bool:
        """The site owner's own addresses (IPs or CIDRs) are never counted."""
        if not self.excluded_networks:
            return False
        try:
            address = ipaddress.ip_address(ip)
        except ValueError:
            return False
        return any(address in network for network in self.excluded_networks)
