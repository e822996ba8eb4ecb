"""Sites over HTTP: created in a team, events collected for them, and deleted with all their events."""

from __future__ import annotations

import json
import time
from pathlib import Path

import httpx

from fieldmark.bootstrap.container import AppContainer
from fieldmark.bootstrap.engines import EngineUrls
from fieldmark.bootstrap.http import create_app
from fieldmark.bootstrap.migrate import migrate_clickhouse
from fieldmark.bootstrap.roles import ALL_ROLES
from fieldmark.bootstrap.stores import ClickHousePool
from tests.conftest import LiveServer, noon_zone, settings_for


def test_a_deleted_site_takes_its_events_with_it(
    test_urls: EngineUrls, data_dir: Path, clickhouse: ClickHousePool
) -> None:
    migrate_clickhouse(clickhouse)
    app = create_app(
        AppContainer(settings=settings_for(data_dir, TRUSTED_PROXIES="127.0.0.1"), urls=test_urls),
        ALL_ROLES,
        writers=1,
    )
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        signed = client.post(
            "/api/auth/register", json={"email": "ada@example.com", "password": "a long passphrase"}
        )
        csrf = {"X-CSRF-Token": signed.json()["csrf_token"]}
        team = client.get("/api/teams").json()[0]["id"]

        bad = client.post(f"/api/teams/{team}/sites", json={"domain": "not a domain"}, headers=csrf)
        assert bad.status_code == 400
        assert bad.json()["field"] == "domain"
        keep = client.post(
            f"/api/teams/{team}/sites", json={"domain": "keep.example", "timezone": noon_zone()}, headers=csrf
        ).json()
        gone = client.post(f"/api/teams/{team}/sites", json={"domain": "gone.example"}, headers=csrf).json()
        taken = client.post(f"/api/teams/{team}/sites", json={"domain": "GONE.example"}, headers=csrf)
        assert taken.status_code == 409
        assert [s["domain"] for s in client.get(f"/api/teams/{team}/sites").json()] == [
            "gone.example",
            "keep.example",
        ]

        for site in (keep, gone):
            for i in range(3):
                response = httpx.post(
                    f"{server.url}/api/event",
                    content=json.dumps(
                        {"n": "pageview", "u": f"https://{site['domain']}/{i}", "d": site["domain"]}
                    ),
                    headers={"Content-Type": "text/plain", "User-Agent": "Mozilla/5.0 Firefox/121.0"},
                )
                assert response.status_code == 202
        deadline = time.monotonic() + 20
        while clickhouse.run(lambda c: c.command("SELECT count() FROM events")) < 6:
            assert time.monotonic() < deadline
            time.sleep(0.05)

        assert client.delete(f"/api/sites/{gone['id']}", headers=csrf).status_code == 204
        assert client.get(f"/api/sites/{gone['id']}").status_code == 404
        counts = dict(
            clickhouse.run(
                lambda c: c.query("SELECT hostname, count() FROM events GROUP BY hostname").result_rows
            )
        )
        assert counts == {"keep.example": 3}

        # Resetting keeps the site and empties it, cached statistics included.
        def visitors() -> object:
            body = {"metrics": ["pageviews"], "date_range": "day"}
            return client.post(f"/api/sites/{keep['id']}/query", json=body, headers=csrf).json()["results"][0]

        assert visitors()["metrics"] == [3]  # now cached
        assert client.delete(f"/api/sites/{keep['id']}/events", headers=csrf).status_code == 204
        assert client.get(f"/api/sites/{keep['id']}").json()["domain"] == "keep.example"
        assert clickhouse.run(lambda c: c.command("SELECT count() FROM events")) == 0
        assert visitors()["metrics"] == [0]
        audit = client.get(f"/api/teams/{team}/audit").json()["entries"]
        assert [e["action"] for e in audit[:2]] == ["site.data_reset", "site.deleted"]


