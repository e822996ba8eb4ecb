"""Funnels on the hand-built day (see conftest): ordered steps within a window, per-step conversion,
drop-off and median times, stored or ad hoc, with a breakdown; bad definitions are refused."""

from __future__ import annotations

from typing import Any

from tests.e2e.analytics.conftest import DAY

STEPS = [
    {"kind": "pageview", "path": "/"},
    {"kind": "pageview", "path": "/pricing"},
    {"kind": "event", "event": "Signup"},
]


def run(client: Any, site: str, **body: Any) -> Any:
    response = client.post(f"/api/sites/{site}/funnel", json={"date_range": DAY, **body})
    assert response.status_code == 200, response.text
    return response.json()


def steps(answer: Any, group: int = 0) -> list[tuple[Any, ...]]:
    return [
        (
            s["label"],
            s["visitors"],
            s["conversion_rate"],
            s["conversion_rate_step"],
            s["dropoff"],
            s["median_seconds_from_previous"],
        )
        for s in answer["groups"][group]["steps"]
    ]


def test_funnel_conversions_are_the_hand_computed_ones(api) -> None:
    client, sites = api
    site = sites["UTC"]
    # A: / 10:00:00, /pricing 10:00:30, Signup 10:02:00. B: / at 15:00, never /pricing. C never saw /.
    answer = run(client, site, steps=STEPS, window_seconds=3600)
    assert steps(answer) == [
        ("Visit /", 2, 100, 100, 0, None),
        ("Visit /pricing", 1, 50, 50, 1, 30),
        ("Signup", 1, 50, 100, 0, 90),
    ]
    # Within one minute of the first step, A's signup (two minutes in) no longer counts.
    short = run(client, site, steps=STEPS, window_seconds=60)
    assert [s[1] for s in steps(short)] == [2, 1, 0]

    stored = client.post(
        f"/api/sites/{site}/funnels", json={"name": "Signup", "steps": STEPS, "window_seconds": 3600}
    )
    by_id = run(client, site, funnel_id=stored.json()["id"])
    assert by_id["name"] == "Signup"
    assert steps(by_id) == steps(answer)

    by_country = run(client, site, steps=STEPS, breakdown="visit:country")
    assert [(g["dimensions"], [s["visitors"] for s in g["steps"]]) for g in by_country["groups"]] == [
        (["DE"], [1, 0, 0]),
        (["FR"], [1, 1, 1]),
    ]
    french = run(client, site, steps=STEPS, filters=[["is", "visit:country", ["FR"]]])
    assert [s[1] for s in steps(french)] == [1, 1, 1]


def test_bad_funnels_are_refused(api) -> None:
    client, sites = api
    site = sites["UTC"]
    for body, field in (
        ({"steps": STEPS[:1]}, "steps"),
        ({"steps": [*STEPS, {"kind": "pageview", "path": "nope"}]}, "steps[3]"),
        ({"steps": STEPS, "window_seconds": 5}, "window_seconds"),
        ({"steps": STEPS, "window_seconds": "3600"}, "window_seconds"),
        ({"funnel_id": "00000000-0000-7000-8000-000000000000"}, "funnel_id"),
        ({"steps": STEPS, "breakdown": "event:page"}, "breakdown"),
        ({"steps": STEPS, "date_range": "sometime"}, "date_range"),
        ({"steps": STEPS, "colour": "red"}, "colour"),
        ({"steps": STEPS, "filters": [["is", "visit:source", ["Google"]]]}, "filters"),
    ):
        response = client.post(f"/api/sites/{site}/funnel", json={"date_range": DAY, **body})
        assert (response.status_code, response.json().get("field")) == (400, field), (body, response.text)
