"""Exactness: a small hand-built day of traffic whose every figure is worked out by hand below; the
Stats API must return exactly those numbers, by dimension, filtered, over time, in the site's time zone
and against the previous period. Then hostile input: a clear 400, or a correct empty answer.

The day, 2026-11-01 (UTC):
  visitor A, visit 11: 10:00:00 / (from Google, FR, Chrome, Desktop), 10:00:30 /pricing,
                       10:02:00 "Signup" {plan: pro}                  → 2 pageviews, 120 s, not a bounce
  visitor B, visit 21: 11:00:00 /blog/a (from Twitter, DE, Firefox, Mobile)     → 1 pageview, bounce
  visitor B, visit 22: 15:00:00 / (direct), 15:01:00 /blog/b                   → 2 pageviews, 60 s
  visitor C, visit 31: 12:00:00 /pricing (from Google, US, Safari, Mobile), engagement until 12:05:00
                                                                                → 1 pageview, 300 s, bounce
and 2026-11-02: visitor A, visit 12: 09:00:00 / (from Google)                 → bounce
"""

from __future__ import annotations

import uuid
from typing import Any

import httpx

from tests.e2e.analytics.conftest import DAY, ask, rows

ALL = ["visitors", "visits", "pageviews", "views_per_visit", "bounce_rate", "visit_duration", "events"]


def test_the_numbers_are_exactly_the_hand_computed_ones(api) -> None:
    client, sites = api
    site = sites["UTC"]
    assert rows(ask(client, site, metrics=ALL)) == [([], [3, 4, 6, 1.5, 50, 120, 1])]

    by_source = ask(
        client,
        site,
        metrics=["visitors", "visits", "pageviews", "bounce_rate", "visit_duration", "percentage"],
        dimensions=["visit:source"],
    )
    assert rows(by_source) == [
        (["Google"], [2, 2, 3, 50, 210, 66.7]),
        (["Direct / None"], [1, 1, 2, 0, 60, 33.3]),
        (["Twitter"], [1, 1, 1, 100, 0, 33.3]),
    ]
    by_page = ask(client, site, metrics=["visitors", "pageviews"], dimensions=["event:page"])
    assert rows(by_page) == [
        (["/"], [2, 2]),
        (["/pricing"], [2, 2]),
        (["/blog/a"], [1, 1]),
        (["/blog/b"], [1, 1]),
    ]
    page_two = ask(
        client, site, metrics=["visitors"], dimensions=["event:page"], pagination={"limit": 2, "offset": 2}
    )
    assert rows(page_two) == [(["/blog/a"], [1]), (["/blog/b"], [1])]
    by_entry = ask(
        client,
        site,
        metrics=["visits", "bounce_rate"],
        dimensions=["visit:entry_page"],
        order_by=[["visit:entry_page", "asc"]],
    )
    assert rows(by_entry) == [(["/"], [2, 0]), (["/blog/a"], [1, 100]), (["/pricing"], [1, 100])]
    by_exit = ask(
        client, site, metrics=["visits"], dimensions=["visit:exit_page"], order_by=[["visits", "asc"]]
    )
    assert rows(by_exit) == [(["/blog/a"], [1]), (["/blog/b"], [1]), (["/pricing"], [2])]
    plans = ask(
        client,
        site,
        metrics=["visitors", "events"],
        dimensions=["event:props:plan"],
        filters=[["is", "event:name", ["Signup"]]],
    )
    assert rows(plans) == [(["pro"], [1, 1])]


# One server for many cases: each case is a query, not a new set of engines.
FILTER_CASES: list[tuple[list[Any], list[int]]] = [
    # An event filter narrows the events counted and the visits that had one.
    ([["is", "event:page", ["/pricing"]]], [2, 2, 2, 50]),
    # A visit filter narrows whole visits: every event of visits 11 and 22.
    ([["is", "visit:entry_page", ["/"]]], [2, 2, 4, 0]),
    ([["is_not", "visit:country", ["DE"]]], [2, 2, 3, 50]),
    ([["contains", "event:page", ["blog"]]], [1, 2, 2, 50]),
    ([["matches_wildcard", "event:page", ["/blog/*"]]], [1, 2, 2, 50]),
    ([["matches", "event:page", ["^/blog/[ab]$"]]], [1, 2, 2, 50]),
    ([["contains_not", "event:page", ["blog"]]], [3, 3, 4, 33]),
    ([["or", [["is", "visit:country", ["US"]], ["is", "visit:browser", ["Firefox"]]]]], [2, 3, 4, 67]),
    ([["not", ["is", "visit:device", ["Mobile"]]]], [1, 1, 2, 0]),
    ([["is", "visit:source", ["google"], {"case_sensitive": False}]], [2, 2, 3, 50]),
    ([["is", "visit:source", ["Google"]], ["is", "visit:country", ["US"]]], [1, 1, 1, 100]),
    ([["is", "event:page", ["/nowhere"]]], [0, 0, 0, 0]),
]


