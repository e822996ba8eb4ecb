"""A team owner requires two-factor sign-in: members without it are refused the team until they turn
it on; the owner cannot lock themselves out."""

from __future__ import annotations

import httpx
import psycopg

from fieldmark.bootstrap.engines import EngineUrls
from tests.e2e.identity.conftest import PASSWORD
from tests.e2e.identity.test_two_factor import code_for


def turn_on_two_factor(client: httpx.Client, headers: dict[str, str]) -> None:
    secret = client.post("/api/auth/2fa/setup", headers=headers).json()["secret"]
    confirmed = client.post("/api/auth/2fa/confirm", json={"code": code_for(secret, 0)}, headers=headers)
    assert confirmed.status_code == 200, confirmed.text


def test_a_team_that_requires_two_factor(start, test_urls: EngineUrls) -> None:
    url, owner, csrf = start(REGISTRATION="open")
    headers = {"X-CSRF-Token": csrf}
    team = owner.get("/api/teams").json()[0]
    assert team["require_two_factor"] is False
    site = owner.post(
        f"/api/teams/{team['id']}/sites", json={"domain": "strict.example"}, headers=headers
    ).json()["id"]
    vera = httpx.Client(base_url=url, timeout=30)
    body = vera.post("/api/auth/register", json={"email": "vera@example.com", "password": PASSWORD}).json()
    vera_headers = {"X-CSRF-Token": body["csrf_token"]}
    with psycopg.connect(test_urls.database_url) as conn:
        conn.execute(
            "INSERT INTO memberships (team_id, user_id, role) VALUES (%s, %s, 'editor')",
            (team["id"], body["user"]["id"]),
        )

    change = f"/api/teams/{team['id']}"
    early = owner.patch(change, json={"require_two_factor": True}, headers=headers)
    assert (early.status_code, early.json()["field"]) == (400, "require_two_factor")
    assert (
        vera.patch(change, json={"name": "Mine now"}, headers=vera_headers).status_code == 403
    )  # owners only
    assert owner.patch(change, json={"name": " "}, headers=headers).json()["field"] == "name"

    turn_on_two_factor(owner, headers)
    required = owner.patch(change, json={"require_two_factor": True, "name": "Strict"}, headers=headers)
    assert required.status_code == 200
    assert required.json() == {
        "id": team["id"],
        "name": "Strict",
        "role": "owner",
        "require_two_factor": True,
    }

    refused = vera.get(f"/api/sites/{site}")
    assert (refused.status_code, refused.json()["field"]) == (403, "two_factor")
    assert vera.get(f"/api/teams/{team['id']}/members").status_code == 403
    listed = {t["id"]: t["require_two_factor"] for t in vera.get("/api/teams").json()}
    assert listed[team["id"]] is True  # the dashboard can say why
    assert owner.get(f"/api/sites/{site}").status_code == 200

    turn_on_two_factor(vera, vera_headers)
    assert vera.get(f"/api/sites/{site}").status_code == 200

    entries = owner.get(f"/api/teams/{team['id']}/audit").json()["entries"]
    assert {e["action"] for e in entries} >= {"team.two_factor_required", "team.renamed"}
    enabled = [e["actor_email"] for e in entries if e["action"] == "two_factor.enabled"]
    assert sorted(enabled) == ["owner@example.com", "vera@example.com"]
