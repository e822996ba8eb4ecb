"""Journeys on the hand-built day (see conftest): visit 11 is / → /pricing, 21 is /blog/a, 22 is
/ → /blog/b, 31 is /pricing."""

from __future__ import annotations

from typing import Any

from tests.e2e.analytics.conftest import DAY


def journeys(client: Any, site: str, **body: Any) -> Any:
    response = client.post(f"/api/sites/{site}/journeys", json={"date_range": DAY, **body})
    assert response.status_code == 200, response.text
    return response.json()


def test_previous_next_and_paths_are_the_hand_computed_ones(api) -> None:
    client, sites = api
    site = sites["UTC"]
    around = journeys(client, site, page="/pricing")
    assert around["previous"] == [{"page": "(entrance)", "visits": 1}, {"page": "/", "visits": 1}]
    assert around["next"] == [{"page": "(exit)", "visits": 2}]
    home = journeys(client, site, page="/")
    assert home["previous"] == [{"page": "(entrance)", "visits": 2}]
    assert home["next"] == [{"page": "/blog/b", "visits": 1}, {"page": "/pricing", "visits": 1}]
    assert [(p["steps"], p["visits"]) for p in home["paths"]] == [
        (["/", "/blog/b"], 1),
        (["/", "/pricing"], 1),
    ]

    everything = journeys(client, site)
    assert [(p["steps"], p["visits"]) for p in everything["paths"]] == [
        (["/", "/blog/b"], 1),
        (["/", "/pricing"], 1),
        (["/blog/a"], 1),
        (["/pricing"], 1),
    ]
    assert everything["links"] == [
        {"source": "1:/", "target": "2:/blog/b", "value": 1},
        {"source": "1:/", "target": "2:/pricing", "value": 1},
    ]
    assert set(everything["nodes"]) == {"1:/", "2:/blog/b", "2:/pricing", "1:/blog/a", "1:/pricing"}

    # Filters pick whole visits: from France, only visit 11.
    french = journeys(client, site, filters=[["is", "visit:country", ["FR"]]])
    assert [(p["steps"], p["visits"]) for p in french["paths"]] == [(["/", "/pricing"], 1)]
    from_google = journeys(client, site, filters=[["is", "visit:source", ["Google"]]], depth=2)
    assert [(p["steps"], p["visits"]) for p in from_google["paths"]] == [
        (["/", "/pricing"], 1),
        (["/pricing"], 1),
    ]

    for body, field in (
        ({"page": "pricing"}, "page"),
        ({"depth": 9}, "depth"),
        ({"limit": 0}, "limit"),
        ({"x": 1}, "x"),
    ):
        response = client.post(f"/api/sites/{site}/journeys", json={"date_range": DAY, **body})
        assert (response.status_code, response.json()["field"]) == (400, field)
