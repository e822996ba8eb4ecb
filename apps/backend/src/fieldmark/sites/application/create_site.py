"""Register a site so that its events are accepted."""

from dataclasses import dataclass, field
from uuid import UUID

from fieldmark.shared_kernel.clock import Clock
from fieldmark.shared_kernel.ids import SiteId, new_id
from fieldmark.shared_kernel.text import display_name
from fieldmark.sites.application.ports import SiteRepository
from fieldmark.sites.domain.site import (
    Site,
    check_timezone,
    new_public_key,
    normalize_domain,
    normalize_hostnames,
    normalize_networks,
)


@dataclass(frozen=True)
class CreateSiteCommand:
    domain: str
    name: str = ""
    timezone: str = "UTC"
    allowed_hostnames: list[str] = field(default_factory=list)
    excluded_ips: list[str] = field(default_factory=list)
    kept_query_params: list[str] = field(default_factory=list)
    team_id: UUID | None = None


class CreateSite:
    """Creates a site.

    Rules: the domain is a valid hostname, unique across the instance (case-insensitively); pages are
    accepted from the allowed hostnames, by default the domain and its subdomains; excluded IPs are
    addresses or CIDR ranges; the time zone is an IANA name; a public site key is generated."""

    def __init__(self, sites: SiteRepository, clock: Clock) -> None:
        self._sites = sites
        self._clock = clock

    async def execute(self, command: CreateSiteCommand) -> Site:
        domain = normalize_domain(command.domain)
        site = Site(
            id=SiteId(new_id()),
            team_id=command.team_id,
            domain=domain,
            name=display_name(command.name, what="a site's name", empty=True) or domain,
            timezone=check_timezone(command.timezone),
            public_key=new_public_key(),
            allowed_hostnames=normalize_hostnames(command.allowed_hostnames, domain),
            excluded_networks=normalize_networks(command.excluded_ips),
            kept_query_params=tuple(p.strip() for p in command.kept_query_params if p.strip()),
            created_at=self._clock.now(),
        )
        await self._sites.add(site)
        return site
