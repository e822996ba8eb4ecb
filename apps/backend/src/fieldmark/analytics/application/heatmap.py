"""Heatmaps: where a page's visitors click and how far they scroll, from the tracker's behavioural
module, aggregated for drawing over the page."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any
from uuid import UUID

from fieldmark.analytics.application.ports import ClickScope, Scope
from fieldmark.analytics.application.site_report import SiteReport
from fieldmark.analytics.domain.dates import resolve
from fieldmark.shared_kernel.audit import Actor
from fieldmark.shared_kernel.errors import InvalidInput

DEVICES = ("Desktop", "Mobile", "Tablet")
KNOWN_KEYS = {"page", "date_range", "filters", "segment_id", "device", "viewport", "columns", "limit"}


@dataclass(frozen=True)
class Cell:
    column: int
    row: int
    clicks: int
    weight: float  # clicks over the busiest cell's, for drawing


@dataclass(frozen=True)
class Element:
    selector: str
    tag: str
    label: str
    clicks: int
    share: float  # percent of the page's clicks


@dataclass(frozen=True)
class Trouble:
    selector: str
    rage: int
    dead: int
    pages: list[str]


@dataclass(frozen=True)
class HeatmapAnswer:
    page: str
    clicks: int
    columns: int
    cells: list[Cell]
    elements: list[Element]
    scroll: list[tuple[int, float]]  # (depth, percent of pageviews that reached it), 0 to 100 by 5
    pageviews: int
    troubles: list[Trouble]


def _clicks(raw: dict[str, Any], page_required: bool) -> ClickScope:
    page = raw.get("page", None if page_required else "/**")
    if not isinstance(page, str) or not page.startswith("/") or len(page) > 2000:
        raise InvalidInput("page is a path or a pattern (* and **), starting with /", field="page")
    device = raw.get("device")
    if device is not None and device not in DEVICES:
        raise InvalidInput(f"device is one of {', '.join(DEVICES)}", field="device")
    viewport = raw.get("viewport")
    if viewport is not None:
        if (
            not isinstance(viewport, list)
            or len(viewport) != 2
            or not all(isinstance(v, int) and not isinstance(v, bool) and 0 <= v <= 20_000 for v in viewport)
            or viewport[0] > viewport[1]
        ):
            raise InvalidInput("viewport is [min width, max width] in pixels", field="viewport")
        viewport = (viewport[0], viewport[1])
    return ClickScope(page, device, viewport)


def _int(raw: Any, default: int, low: int, high: int, field: str) -> int:
    value = default if raw is None else raw
    if not isinstance(value, int) or isinstance(value, bool) or not low <= value <= high:
        raise InvalidInput(f"{field} is a whole number from {low} to {high}", field=field)
    return value


class Heatmap(SiteReport):
    known_keys = frozenset(KNOWN_KEYS - {"limit"})

    """Rules: clicks of one page (an exact path, or a pattern), optionally of one device class and a
    range of viewport widths, in the visits the filters and segments pick. Cells are squares a
    `columns`-th (10 to 200, default 50) of the document's width, counted from its top left, so a layout
    centred at any width lines up; weights are relative to the busiest cell. Elements are the 50 most
    clicked, each with its share of the page's clicks. The scroll map gives, for each 5% of the page, the
    share of its pageviews whose deepest point reached it (from engagement; viewport ranges do not apply
    to it). Troubles are the elements with rage or dead clicks, with up to ten pages each."""

    async def execute(self, site_id: UUID, raw: dict[str, Any], actor: Actor | None = None) -> HeatmapAnswer:
        site = await self._site(site_id, raw)
        clicks = _clicks(raw, page_required=True)
        columns = _int(raw.get("columns"), 50, 10, 200, "columns")
        period = resolve(raw.get("date_range", "30d"), self._clock.now(), site.timezone)
        filters = await self._filters(site_id, raw, actor)
        rows = await self._store.heatmap(
            Scope((site.id,), period, site.timezone, site.goals), filters, clicks, columns
        )
        total = sum(c for _, _, c in rows.grid)
        peak = max((c for _, _, c in rows.grid), default=0)
        views = sum(n for _, n in rows.scroll)
        reached = []
        for depth in range(0, 101, 5):
            at_least = sum(n for bucket, n in rows.scroll if bucket >= depth)
            reached.append((depth, round(100 * at_least / views, 1) if views else 0.0))
        return HeatmapAnswer(
            clicks.page,
            total,
            columns,
            [Cell(col, row, c, round(c / peak, 4)) for col, row, c in sorted(rows.grid)],
            [
                Element(sel, tag, label, c, round(100 * c / total, 1) if total else 0.0)
                for sel, tag, label, c in rows.elements
            ],
            reached,
            views,
            [Trouble(sel, rage, dead, sorted(pages)) for sel, rage, dead, pages in rows.misbehaving],
        )

    async def pages(
        self, site_id: UUID, raw: dict[str, Any], actor: Actor | None = None
    ) -> list[tuple[str, int]]:
        """The pages with the most clicks (matching `page` when given), to choose one to view."""
        check = {k: v for k, v in raw.items() if k != "limit"}
        site = await self._site(site_id, check)
        clicks = _clicks(raw, page_required=False)
        limit = _int(raw.get("limit"), 20, 1, 100, "limit")
        period = resolve(raw.get("date_range", "30d"), self._clock.now(), site.timezone)
        filters = await self._filters(site_id, raw, actor)
        return await self._store.click_pages(
            Scope((site.id,), period, site.timezone, site.goals), filters, clicks, limit
        )
