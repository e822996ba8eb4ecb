"""Member management over HTTP: roles, removal, leaving, and a team that always keeps an owner."""

from __future__ import annotations

from pathlib import Path

import httpx
import psycopg

from fieldmark.bootstrap.container import AppContainer
from fieldmark.bootstrap.engines import EngineUrls
from fieldmark.bootstrap.http import create_app
from fieldmark.bootstrap.roles import ALL_ROLES
from tests.conftest import LiveServer, settings_for

PASSWORD = "correct horse battery staple"


def test_roles_removal_leaving_and_ownership(test_urls: EngineUrls, data_dir: Path) -> None:
    app = create_app(
        AppContainer(settings=settings_for(data_dir, REGISTRATION="open"), urls=test_urls), ALL_ROLES
    )
    with LiveServer(app) as server:
        people: dict[str, tuple[httpx.Client, dict[str, str], str]] = {}
        for name in ("olive", "adam", "vera"):
            client = httpx.Client(base_url=server.url, timeout=30)
            body = client.post(
                "/api/auth/register", json={"email": f"{name}@example.com", "password": PASSWORD}
            ).json()
            people[name] = (client, {"X-CSRF-Token": body["csrf_token"]}, body["user"]["id"])
        olive, o_csrf, olive_id = people["olive"]
        adam, a_csrf, adam_id = people["adam"]
        vera, v_csrf, vera_id = people["vera"]
        team = olive.get("/api/teams").json()[0]["id"]
        with psycopg.connect(test_urls.database_url) as conn:
            conn.execute(
                "INSERT INTO memberships (team_id, user_id, role)"
                " VALUES (%s, %s, 'admin'), (%s, %s, 'viewer')",
                (team, adam_id, team, vera_id),
            )

        def roles() -> dict[str, str]:
            return {m["email"]: m["role"] for m in olive.get(f"/api/teams/{team}/members").json()}

        members = f"/api/teams/{team}/members"
        assert vera.get(members).status_code == 200
        assert roles() == {
            "olive@example.com": "owner",
            "adam@example.com": "admin",
            "vera@example.com": "viewer",
        }
        assert adam.patch(f"{members}/{vera_id}", json={"role": "editor"}, headers=a_csrf).status_code == 204
        assert adam.patch(f"{members}/{vera_id}", json={"role": "owner"}, headers=a_csrf).status_code == 403
        assert adam.patch(f"{members}/{olive_id}", json={"role": "viewer"}, headers=a_csrf).status_code == 403
        assert adam.delete(f"{members}/{olive_id}", headers=a_csrf).status_code == 403
        assert (
            adam.patch(f"{members}/{vera_id}", json={"role": "god"}, headers=a_csrf).json()["field"] == "role"
        )
        assert vera.patch(f"{members}/{adam_id}", json={"role": "viewer"}, headers=v_csrf).status_code == 403

        last = olive.patch(f"{members}/{olive_id}", json={"role": "admin"}, headers=o_csrf)
        assert last.status_code == 409
        assert "keep an owner" in last.json()["detail"]
        assert olive.post(f"/api/teams/{team}/leave", headers=o_csrf).status_code == 409
        assert (
            olive.post(f"/api/teams/{team}/transfer", json={"user_id": olive_id}, headers=o_csrf).status_code
            == 400
        )
        assert (
            adam.post(f"/api/teams/{team}/transfer", json={"user_id": adam_id}, headers=a_csrf).status_code
            == 403
        )
        assert (
            olive.post(f"/api/teams/{team}/transfer", json={"user_id": adam_id}, headers=o_csrf).status_code
            == 204
        )
        assert roles() == {
            "olive@example.com": "admin",
            "adam@example.com": "owner",
            "vera@example.com": "editor",
        }

        assert olive.post(f"/api/teams/{team}/leave", headers=o_csrf).status_code == 204
        assert adam.delete(f"{members}/{vera_id}", headers=a_csrf).status_code == 204
        assert adam.delete(f"{members}/{vera_id}", headers=a_csrf).status_code == 404
        assert vera.get(members).status_code == 404  # no longer a member: the team is invisible
        assert [m["email"] for m in adam.get(members).json()] == ["adam@example.com"]
