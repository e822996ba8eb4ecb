"""API keys over HTTP: shown once, scoped, limited to sites, revocable, with a last-used time."""

from __future__ import annotations

import httpx
import psycopg
import pytest

from fieldmark.bootstrap.engines import EngineUrls
from fieldmark.bootstrap.migrate import migrate_clickhouse
from fieldmark.bootstrap.stores import ClickHousePool


def test_keys_are_scoped_limited_and_revocable(start) -> None:
    url, owner, csrf = start()
    headers = {"X-CSRF-Token": csrf}
    team = owner.get("/api/teams").json()[0]["id"]
    one = owner.post(f"/api/teams/{team}/sites", json={"domain": "one.example"}, headers=headers).json()["id"]
    two = owner.post(f"/api/teams/{team}/sites", json={"domain": "two.example"}, headers=headers).json()["id"]

    for body, field in (
        ({"name": "", "scopes": ["stats:read"]}, "name"),
        ({"name": "k", "scopes": []}, "scopes"),
        ({"name": "k", "scopes": ["root"]}, "scopes"),
        (
            {"name": "k", "scopes": ["stats:read"], "site_ids": ["00000000-0000-7000-8000-000000000000"]},
            "site_ids",
        ),
        ({"name": "k", "scopes": ["stats:read"], "site_ids": []}, "site_ids"),  # would read nothing
    ):
        refused = owner.post(f"/api/teams/{team}/api-keys", json=body, headers=headers)
        assert refused.status_code == 400, refused.text
        assert refused.json()["field"] == field

    created = owner.post(
        f"/api/teams/{team}/api-keys",
        json={"name": "dashboards", "scopes": ["stats:read"], "site_ids": [one]},
        headers=headers,
    )
    assert created.status_code == 201
    secret, key = created.json()["key"], created.json()["api_key"]
    assert secret.startswith("fmk_")
    assert key["prefix"] == secret[:10]
    assert key["last_used_at"] is None
    assert secret not in owner.get(f"/api/teams/{team}/api-keys").text  # shown once

    script = httpx.Client(base_url=url, headers={"Authorization": f"Bearer {secret}"}, timeout=30)
    assert script.get(f"/api/sites/{one}").json()["domain"] == "one.example"
    assert script.get(f"/api/sites/{two}").status_code == 404  # not one of the key's sites
    assert script.delete(f"/api/sites/{one}").status_code == 403  # no sites:manage scope
    assert script.get("/api/auth/me").status_code == 403  # keys are not people
    used = owner.get(f"/api/teams/{team}/api-keys").json()[0]
    assert used["last_used_at"] is not None

    assert owner.delete(f"/api/teams/{team}/api-keys/{key['id']}", headers=headers).status_code == 204
    assert script.get(f"/api/sites/{one}").status_code == 401
    assert owner.get(f"/api/teams/{team}/api-keys").json() == []
    assert (
        httpx.get(f"{url}/api/sites/{one}", headers={"Authorization": "Bearer fmk_made-up"}).status_code
        == 401
    )


def test_a_site_limited_key_never_widens(start, test_urls: EngineUrls, clickhouse: ClickHousePool) -> None:
    """Deleting a key's sites narrows it and, with the last one, revokes it; team-wide answers and lists
    cover only its sites; team-wide routes that do not filter by site refuse it; the table refuses an
    emptied list on a live key."""
    migrate_clickhouse(clickhouse)
    url, owner, csrf = start()
    headers = {"X-CSRF-Token": csrf}
    team = owner.get("/api/teams").json()[0]["id"]
    sites = {
        name: owner.post(
            f"/api/teams/{team}/sites", json={"domain": f"{name}.example"}, headers=headers
        ).json()["id"]
        for name in ("one", "two", "three")
    }

    def key(name: str, site_ids: list[str] | None) -> tuple[str, httpx.Client]:
        body = {"name": name, "scopes": ["stats:read", "sites:manage"], "site_ids": site_ids}
        created = owner.post(f"/api/teams/{team}/api-keys", json=body, headers=headers)
        assert created.status_code == 201, created.text
        return created.json()["api_key"]["id"], httpx.Client(
            base_url=url, headers={"Authorization": f"Bearer {created.json()['key']}"}, timeout=30
        )

    only_one_id, only_one = key("only one", [sites["one"]])
    _, one_and_two = key("one and two", [sites["one"], sites["two"]])
    _, every = key("every site", None)
    assert [k["site_ids"] for k in owner.get(f"/api/teams/{team}/api-keys").json()] == [
        [sites["one"]],
        [sites["one"], sites["two"]],
        None,
    ]

    listed = only_one.get(f"/api/teams/{team}/sites")
    assert listed.status_code == 200
    assert [s["domain"] for s in listed.json()] == ["one.example"]
    assert sorted(s["domain"] for s in every.get(f"/api/teams/{team}/sites").json()) == [
        "one.example",
        "three.example",
        "two.example",
    ]
    rollup = only_one.post(f"/api/teams/{team}/query", json={"metrics": ["visitors"], "date_range": "7d"})
    assert rollup.status_code == 200, rollup.text
    # A team-wide route that does not filter by site (creating a site) refuses a limited key.
    created = only_one.post(f"/api/teams/{team}/sites", json={"domain": "four.example"})
    assert created.status_code == 403
    assert every.post(f"/api/teams/{team}/sites", json={"domain": "four.example"}).status_code == 201

    assert owner.delete(f"/api/sites/{sites['one']}", headers=headers).status_code == 204
    # The key whose last site that was is revoked, not widened: it reads nothing, lists nothing.
    for response in (
        only_one.get(f"/api/teams/{team}/sites"),
        only_one.get(f"/api/sites/{sites['two']}"),
        only_one.post(f"/api/teams/{team}/query", json={"metrics": ["visitors"], "date_range": "7d"}),
    ):
        assert response.status_code == 401, response.text
    assert only_one_id not in owner.get(f"/api/teams/{team}/api-keys").text
    audit = owner.get(f"/api/teams/{team}/audit").json()
    revoked = [e for e in audit["entries"] if e["action"] == "api_key.revoked"]
    assert [e["target"] for e in revoked] == ["only one"]
    # The key with a site left keeps exactly that one.
    assert [s["domain"] for s in one_and_two.get(f"/api/teams/{team}/sites").json()] == ["two.example"]
    assert one_and_two.get(f"/api/sites/{sites['two']}").status_code == 200
    assert one_and_two.get(f"/api/sites/{sites['three']}").status_code == 404

    with psycopg.connect(test_urls.database_url) as conn, pytest.raises(psycopg.errors.CheckViolation):
        conn.execute("UPDATE api_keys SET site_ids = '{}' WHERE revoked_at IS NULL AND site_ids IS NOT NULL")