def test_filters(api) -> None:
    client, sites = api
    wrong = []
    for filters, expected in FILTER_CASES:
        metrics = ["visitors", "visits", "pageviews", "bounce_rate"]
        answer = ask(client, sites["UTC"], metrics=metrics, filters=filters)
        if rows(answer) != [([], expected)]:
            wrong.append((filters, rows(answer), expected))
    assert wrong == []


def test_time_series_in_the_site_zone_and_comparisons(api) -> None:
    client, sites = api
    days = ask(
        client,
        sites["UTC"],
        metrics=["visitors", "pageviews"],
        dimensions=["time:day"],
        date_range=["2026-10-31", "2026-11-02"],
    )
    assert rows(days) == [(["2026-10-31"], [0, 0]), (["2026-11-01"], [3, 6]), (["2026-11-02"], [1, 1])]
    hours = ask(client, sites["UTC"], metrics=["pageviews"], dimensions=["time:hour"])
    assert len(hours["results"]) == 24
    assert {r["dimensions"][0][11:13]: r["metrics"][0] for r in hours["results"] if r["metrics"][0]} == {
        "10": 2,
        "11": 1,
        "12": 1,
        "15": 2,
    }
    # Tokyo is UTC+9: its 1 November ends at 15:00 UTC, so visit 22 falls on its 2 November.
    tokyo = ask(
        client,
        sites["Asia/Tokyo"],
        metrics=["visitors", "visits", "pageviews"],
        dimensions=["time:day"],
        date_range=["2026-11-01", "2026-11-02"],
    )
    assert rows(tokyo) == [(["2026-11-01"], [3, 3, 4]), (["2026-11-02"], [2, 2, 3])]

    compared = ask(
        client,
        sites["UTC"],
        metrics=["visitors", "bounce_rate"],
        date_range=["2026-11-02", "2026-11-02"],
        include={"comparisons": {"mode": "previous_period"}},
    )
    result = compared["results"][0]
    assert result["metrics"] == [1, 100]
    assert result["comparison"] == {"dimensions": [], "metrics": [3, 50], "change": [-66.7, 50]}
    series = ask(
        client,
        sites["UTC"],
        metrics=["visitors"],
        dimensions=["time:day"],
        date_range=["2026-11-02", "2026-11-02"],
        include={"comparisons": {"mode": "previous_period"}},
    )
    assert series["results"][0]["comparison"] == {
        "dimensions": ["2026-11-01"],
        "metrics": [3],
        "change": [-66.7],
    }


HOSTILE: list[tuple[dict[str, Any], str]] = [
    ({"metrics": ["visitors; DROP TABLE events"]}, "metrics"),
    ({"metrics": ["visitors"], "dimensions": ["visit:source) OR 1=1 --"]}, "dimensions"),
    ({"metrics": ["visitors"], "dimensions": ["event:props:a'] OR 1=1 --"]}, "dimensions"),
    ({"metrics": ["visitors"], "filters": [["is", "event:page'--", ["/"]]]}, "dimensions"),
    ({"metrics": ["visitors"], "filters": [["like", "event:page", ["/"]]]}, "filters"),
    ({"metrics": ["visitors"], "filters": [["matches", "event:page", ["(?=x)"]]]}, "filters"),
    ({"metrics": ["visitors"], "filters": [["matches", "event:page", ["(unclosed"]]]}, "filters"),
    ({"metrics": ["visitors"], "filters": [["is", "event:page", [1]]]}, "filters"),
    (
        {"metrics": ["visitors"], "dimensions": ["event:page"], "order_by": [["pathname; --", "desc"]]},
        "order_by",
    ),
    (
        {"metrics": ["visitors"], "dimensions": ["event:page"], "pagination": {"limit": "10"}},
        "pagination",
    ),
    ({"metrics": ["visitors"], "dimensions": ["event:page"], "pagination": {"offset": -1}}, "pagination"),
    ({"metrics": ["visitors"], "date_range": "1 OR 1"}, "date_range"),
    ({"metrics": ["visitors"], "date_range": ["2026-11-02", "2026-11-01"]}, "date_range"),
    ({"metrics": ["bounce_rate"], "dimensions": ["event:name"]}, "metrics"),
    ({"metrics": ["visitors"], "site_id": "other.example"}, "site_id"),
]


