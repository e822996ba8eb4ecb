"""API keys over HTTP: shown once, scoped, limited to sites, revocable, with a last-used time."""

from __future__ import annotations

import httpx


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
