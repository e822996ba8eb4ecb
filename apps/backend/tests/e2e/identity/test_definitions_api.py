"""Goals, funnels and segments over HTTP, stored in PostgreSQL: the round trip, the rules on who keeps
which segment, and bad input refused with nothing written."""

from __future__ import annotations

import httpx
import psycopg

from fieldmark.bootstrap.engines import EngineUrls

PASSWORD = "correct horse battery staple"


def _count(database_url: str, table: str, site: str) -> int:
    with psycopg.connect(database_url) as conn:
        row = conn.execute(f"SELECT count(*) FROM {table} WHERE site_id = %s", (site,)).fetchone()  # noqa: S608
    assert row is not None
    return int(row[0])


def test_goals_funnels_and_segments(start, test_urls: EngineUrls) -> None:
    url, owner, csrf = start(REGISTRATION="open")
    headers = {"X-CSRF-Token": csrf}
    team = owner.get("/api/teams").json()[0]["id"]
    site = owner.post(f"/api/teams/{team}/sites", json={"domain": "shop.example"}, headers=headers).json()[
        "id"
    ]
    base = f"/api/sites/{site}"

    # Goals: pageview (wildcards), custom event with a property, revenue.
    pageview = owner.post(
        f"{base}/goals", json={"match": {"kind": "pageview", "path": "/blog/*"}}, headers=headers
    )
    assert pageview.status_code == 201
    assert pageview.json()["name"] == "Visit /blog/*"
    assert pageview.json()["kind"] == "pageview"
    assert pageview.json()["path_regex"] == "^/blog/[^/]*$"
    signup = {"kind": "event", "event": "Signup", "property": {"key": "plan", "value": "pro"}}
    assert (
        owner.post(f"{base}/goals", json={"match": signup, "name": "Pro signup"}, headers=headers).status_code
        == 201
    )
    revenue = owner.post(
        f"{base}/goals",
        json={"match": {"kind": "event", "event": "Purchase"}, "currency": "eur"},
        headers=headers,
    )
    assert revenue.json()["kind"] == "revenue"
    assert revenue.json()["currency"] == "EUR"
    listed = owner.get(f"{base}/goals").json()
    assert [g["name"] for g in listed] == ["Visit /blog/*", "Pro signup", "Purchase"]
    assert listed[1]["match"] == signup

    for body, field, status in (
        ({"match": {"kind": "pageview", "path": "blog"}}, "match", 400),
        ({"match": {"kind": "pageview", "path": "/"}, "currency": "EUR"}, "currency", 400),
        ({"match": {"kind": "event", "event": "Buy"}, "currency": "XXQ"}, "currency", 400),
        ({"match": {"kind": "event", "event": "Again"}, "name": "pro SIGNUP"}, "name", 409),
    ):
        refused = owner.post(f"{base}/goals", json=body, headers=headers)
        assert (refused.status_code, refused.json().get("field")) == (status, field), refused.text
    assert _count(test_urls.database_url, "goals", site) == 3

    goal_id = listed[0]["id"]
    changed = owner.put(
        f"{base}/goals/{goal_id}", json={"match": {"kind": "pageview", "path": "/docs/**"}}, headers=headers
    )
    assert changed.json()["name"] == "Visit /docs/**"
    assert owner.delete(f"{base}/goals/{goal_id}", headers=headers).status_code == 204
    assert owner.delete(f"{base}/goals/{goal_id}", headers=headers).status_code == 404

    # Funnels: ordered steps and a window, read back exactly.
    steps = [
        {"kind": "pageview", "path": "/"},
        {"kind": "pageview", "path": "/pricing"},
        signup,
        {"kind": "event", "event": "Purchase"},
    ]
    funnel = owner.post(
        f"{base}/funnels", json={"name": "Checkout", "steps": steps, "window_seconds": 7200}, headers=headers
    )
    assert funnel.status_code == 201
    got = owner.get(f"{base}/funnels/{funnel.json()['id']}").json()
    assert (got["steps"], got["window_seconds"]) == (steps, 7200)
    default = owner.post(
        f"{base}/funnels", json={"name": "Short", "steps": steps[:2]}, headers=headers
    ).json()
    assert default["window_seconds"] == 86400
    for body, field in (
        ({"name": "One", "steps": steps[:1]}, "steps"),
        ({"name": "Nine", "steps": steps * 2 + steps[:1]}, "steps"),
        ({"name": "Bad", "steps": [steps[0], {"kind": "pageview", "path": "nope"}]}, "steps[1]"),
        ({"name": "Long", "steps": steps, "window_seconds": 10}, "window_seconds"),
        ({"name": " ", "steps": steps}, "name"),
    ):
        refused = owner.post(f"{base}/funnels", json=body, headers=headers)
        assert (refused.status_code, refused.json()["field"]) == (400, field), refused.text
    assert _count(test_urls.database_url, "funnels", site) == 2

    # Segments: a viewer keeps personal ones nobody else sees, and cannot touch shared ones.
    vera = httpx.Client(base_url=url, timeout=30)
    registered = vera.post(
        "/api/auth/register", json={"email": "vera@example.com", "password": PASSWORD}
    ).json()
    vera_headers = {"X-CSRF-Token": registered["csrf_token"]}
    with psycopg.connect(test_urls.database_url) as conn:
        conn.execute(
            "INSERT INTO memberships (team_id, user_id, role) VALUES (%s, %s, 'viewer')",
            (team, registered["user"]["id"]),
        )
    filters = [["is", "visit:source", ["Google"]], ["contains", "event:page", ["/blog"]]]
    shared = owner.post(
        f"{base}/segments", json={"name": "Search", "filters": filters, "visibility": "site"}, headers=headers
    ).json()
    mine = vera.post(f"{base}/segments", json={"name": "Mine", "filters": filters}, headers=vera_headers)
    assert mine.status_code == 201
    assert mine.json()["visibility"] == "personal"
    assert {s["name"] for s in vera.get(f"{base}/segments").json()} == {"Search", "Mine"}
    assert [s["name"] for s in owner.get(f"{base}/segments").json()] == ["Search"]
    assert owner.delete(f"{base}/segments/{mine.json()['id']}", headers=headers).status_code == 404
    assert vera.delete(f"{base}/segments/{shared['id']}", headers=vera_headers).status_code == 403
    promote = vera.put(
        f"{base}/segments/{mine.json()['id']}",
        json={"name": "Mine", "filters": filters, "visibility": "site"},
        headers=vera_headers,
    )
    assert promote.status_code == 403
    assert owner.get(f"{base}/segments").json()[0]["name"] == "Search"  # nothing changed
    refused = vera.post(
        f"{base}/segments",
        json={"name": "Evil", "filters": [["is", "visit:source' OR 1=1", ["x"]]]},
        headers=vera_headers,
    )
    assert (refused.status_code, refused.json()["field"]) == (400, "filters")
    assert _count(test_urls.database_url, "segments", site) == 2

    # Deleting the site takes its definitions with it.
    with psycopg.connect(test_urls.database_url) as conn:
        conn.execute("DELETE FROM sites WHERE id = %s", (site,))
    assert sum(_count(test_urls.database_url, t, site) for t in ("goals", "funnels", "segments")) == 0
