"""The audit log over HTTP: each security-relevant action leaves one entry, readable by team admins,
paged newest first; a person sees their own sign-ins; no secret ever appears in it."""

from __future__ import annotations

import httpx
import psycopg

from fieldmark.bootstrap.engines import EngineUrls
from fieldmark.bootstrap.migrate import migrate_clickhouse
from fieldmark.bootstrap.stores import ClickHousePool

PASSWORD = "correct horse battery staple"


def test_actions_are_recorded_and_read_by_admins(
    start, test_urls: EngineUrls, clickhouse: ClickHousePool
) -> None:
    migrate_clickhouse(clickhouse)  # deleting a site erases its events there
    url, owner, csrf = start(REGISTRATION="open")
    headers = {"X-CSRF-Token": csrf}
    team = owner.get("/api/teams").json()[0]["id"]
    owner_id = owner.get("/api/auth/me").json()["user"]["id"]

    vera = httpx.Client(base_url=url, timeout=30)
    vera_id = vera.post(
        "/api/auth/register", json={"email": "vera@example.com", "password": PASSWORD}
    ).json()["user"]["id"]
    with psycopg.connect(test_urls.database_url) as conn:
        conn.execute(
            "INSERT INTO memberships (team_id, user_id, role) VALUES (%s, %s, 'viewer')", (team, vera_id)
        )
    assert (
        owner.patch(
            f"/api/teams/{team}/members/{vera_id}", json={"role": "editor"}, headers=headers
        ).status_code
        == 204
    )
    created = owner.post(
        f"/api/teams/{team}/api-keys", json={"name": "ci", "scopes": ["stats:read"]}, headers=headers
    )
    secret, key_id = created.json()["key"], created.json()["api_key"]["id"]
    assert owner.delete(f"/api/teams/{team}/api-keys/{key_id}", headers=headers).status_code == 204
    invited = owner.post(
        f"/api/teams/{team}/invitations", json={"email": "ian@example.com", "role": "viewer"}, headers=headers
    )
    assert (
        owner.delete(f"/api/teams/{team}/invitations/{invited.json()['id']}", headers=headers).status_code
        == 204
    )
    site = owner.post(f"/api/teams/{team}/sites", json={"domain": "gone.example"}, headers=headers).json()[
        "id"
    ]
    assert owner.delete(f"/api/sites/{site}", headers=headers).status_code == 204
    assert owner.delete(f"/api/teams/{team}/members/{vera_id}", headers=headers).status_code == 204

    page = owner.get(f"/api/teams/{team}/audit")
    assert page.status_code == 200
    entries = page.json()["entries"]
    assert [e["action"] for e in entries] == [
        "member.removed",
        "site.deleted",
        "invitation.revoked",
        "invitation.sent",
        "api_key.revoked",
        "api_key.created",
        "role.changed",
    ]
    assert page.json()["next_before"] is None
    assert {e["actor_email"] for e in entries} == {"owner@example.com"}
    assert {e["actor_user_id"] for e in entries} == {owner_id}
    role_change = entries[-1]
    assert role_change["target"] == vera_id
    assert role_change["detail"] == {"previous": "viewer", "role": "editor"}
    assert entries[1]["target"] == "gone.example"
    assert entries[3]["target"] == "ian@example.com"
    assert secret not in page.text
    assert secret[:10] in page.text

    first = owner.get(f"/api/teams/{team}/audit", params={"limit": 3}).json()
    assert [e["action"] for e in first["entries"]] == [e["action"] for e in entries[:3]]
    second = owner.get(f"/api/teams/{team}/audit", params={"limit": 3, "before": first["next_before"]}).json()
    assert [e["id"] for e in second["entries"]] == [e["id"] for e in entries[3:6]]
    last = owner.get(f"/api/teams/{team}/audit", params={"limit": 3, "before": second["next_before"]}).json()
    assert [e["id"] for e in last["entries"]] == [entries[6]["id"]]
    assert last["next_before"] is None
    bad = owner.get(f"/api/teams/{team}/audit", params={"limit": 500})
    assert bad.status_code == 400
    assert bad.json()["field"] == "limit"

    # Vera, no longer a member, sees nothing of the team; her own activity holds her sign-ins only.
    assert vera.get(f"/api/teams/{team}/audit").status_code == 404
    assert (
        vera.post(
            "/api/auth/login", json={"email": "vera@example.com", "password": "wrong password!"}
        ).status_code
        == 401
    )
    assert (
        vera.post("/api/auth/login", json={"email": "vera@example.com", "password": PASSWORD}).status_code
        == 200
    )
    mine = vera.get("/api/auth/activity").json()["entries"]
    assert [e["action"] for e in mine] == ["login.succeeded", "login.failed"]
    assert "wrong password!" not in vera.get("/api/auth/activity").text

    # A current member's sign-ins are in the team's log; a former member's (Vera's) are not.
    owner.post("/api/auth/login", json={"email": "owner@example.com", "password": "not it at all"})
    owner.post("/api/auth/login", json={"email": "owner@example.com", "password": PASSWORD})
    latest = owner.get(f"/api/teams/{team}/audit").json()["entries"]
    assert [(e["action"], e["actor_email"]) for e in latest[:3]] == [
        ("login.succeeded", "owner@example.com"),
        ("login.failed", "owner@example.com"),
        ("member.removed", "owner@example.com"),
    ]
    assert latest[1]["detail"] == {"reason": "password"}
