"""Heatmap aggregates over HTTP: a page's clicks, elements, scroll map and trouble spots; and the pages
with the most clicks."""

from __future__ import annotations

from typing import Any
from uuid import UUID

import msgspec
from litestar import Controller, Request, post
from litestar.datastructures import State
from litestar.params import FromPath, JSONBody

from fieldmark.analytics.application.heatmap import Heatmap
from fieldmark.shared_kernel.access import SITE, STATS_READ, VIEW, access


class CellOut(msgspec.Struct, frozen=True):
    column: int
    row: int
    clicks: int
    weight: float


class ElementOut(msgspec.Struct, frozen=True):
    selector: str
    tag: str
    label: str
    clicks: int
    share: float


class DepthOut(msgspec.Struct, frozen=True):
    depth: int
    share: float


class TroubleOut(msgspec.Struct, frozen=True):
    selector: str
    rage: int
    dead: int
    pages: list[str]


class HeatmapOut(msgspec.Struct, frozen=True):
    page: str
    clicks: int
    columns: int
    cells: list[CellOut]
    elements: list[ElementOut]
    scroll: list[DepthOut]
    pageviews: int
    troubles: list[TroubleOut]


class ClickPageOut(msgspec.Struct, frozen=True):
    page: str
    clicks: int


def _heatmap(request: Request[Any, Any, State]) -> Heatmap:
    use_case: Heatmap = request.app.state.analytics.heatmap
    return use_case


class HeatmapController(Controller):
    tags = ["Heatmaps"]

    @post(
        "/api/sites/{site_id:uuid}/heatmap",
        operation_id="heatmap",
        opt=access(SITE, VIEW, key_scope=STATS_READ, shared=True, heatmap=True),
        status_code=200,
        summary="A page's clicks on a grid, most clicked elements, scroll map, rage and dead clicks",
        description="Body: `{page (a path, or a pattern with * and **), date_range, filters, segment_id, "
        "device? (Desktop, Mobile, Tablet), viewport? ([min, max] px), columns? (10-200, default 50)}`. "
        "200 `{page, clicks, columns, cells, elements, scroll, pageviews, troubles}`: cells are squares a "
        "`columns`-th of the document's width, counted from its top left, weighted against the busiest. "
        "400 names the field. See docs/api/stats.md.",
    )
    async def heatmap(
        self, request: Request[Any, Any, State], site_id: FromPath[UUID], data: JSONBody[dict[str, Any]]
    ) -> HeatmapOut:
        answer = await _heatmap(request).execute(site_id, data, request.state.actor)
        return HeatmapOut(
            answer.page,
            answer.clicks,
            answer.columns,
            [CellOut(c.column, c.row, c.clicks, c.weight) for c in answer.cells],
            [ElementOut(e.selector, e.tag, e.label, e.clicks, e.share) for e in answer.elements],
            [DepthOut(depth, share) for depth, share in answer.scroll],
            answer.pageviews,
            [TroubleOut(t.selector, t.rage, t.dead, t.pages) for t in answer.troubles],
        )

    @post(
        "/api/sites/{site_id:uuid}/heatmap/pages",
        operation_id="heatmapPages",
        opt=access(SITE, VIEW, key_scope=STATS_READ, shared=True, heatmap=True),
        status_code=200,
        summary="The pages with the most clicks, to choose a heatmap",
        description="Body: `{page? (a pattern, default /**), date_range, filters, segment_id, device?, "
        "viewport?, limit? (1-100, default 20)}`. 200 `[{page, clicks}]`, most clicked first.",
    )
    async def pages(
        self, request: Request[Any, Any, State], site_id: FromPath[UUID], data: JSONBody[dict[str, Any]]
    ) -> list[ClickPageOut]:
        rows = await _heatmap(request).pages(site_id, data, request.state.actor)
        return [ClickPageOut(page, clicks) for page, clicks in rows]