def test_editing_a_site_and_its_snippets(test_urls: EngineUrls, data_dir: Path) -> None:
    app = create_app(
        AppContainer(
            settings=settings_for(data_dir, BASE_URL="http://fm.example.com", REGISTRATION="open"),
            urls=test_urls,
        ),
        ALL_ROLES,
    )
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=30) as owner:
        signed = owner.post(
            "/api/auth/register", json={"email": "ada@example.com", "password": "a long passphrase"}
        )
        csrf = {"X-CSRF-Token": signed.json()["csrf_token"]}
        team = owner.get("/api/teams").json()[0]["id"]
        site = owner.post(f"/api/teams/{team}/sites", json={"domain": "shop.example"}, headers=csrf).json()
        assert site["tracker_options"]["heatmaps"] is False
        assert site["tracker_options"]["respect_dnt"] is True

        edited = owner.patch(
            f"/api/sites/{site['id']}",
            headers=csrf,
            json={
                "name": "The Shop",
                "timezone": "Europe/Paris",
                "allowed_hostnames": ["shop.example", "*.shop.example"],
                "excluded_ips": ["203.0.113.0/24"],
                "kept_query_params": ["q"],
                "tracker_options": {"heatmaps": True, "outbound_links": True, "respect_dnt": False},
                "heatmap_pages": [" /pricing ", "/blog/*", "/pricing"],
            },
        )
        assert edited.status_code == 200, edited.text
        body = edited.json()
        assert (body["name"], body["timezone"], body["domain"], body["public_key"]) == (
            "The Shop",
            "Europe/Paris",
            "shop.example",
            site["public_key"],
        )
        assert body["excluded_ips"] == ["203.0.113.0/24"]
        assert body["kept_query_params"] == ["q"]
        assert body["heatmap_pages"] == ["/pricing", "/blog/*"]  # trimmed, once each
        assert owner.get(f"/api/sites/{site['id']}").json()["heatmap_pages"] == ["/pricing", "/blog/*"]
        assert owner.get(f"/api/sites/{site['id']}").json() == body  # stored, not just echoed

        for change, field in (
            ({"timezone": "Nowhere/Land"}, "timezone"),
            ({"name": " "}, "name"),
            ({"tracker_options": {"telepathy": True}}, "tracker_options"),
            ({"heatmap_pages": ["pricing"]}, "heatmap_pages"),
            ({"excluded_ips": ["not-an-ip"]}, "excluded_ips"),
        ):
            refused = owner.patch(f"/api/sites/{site['id']}", json=change, headers=csrf)
            assert refused.status_code == 400
            assert refused.json()["field"] == field

        snippet = owner.get(f"/api/sites/{site['id']}/snippet").json()
        assert snippet["direct"] == (
            '<script defer data-domain="shop.example" data-outbound-links data-dnt="ignore" '
            'data-params="q" src="http://fm.example.com/js/script.js"></script>'
        )
        assert snippet["first_party"] == (
            '<script defer data-domain="shop.example" data-outbound-links data-dnt="ignore" '
            'data-params="q" src="/stats/js/script.js"></script>'
        )


def test_the_instance_administrator_sees_the_whole_instance(test_urls: EngineUrls, data_dir: Path) -> None:
    app = create_app(
        AppContainer(settings=settings_for(data_dir, REGISTRATION="open"), urls=test_urls), ALL_ROLES
    )
    with LiveServer(app) as server:
        people = []
        for name in ("first", "second"):
            client = httpx.Client(base_url=server.url, timeout=30)
            answer = client.post(
                "/api/auth/register",
                json={"email": f"{name}-admin-view@example.com", "password": "a long passphrase"},
            )
            assert answer.status_code == 201
            people.append((client, answer.json()["user"]))
        admin = next((c for c, user in people if user["is_instance_admin"]), None)
        plain = next(c for c, user in people if not user["is_instance_admin"])
        assert plain.get("/api/admin/instance").status_code == 403
        if admin is None:  # an earlier test on these engines opened the instance: make one the admin
            import psycopg

            with psycopg.connect(test_urls.database_url) as conn:
                conn.execute(
                    "UPDATE users SET is_instance_admin = true WHERE email = 'first-admin-view@example.com'"
                )
            admin = people[0][0]
        csrf = {"X-CSRF-Token": admin.get("/api/auth/me").json()["csrf_token"]}
        team = admin.get("/api/teams").json()[0]["id"]
        sites_before = admin.get("/api/admin/instance").json()["sites"]
        created = admin.post(f"/api/teams/{team}/sites", json={"domain": "admin-view.example"}, headers=csrf)
        assert created.status_code == 201
        facts = admin.get("/api/admin/instance", params={"limit": 200}).json()
        assert facts["sites"] == sites_before + 1
        emails = [a["email"] for a in facts["page"]]
        assert {"first-admin-view@example.com", "second-admin-view@example.com"} <= set(emails)
        assert facts["accounts"] >= 2
        assert facts["teams"] >= 2
        assert facts["registration"] == "open"
        assert admin.get("/api/admin/instance", params={"limit": 0}).json()["field"] == "limit"
        assert httpx.get(f"{server.url}/api/admin/instance").status_code == 401
