"""Issuing the short-lived token the on-page heatmap overlay reads with."""

from __future__ import annotations

from datetime import UTC, datetime
from uuid import UUID

from fieldmark.identity.domain import heatmap_token
from fieldmark.shared_kernel.clock import Clock


class IssueHeatmapToken:
    """Rules: anyone who may view the site's dashboard may open its heatmap on the site itself; the token
    is signed with the instance's secret, names the site, and expires after 15 minutes. It reads that
    site's heatmap aggregates and nothing else (see Authorize)."""

    def __init__(self, secret: bytes, clock: Clock) -> None:
        self._secret = secret
        self._clock = clock

    def execute(self, site_id: UUID) -> tuple[str, datetime]:
        expires = int(self._clock.now().timestamp()) + heatmap_token.LIFETIME_S
        return heatmap_token.issue(self._secret, site_id, expires), datetime.fromtimestamp(expires, UTC)
