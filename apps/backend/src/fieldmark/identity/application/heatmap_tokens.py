"""Issuing the short-lived token the on-page heatmap overlay reads with."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from fieldmark.identity.application.ports import SiteOwnership
from fieldmark.identity.domain import heatmap_token
from fieldmark.shared_kernel.clock import Clock
from fieldmark.shared_kernel.errors import InvalidInput


class IssueHeatmapToken:
    """Rules: anyone who may view the site's dashboard may open its heatmap on the site itself; the token
    is signed with the instance's secret, names the site, and expires after 15 minutes. It reads that
    site's heatmap aggregates and nothing else (see Authorize). The token travels in the address of the
    page it opens, so it is issued only for a page on one of the site's own hostnames (its domain or the
    allowed hostnames): never for an address another origin would receive."""

    def __init__(self, secret: bytes, clock: Clock, sites: SiteOwnership) -> None:
        self._secret = secret
        self._clock = clock
        self._sites = sites

    async def execute(self, site_id: UUID, page: str) -> tuple[str, datetime]:
        if not await self._sites.serves(site_id, page.strip()):
            raise InvalidInput(
                "that address is not a page of this site: a heatmap opens only on the site's own hostnames "
                "(its domain, or those listed in its settings)",
                field="url",
            )
        expires = int(self._clock.now().timestamp()) + heatmap_token.LIFETIME_S
        return heatmap_token.issue(self._secret, site_id, expires), datetime.fromtimestamp(expires, UTC)
