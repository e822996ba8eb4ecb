"""The heatmap overlay's token over HTTP."""

from __future__ import annotations

from datetime import datetime
from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from fieldmark.identity.application.heatmap_tokens import IssueHeatmapToken
from fieldmark.shared_kernel.access import SITE, VIEW, access


class HeatmapTokenIn(msgspec.Struct, forbid_unknown_fields=True):
    url: str  # the page the token opens, which receives it in its fragment


class HeatmapTokenOut(msgspec.Struct, frozen=True):
    token: str
    expires_at: datetime


class HeatmapTokenController(Controller):
    tags = ["Heatmaps"]

    @post(
        "/api/sites/{site_id:uuid}/heatmap-token",
        operation_id="heatmapToken",
        opt=access(SITE, VIEW),
        summary="A 15-minute token with which the on-page overlay reads this site's heatmaps",
        description="201 `{token, expires_at}` for members of the site's team (people, not API keys), for "
        "the page `url` that will receive it. The overlay sends it as `Authorization: Heatmap <token>` to "
        "the site's heatmap routes only. 400 (`field: url`) when the address is not an http(s) page on one "
        "of the site's hostnames, so no token is ever made for another origin.",
    )
    async def issue(
        self, request: Request[Any, Any, State], site_id: FromPath[UUID], data: JSONBody[HeatmapTokenIn]
    ) -> HeatmapTokenOut:
        use_case: IssueHeatmapToken = request.app.state.identity.heatmap_tokens
        token, expires = await use_case.execute(site_id, data.url)
        return HeatmapTokenOut(token, expires)
