"""Invitations end to end, with mail delivered through the SMTP adapter to a real local SMTP server."""

from __future__ import annotations

import httpx
import psycopg
import pytest

from tests.e2e.identity.conftest import PASSWORD


def test_an_invitee_without_an_account_joins_by_opening_one(start, inbox) -> None:
    box, _ = inbox
    url, owner, csrf = start()  # registration is closed (REGISTRATION=invite): the invitation is the way in
    team = owner.get("/api/teams").json()[0]
    invited = owner.post(
        f"/api/teams/{team['id']}/invitations",
        json={"email": "New@Example.com", "role": "viewer"},
        headers={"X-CSRF-Token": csrf},
    )
    assert invited.status_code == 201, invited.text
    mail = box.last_to("New@example.com")
    assert mail["From"] == "Fieldmark <no-reply@fieldmark.test>"
    assert mail["Subject"] == f"Join {team['name']} on Fieldmark"
    assert "Olive invited you to join" in mail.get_body(("plain",)).get_content()  # type: ignore[union-attr]
    assert "Accept the invitation" in mail.get_body(("html",)).get_content()  # type: ignore[union-attr]
    token = box.token("New@example.com")

    invitee = httpx.Client(base_url=url, timeout=30)
    look = invitee.get(f"/api/invitations/{token}").json()
    assert (look["team_name"], look["role"], look["has_account"]) == (team["name"], "viewer", False)
    assert invitee.post(f"/api/invitations/{token}/accept", json={}).json()["field"] == "password"
    accepted = invitee.post(f"/api/invitations/{token}/accept", json={"password": PASSWORD, "name": "Nia"})
    assert accepted.status_code == 200, accepted.text
    assert accepted.json()["role"] == "viewer"
    assert accepted.json()["session"]["user"]["email"] == "New@example.com"
    assert {t["id"]: t["role"] for t in invitee.get("/api/teams").json()} == {team["id"]: "viewer"}
    assert invitee.get(f"/api/teams/{team['id']}/sites").status_code == 200
    viewer_csrf = {"X-CSRF-Token": accepted.json()["session"]["csrf_token"]}
    assert (
        invitee.post(
            f"/api/teams/{team['id']}/sites", json={"domain": "x.example"}, headers=viewer_csrf
        ).status_code
        == 403
    )
    reused = httpx.post(f"{url}/api/invitations/{token}/accept", json={"password": PASSWORD})
    assert reused.status_code == 410  # used once


def test_an_invitee_with_an_account_accepts_signed_in_as_that_account(start, inbox) -> None:
    box, _ = inbox
    url, owner, csrf = start(REGISTRATION="open")
    team = owner.get("/api/teams").json()[0]["id"]
    bob = httpx.Client(base_url=url, timeout=30)
    bob_csrf = bob.post("/api/auth/register", json={"email": "bob@example.com", "password": PASSWORD}).json()[
        "csrf_token"
    ]
    owner.post(
        f"/api/teams/{team}/invitations",
        json={"email": "bob@example.com", "role": "editor"},
        headers={"X-CSRF-Token": csrf},
    )
    token = box.token("bob@example.com")
    assert httpx.get(f"{url}/api/invitations/{token}").json()["has_account"] is True

    anonymous = httpx.post(f"{url}/api/invitations/{token}/accept", json={})
    assert anonymous.status_code == 403
    assert "sign in as bob@example.com" in anonymous.json()["detail"]
    wrong_person = owner.post(f"/api/invitations/{token}/accept", json={}, headers={"X-CSRF-Token": csrf})
    assert wrong_person.status_code == 403
    assert bob.post(f"/api/invitations/{token}/accept", json={}).status_code == 403  # no CSRF token
    joined = bob.post(f"/api/invitations/{token}/accept", json={}, headers={"X-CSRF-Token": bob_csrf})
    assert joined.status_code == 200
    assert joined.json()["session"] is None  # already signed in
    assert team in {t["id"]: t["role"] for t in bob.get("/api/teams").json()}


def test_expired_revoked_and_resent_links(start, inbox, test_urls) -> None:
    box, _ = inbox
    url, owner, csrf = start()
    team = owner.get("/api/teams").json()[0]["id"]
    headers = {"X-CSRF-Token": csrf}

    owner.post(
        f"/api/teams/{team}/invitations",
        json={"email": "late@example.com", "role": "viewer"},
        headers=headers,
    )
    late = box.token("late@example.com")
    with psycopg.connect(test_urls.database_url) as conn:
        conn.execute(
            "UPDATE invitations SET expires_at = now() - interval '1 minute' WHERE email = %s",
            ("late@example.com",),
        )
    expired = httpx.post(f"{url}/api/invitations/{late}/accept", json={"password": PASSWORD})
    assert expired.status_code == 410
    assert "expired" in expired.json()["detail"]

    invitation = owner.post(
        f"/api/teams/{team}/invitations", json={"email": "gone@example.com", "role": "admin"}, headers=headers
    ).json()
    gone = box.token("gone@example.com")
    assert [i["email"] for i in owner.get(f"/api/teams/{team}/invitations").json()] == ["gone@example.com"]
    assert (
        owner.delete(f"/api/teams/{team}/invitations/{invitation['id']}", headers=headers).status_code == 204
    )
    assert httpx.get(f"{url}/api/invitations/{gone}").status_code == 410
    assert httpx.post(f"{url}/api/invitations/{gone}/accept", json={"password": PASSWORD}).status_code == 410
    assert owner.get(f"/api/teams/{team}/invitations").json() == []

    again = owner.post(
        f"/api/teams/{team}/invitations",
        json={"email": "again@example.com", "role": "viewer"},
        headers=headers,
    ).json()
    first = box.token("again@example.com")
    resent = owner.post(f"/api/teams/{team}/invitations/{again['id']}/resend", headers=headers)
    assert resent.status_code == 200
    second = box.token("again@example.com")
    assert second != first
    assert httpx.get(f"{url}/api/invitations/{first}").status_code == 404  # the old link no longer works
    assert (
        httpx.post(f"{url}/api/invitations/{second}/accept", json={"password": PASSWORD}).status_code == 200
    )


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"email": "not-an-email", "role": "viewer"}, 400, "email"),
        ({"email": "x@example.com", "role": "owner"}, 400, "role"),
        ({"email": "x@example.com", "role": "superuser"}, 400, "role"),
        ({"email": "owner@example.com", "role": "viewer"}, 409, "email"),
    ],
)
def test_bad_invitations_are_refused(start, body, status, field) -> None:
    _, owner, csrf = start()
    team = owner.get("/api/teams").json()[0]["id"]
    response = owner.post(f"/api/teams/{team}/invitations", json=body, headers={"X-CSRF-Token": csrf})
    assert response.status_code == status, response.text
    assert response.json()["field"] == field
    assert owner.get(f"/api/teams/{team}/invitations").json() == []