def test_hostile_or_meaningless_queries_get_a_clear_400(api) -> None:
    client, sites = api
    wrong = []
    for body, field in HOSTILE:
        response = client.post(f"/api/sites/{sites['UTC']}/query", json={"date_range": DAY, **body})
        got = (response.status_code, response.json().get("field"))
        if got != (400, field) or "Exception" in response.text:
            wrong.append((body, got, response.text[:200]))
    assert wrong == []


def test_hostile_values_are_only_values(api) -> None:
    client, sites = api
    for value in ("'; DROP TABLE events; --", "\\' OR 1=1 --", "{p0:String}", "%(x)s", "/\x00"):
        answer = ask(client, sites["UTC"], metrics=["visitors"], filters=[["is", "event:page", [value]]])
        assert rows(answer) == [([], [0])]
        answer = ask(
            client,
            sites["UTC"],
            metrics=["visitors"],
            dimensions=["event:props:plan"],
            filters=[["contains", "visit:source", [value]]],
        )
        assert rows(answer) == []
    assert rows(ask(client, sites["UTC"], metrics=["visitors"])) == [([], [3])]  # the table is intact


def test_segments_and_shared_links_narrow_every_answer(api) -> None:
    client, sites = api
    site = sites["UTC"]
    french = client.post(
        f"/api/sites/{site}/segments",
        json={"name": "France", "filters": [["is", "visit:country", ["FR"]]], "visibility": "site"},
    ).json()["id"]
    assert rows(ask(client, site, metrics=["visitors", "visits"], segment_id=french)) == [([], [1, 1])]
    link = client.post(
        f"/api/sites/{site}/shared-links", json={"name": "FR only", "segment_id": french}
    ).json()
    public = httpx.Client(
        base_url=str(client.base_url), timeout=30, headers={"Authorization": f"Shared {link['token']}"}
    )
    answer = public.post(
        f"/api/sites/{site}/query", json={"date_range": DAY, "metrics": ["visitors", "pageviews"]}
    )
    assert answer.status_code == 200, answer.text
    assert rows(answer.json()) == [([], [1, 2])]  # only visitor A, whatever the holder asks
    widened = public.post(
        f"/api/sites/{site}/query",
        json={"date_range": DAY, "metrics": ["visitors"], "filters": [["is_not", "visit:country", ["FR"]]]},
    )
    assert rows(widened.json()) == [([], [0])]
    assert (
        public.post(f"/api/sites/{sites['Asia/Tokyo']}/query", json={"metrics": ["visitors"]}).status_code
        == 404
    )
    bad = client.post(
        f"/api/sites/{site}/query", json={"metrics": ["visitors"], "segment_id": str(uuid.uuid4())}
    )
    assert (bad.status_code, bad.json()["field"]) == (400, "segment_id")


def test_goals_conversions_and_revenue(api) -> None:
    client, sites = api
    site = sites["goals"]  # visitors A, B, C as above, and D (GB) who bought for 50 EUR and 10 USD
    by_goal = ask(
        client, site, metrics=["visitors", "conversions", "conversion_rate"], dimensions=["event:goal"]
    )
    assert rows(by_goal) == [
        (["Visit /pricing"], [2, 2, 50]),
        (["Pro signup"], [1, 1, 25]),
        (["Purchase"], [1, 2, 25]),
        (["Signup"], [1, 1, 25]),
        (["Visit /blog/*"], [1, 2, 25]),
    ]
    bought = ask(
        client,
        site,
        metrics=["visitors", "total_revenue", "average_revenue", "conversion_rate"],
        filters=[["is", "event:goal", ["Purchase"]]],
    )
    assert rows(bought) == [([], [1, 50, 50, 25])]  # the USD purchase is not EUR revenue
    by_country = ask(
        client,
        site,
        metrics=["visitors", "conversion_rate"],
        dimensions=["visit:country"],
        filters=[["is", "event:goal", ["Visit /pricing"]]],
        order_by=[["visit:country", "asc"]],
    )
    assert rows(by_country) == [(["FR"], [1, 100]), (["US"], [1, 100])]
    signed_up = ask(
        client,
        site,
        metrics=["visitors"],
        filters=[["contains", "event:goal", ["signup"], {"case_sensitive": False}]],
    )
    assert rows(signed_up) == [([], [1])]
    not_converted = ask(
        client, site, metrics=["visitors"], filters=[["is_not", "event:goal", ["Visit /pricing"]]]
    )
    # Events that are not that goal: A, B and D had some; C's only pageview was /pricing.
    assert rows(not_converted) == [([], [3])]
    unknown = ask(client, site, metrics=["visitors"], filters=[["is", "event:goal", ["No such goal"]]])
    assert rows(unknown) == [([], [0])]
    refused = client.post(
        f"/api/sites/{site}/query", json={"metrics": ["conversion_rate"], "date_range": DAY}
    )
    assert (refused.status_code, refused.json()["field"]) == (400, "metrics")


