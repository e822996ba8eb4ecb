"""Heatmap aggregates over clicks placed by hand (see CLICKS): exact cells, elements, troubles, the
scroll map, device and viewport restrictions, filters, and the pages with most clicks."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fieldmark.bootstrap.stores import ClickHousePool
from tests.e2e.analytics.conftest import DAY

# (session, country, device, viewport width, document width, page, x, y, selector, tag, rage, dead)
CLICKS = [
    *[
        (501, "FR", "Desktop", 1280, 1000, "/pricing", 150 + i, 250, "#buy", "button", False, False)
        for i in range(3)
    ],
    (
        502,
        "US",
        "Mobile",
        390,
        400,
        "/pricing",
        60,
        100,
        "#buy",
        "button",
        False,
        False,
    ),  # the same cell, narrower
    *[(501, "FR", "Desktop", 1280, 1000, "/pricing", 850, 50, "a.docs", "a", False, False) for _ in range(2)],
    *[
        (503, "DE", "Desktop", 1280, 1000, "/pricing", 500, 900, "div.promo", "div", i > 0, True)
        for i in range(3)
    ],
    (501, "FR", "Desktop", 1280, 1000, "/", 10, 10, "#logo", "a", False, False),
]
# (session, page, deepest scroll in %)
VIEWS = [(501, "/pricing", 30), (502, "/pricing", 55), (503, "/pricing", 100), (504, "/pricing", 100)]


COLUMNS = [
    "event_id",
    "site_id",
    "timestamp",
    "kind",
    "name",
    "visitor_id",
    "session_id",
    "hostname",
    "pathname",
    "country_code",
    "device",
    "click_x",
    "click_y",
    "viewport_width",
    "document_width",
    "document_height",
    "selector",
    "tag",
    "rage",
    "dead",
    "scroll_depth",
]


def _row(site: str, kind: str, session: int, page: str, **values: Any) -> list[Any]:
    at = datetime.fromisoformat(f"{DAY[0]}T10:00:00+00:00")
    base = {"event_id": uuid.uuid4(), "site_id": uuid.UUID(site), "timestamp": at, "kind": kind, "name": kind}
    base |= {"visitor_id": session, "session_id": session, "hostname": "maps.example", "pathname": page}
    defaults = {"click_x": 0, "click_y": 0, "viewport_width": 0, "document_width": 0, "document_height": 0}
    defaults |= {"selector": "", "tag": "", "rage": False, "dead": False, "scroll_depth": 0}
    merged = base | defaults | values
    return [merged[c] for c in COLUMNS]


def _insert(clickhouse: ClickHousePool, site: str) -> None:
    countries = {501: "FR", 502: "US", 503: "DE", 504: "FR"}
    devices = {501: "Desktop", 502: "Mobile", 503: "Desktop", 504: "Desktop"}
    visit = {s: {"country_code": c, "device": devices[s]} for s, c in countries.items()}
    rows = [_row(site, "pageview", s, "/pricing", **visit[s]) for s in countries]  # what visit filters read
    for session, country, device, vw, dw, page, x, y, selector, tag, rage, dead in CLICKS:
        rows.append(
            _row(
                site, "click", session, page, country_code=country, device=device, click_x=x, click_y=y,
                viewport_width=vw, document_width=dw, document_height=3000, selector=selector, tag=tag,
                rage=rage, dead=dead,
            )
        )  # fmt: skip
    rows += [_row(site, "engagement", s, page, scroll_depth=depth, **visit[s]) for s, page, depth in VIEWS]
    clickhouse.run(lambda c: c.insert("events", rows, column_names=COLUMNS))


def test_a_pages_clicks_cells_elements_troubles_and_scroll_are_the_placed_ones(api, clickhouse) -> None:
    client, _ = api
    team = client.get("/api/teams").json()[0]["id"]
    site = client.post(f"/api/teams/{team}/sites", json={"domain": "maps.example"}).json()["id"]
    _insert(clickhouse, site)

    def heatmap(**body: Any) -> Any:
        response = client.post(
            f"/api/sites/{site}/heatmap", json={"date_range": DAY, "page": "/pricing", **body}
        )
        assert response.status_code == 200, response.text
        return response.json()

    whole = heatmap(columns=10)
    assert whole["clicks"] == 9
    # Cells a tenth of the document's width: the desktop and mobile #buy clicks share cell (1, 2).
    assert [(c["column"], c["row"], c["clicks"], c["weight"]) for c in whole["cells"]] == [
        (1, 2, 4, 1.0),
        (5, 9, 3, 0.75),
        (8, 0, 2, 0.5),
    ]
    assert [(e["selector"], e["tag"], e["clicks"], e["share"]) for e in whole["elements"]] == [
        ("#buy", "button", 4, 44.4),
        ("div.promo", "div", 3, 33.3),
        ("a.docs", "a", 2, 22.2),
    ]
    assert whole["troubles"] == [{"selector": "div.promo", "rage": 2, "dead": 3, "pages": ["/pricing"]}]
    # Four views reached 30, 55, 100 and 100%: all reach 30%, three 35 to 55%, two the bottom.
    shares = dict((d["depth"], d["share"]) for d in whole["scroll"])
    assert (whole["pageviews"], shares[0], shares[30], shares[35], shares[55], shares[60], shares[100]) == (
        4, 100.0, 100.0, 75.0, 75.0, 50.0, 50.0,
    )  # fmt: skip

    assert heatmap(device="Mobile")["clicks"] == 1
    assert heatmap(viewport=[1000, 1600])["clicks"] == 8
    french = heatmap(filters=[["is", "visit:country", ["FR"]]])
    assert (french["clicks"], [e["selector"] for e in french["elements"]]) == (5, ["#buy", "a.docs"])
    assert heatmap(page="/pri*")["clicks"] == 9  # a pattern
    assert heatmap(page="/nowhere")["cells"] == []

    pages = client.post(f"/api/sites/{site}/heatmap/pages", json={"date_range": DAY}).json()
    assert pages == [{"page": "/pricing", "clicks": 9}, {"page": "/", "clicks": 1}]

    for body, field in (
        ({"page": "pricing"}, "page"),
        ({"columns": 5}, "columns"),
        ({"device": "Fridge"}, "device"),
        ({"viewport": [900, 100]}, "viewport"),
        ({"zoom": 2}, "zoom"),
    ):
        response = client.post(f"/api/sites/{site}/heatmap", json={"date_range": DAY, "page": "/", **body})
        assert (response.status_code, response.json()["field"]) == (400, field)
