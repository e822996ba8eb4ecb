"""Shared links over HTTP: a public read-only view of one site, optionally behind a password and within
a segment, revocable, never reaching another site or any write."""

from __future__ import annotations

import httpx

from tests.e2e.identity.conftest import password_link


def test_a_shared_link_reads_its_site_only(start) -> None:
    url, owner, csrf = start()
    headers = {"X-CSRF-Token": csrf}
    team = owner.get("/api/teams").json()[0]["id"]
    site = owner.post(f"/api/teams/{team}/sites", json={"domain": "open.example"}, headers=headers).json()[
        "id"
    ]
    other = owner.post(f"/api/teams/{team}/sites", json={"domain": "closed.example"}, headers=headers).json()[
        "id"
    ]
    owner.post(
        f"/api/sites/{site}/goals", json={"match": {"kind": "event", "event": "Signup"}}, headers=headers
    )
    filters = [["is", "visit:country", ["FR"]]]
    shared_segment = owner.post(
        f"/api/sites/{site}/segments",
        json={"name": "France", "filters": filters, "visibility": "site"},
        headers=headers,
    ).json()["id"]
    personal = owner.post(
        f"/api/sites/{site}/segments", json={"name": "Mine", "filters": filters}, headers=headers
    )

    refused = owner.post(
        f"/api/sites/{site}/shared-links",
        json={"name": "x", "segment_id": personal.json()["id"]},
        headers=headers,
    )
    assert (refused.status_code, refused.json()["field"]) == (400, "segment_id")
    short = owner.post(
        f"/api/sites/{site}/shared-links", json={"name": "x", "password": "short"}, headers=headers
    )
    assert (short.status_code, short.json()["field"]) == (400, "password")
    assert owner.get(f"/api/sites/{site}/shared-links").json() == []  # nothing written

    created = owner.post(
        f"/api/sites/{site}/shared-links",
        json={"name": "Investors", "password": "open sesame", "segment_id": shared_segment},
        headers=headers,
    )
    assert created.status_code == 201
    token = created.json()["token"]
    assert token.startswith("fms_")
    assert created.json()["url"] == f"http://fieldmark.test/share/{token}"
    listed = owner.get(f"/api/sites/{site}/shared-links")
    assert token not in listed.text
    assert listed.json()[0]["has_password"] is True

    anyone = httpx.Client(base_url=url, timeout=30)
    opened = anyone.get(f"/api/share/{token}").json()
    assert opened["site"]["domain"] == "open.example"
    assert opened["password_required"] is True
    assert opened["segment"] == {"id": shared_segment, "name": "France", "filters": filters}

    locked = httpx.Client(base_url=url, timeout=30, headers={"Authorization": f"Shared {token}"})
    assert locked.get(f"/api/sites/{site}/goals").status_code == 401  # the password first
    assert anyone.post(f"/api/share/{token}/unlock", json={"password": "wrong guess"}).status_code == 401
    unlocked = anyone.post(f"/api/share/{token}/unlock", json={"password": "open sesame"})
    assert unlocked.status_code == 200
    access_token = unlocked.json()["access_token"]
    viewer = httpx.Client(base_url=url, timeout=30, headers={"Authorization": f"Shared {access_token}"})
    assert [g["name"] for g in viewer.get(f"/api/sites/{site}/goals").json()] == ["Signup"]
    assert viewer.get(f"/api/sites/{other}/goals").status_code == 404  # another site
    assert viewer.get(f"/api/sites/{site}").status_code == 403  # the site's settings are not shared
    assert viewer.get(f"/api/sites/{site}/segments").status_code == 403
    assert (
        viewer.post(f"/api/sites/{site}/goals", json={"match": {"kind": "event", "event": "x"}}).status_code
        == 403
    )
    assert viewer.get(f"/api/teams/{team}/members").status_code == 403
    expires, signature = access_token.split(".")[1:]
    tampered = f"{token}.{int(expires) + 86400}.{signature}"
    forged = httpx.Client(base_url=url, timeout=30, headers={"Authorization": f"Shared {tampered}"})
    assert forged.get(f"/api/sites/{site}/goals").status_code == 401

    link_id = created.json()["shared_link"]["id"]
    assert owner.delete(f"/api/sites/{site}/shared-links/{link_id}", headers=headers).status_code == 204
    assert viewer.get(f"/api/sites/{site}/goals").status_code == 401
    assert anyone.get(f"/api/share/{token}").status_code == 404
    assert owner.delete(f"/api/sites/{site}/shared-links/{link_id}", headers=headers).status_code == 404

    log = owner.get(f"/api/teams/{team}/audit").json()["entries"]
    assert [e["action"] for e in log[:2]] == ["shared_link.revoked", "shared_link.created"]
    assert log[1]["target"] == "Investors"
    assert token not in str(log)

    # An open link works with its bare token; deleting its segment deletes the link.
    plain = owner.post(
        f"/api/sites/{site}/shared-links",
        json={"name": "Team wall", "segment_id": shared_segment},
        headers=headers,
    ).json()["token"]
    wall = httpx.Client(base_url=url, timeout=30, headers={"Authorization": f"Shared {plain}"})
    assert wall.get(f"/api/sites/{site}/funnels").status_code == 200
    assert owner.delete(f"/api/sites/{site}/segments/{shared_segment}", headers=headers).status_code == 204
    assert wall.get(f"/api/sites/{site}/funnels").status_code == 401


def test_wrong_passwords_are_throttled(start) -> None:
    url, owner, csrf = start()
    token = password_link(owner, csrf, "guarded.example")
    guesser = httpx.Client(base_url=url, timeout=30)
    statuses = [
        guesser.post(f"/api/share/{token}/unlock", json={"password": f"guess {i}"}).status_code
        for i in range(11)
    ]
    assert statuses == [401] * 10 + [429]
    blocked = guesser.post(f"/api/share/{token}/unlock", json={"password": "open sesame"})
    assert blocked.status_code == 429
    assert int(blocked.headers["Retry-After"]) > 0