def test_the_team_roll_up_sums_its_sites(api) -> None:
    client, sites = api
    team = client.get("/api/teams").json()[0]["id"]
    whole = client.post(
        f"/api/teams/{team}/query", json={"metrics": ["visitors", "pageviews"], "date_range": DAY}
    )
    # In UTC: shop.example 3 visitors and 6 pageviews, tokyo.example the same, goals.example 4 and 7.
    assert rows(whole.json()) == [([], [10, 19])]
    tokyo_day = client.post(
        f"/api/teams/{team}/query",
        json={"metrics": ["visitors", "pageviews"], "date_range": DAY, "timezone": "Asia/Tokyo"},
    )
    # Tokyo's 1 November ends at 15:00 UTC: visit 22 (two pageviews) moves out at every site.
    assert rows(tokyo_day.json()) == [([], [10, 4 + 4 + 5])]
    key = client.post(
        f"/api/teams/{team}/api-keys",
        json={"name": "one", "scopes": ["stats:read"], "site_ids": [sites["UTC"]]},
    ).json()["key"]
    limited = httpx.post(
        f"{client.base_url}/api/teams/{team}/query",
        json={"metrics": ["visitors"], "date_range": DAY},
        headers={"Authorization": f"Bearer {key}"},
    )
    assert rows(limited.json()) == [([], [3])]  # a key limited to one site sees that site only
    bad = client.post(f"/api/teams/{team}/query", json={"metrics": ["visitors"], "timezone": "Mars/Olympus"})
    assert (bad.status_code, bad.json()["field"]) == (400, "timezone")


def test_time_on_page_and_scroll_depth_come_from_engagement_events(api) -> None:
    client, sites = api
    site = sites["UTC"]  # C's view of /pricing was visible 280 s and scrolled to 75%; no other engagement
    assert rows(ask(client, site, metrics=["time_on_page", "scroll_depth", "pageviews"])) == [
        ([], [280, 75, 6])
    ]
    by_page = ask(
        client,
        site,
        metrics=["pageviews", "time_on_page", "scroll_depth"],
        dimensions=["event:page"],
        order_by=[["event:page", "asc"]],
    )
    assert rows(by_page) == [
        (["/"], [2, 0, 0]),
        (["/blog/a"], [1, 0, 0]),
        (["/blog/b"], [1, 0, 0]),
        (["/pricing"], [2, 280, 75]),
    ]
    for metrics, dims in ((["scroll_depth", "bounce_rate"], []), (["time_on_page"], ["event:name"])):
        refused = client.post(
            f"/api/sites/{site}/query", json={"metrics": metrics, "dimensions": dims, "date_range": DAY}
        )
        assert (refused.status_code, refused.json()["field"]) == (400, "metrics")


def test_a_clickhouse_failure_is_a_503_without_its_error_text(api, clickhouse) -> None:
    client, sites = api
    clickhouse.run(
        lambda c: c.command("RENAME TABLE events TO events_away")
    )  # the engine answers, the table is gone
    try:
        response = client.post(
            f"/api/sites/{sites['UTC']}/query",
            json={"metrics": ["visitors"], "date_range": ["2026-12-01", "2026-12-01"]},
        )
        assert response.status_code == 503
        assert response.json()["detail"] == "the statistics could not be computed right now; try again"
        assert "DB::Exception" not in response.text
        assert "events" not in response.text
    finally:
        clickhouse.run(lambda c: c.command("RENAME TABLE events_away TO events"))
    again = client.post(f"/api/sites/{sites['UTC']}/query", json={"metrics": ["visitors"], "date_range": DAY})
    assert rows(again.json()) == [([], [3])]
