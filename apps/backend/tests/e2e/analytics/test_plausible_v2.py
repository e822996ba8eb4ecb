"""Plausible Stats API v2 compatibility: the request examples of Plausible's documentation, sent as a
Plausible client sends them (`POST /api/v2/query`, a Bearer key, the site named by its domain), get
answers of Plausible's shape."""

from __future__ import annotations

from typing import Any

import httpx

# From https://plausible.io/docs/stats-api (v2), with the site renamed to the test's own.
EXAMPLES: list[dict[str, Any]] = [
    {"metrics": ["visitors", "visit_duration", "pageviews"], "date_range": "7d"},
    {"metrics": ["visitors"], "date_range": ["2024-01-01", "2024-07-01"]},
    {
        "metrics": ["visitors", "pageviews", "bounce_rate"],
        "date_range": "all",
        "dimensions": ["visit:country_name", "visit:city_name"],
        "filters": [["is_not", "visit:country_name", ["Germany"]]],
        "order_by": [["pageviews", "desc"]],
    },
    {"metrics": ["visitors"], "date_range": "all", "dimensions": ["time:day"]},
    {
        "metrics": ["visitors", "events"],
        "date_range": "all",
        "dimensions": ["event:props:plan"],
        "filters": [["is", "event:name", ["Signup"]]],
    },
    {"metrics": ["visitors", "events", "conversion_rate"], "date_range": "all", "dimensions": ["event:goal"]},
    {
        "metrics": ["visitors"],
        "date_range": "all",
        "dimensions": ["visit:source"],
        "pagination": {"limit": 2, "offset": 0},
    },
    {
        "metrics": ["visitors", "bounce_rate"],
        "date_range": "30d",
        "include": {"comparisons": {"mode": "previous_period"}, "imports": True},
    },
    {
        "metrics": ["pageviews"],
        "date_range": "all",
        "filters": [["contains", "event:page", ["/blog"]]],
        "dimensions": ["event:page"],
    },
]


def test_plausible_clients_work_unchanged(api) -> None:
    client, _ = api
    team = client.get("/api/teams").json()[0]["id"]
    key = client.post(
        f"/api/teams/{team}/api-keys", json={"name": "plausible", "scopes": ["stats:read"]}
    ).json()["key"]
    plausible = httpx.Client(
        base_url=str(client.base_url), timeout=30, headers={"Authorization": f"Bearer {key}"}
    )
    for example in EXAMPLES:
        response = plausible.post("/api/v2/query", json={"site_id": "shop.example", **example})
        assert response.status_code == 200, (example, response.text)
        body = response.json()
        assert set(body) == {"results", "meta", "query"}
        for row in body["results"]:
            assert len(row["metrics"]) == len(example["metrics"])
            assert len(row["dimensions"]) == len(example.get("dimensions", []))
            assert all(isinstance(m, int | float) for m in row["metrics"])
            if "include" in example:
                assert len(row["comparison"]["change"]) == len(example["metrics"])

    countries = plausible.post(
        "/api/v2/query",
        json={
            "site_id": "shop.example",
            "metrics": ["visitors"],
            "date_range": "all",
            "dimensions": ["visit:country_name"],
            "order_by": [["visit:country_name", "asc"]],
        },
    ).json()
    assert [r["dimensions"][0] for r in countries["results"]] == ["France", "Germany", "United States"]
    german = plausible.post(
        "/api/v2/query",
        json={
            "site_id": "shop.example",
            "metrics": ["visitors"],
            "date_range": ["2026-11-01", "2026-11-01"],
            "filters": [["is", "visit:country_name", ["Germany"]]],
        },
    ).json()
    assert german["results"] == [{"dimensions": [], "metrics": [1]}]

    assert plausible.post("/api/v2/query", json={"metrics": ["visitors"]}).status_code == 400
    assert (
        plausible.post(
            "/api/v2/query", json={"site_id": "nobody.example", "metrics": ["visitors"]}
        ).status_code
        == 404
    )
    assert (
        plausible.post(
            "/api/v2/query", content=b"{not json", headers={"Content-Type": "application/json"}
        ).status_code
        == 400
    )
    anonymous = httpx.post(
        f"{client.base_url}/api/v2/query", json={"site_id": "shop.example", "metrics": ["visitors"]}
    )
    assert anonymous.status_code == 401
