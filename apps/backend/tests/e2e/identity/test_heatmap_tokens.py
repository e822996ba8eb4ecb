"""The on-page overlay's token: it reads its own site's heatmaps, and nothing else, for 15 minutes."""

from __future__ import annotations

import uuid
from pathlib import Path

import httpx

from fieldmark.bootstrap.container import AppContainer
from fieldmark.bootstrap.engines import EngineUrls
from fieldmark.bootstrap.http import create_app
from fieldmark.bootstrap.migrate import migrate_clickhouse
from fieldmark.bootstrap.roles import ALL_ROLES
from fieldmark.bootstrap.stores import ClickHousePool
from fieldmark.identity.domain import heatmap_token
from tests.conftest import LiveServer, settings_for


def test_a_heatmap_token_reads_only_its_sites_heatmaps_until_it_expires(
    test_urls: EngineUrls, data_dir: Path, clickhouse: ClickHousePool
) -> None:
    migrate_clickhouse(clickhouse)
    settings = settings_for(data_dir, REGISTRATION="open")
    app = create_app(AppContainer(settings=settings, urls=test_urls), ALL_ROLES)
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=30) as owner:
        signed = owner.post(
            "/api/auth/register", json={"email": "hm@example.com", "password": "a long passphrase"}
        )
        owner.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
        team = owner.get("/api/teams").json()[0]["id"]
        site_a = owner.post(f"/api/teams/{team}/sites", json={"domain": "a-heat.example"}).json()["id"]
        site_b = owner.post(f"/api/teams/{team}/sites", json={"domain": "b-heat.example"}).json()["id"]
        # Only for a page on the site's own hostnames: the token travels in that page's address.
        for address in (
            "https://evil.example/a-heat.example",
            "https://a-heat.example.evil.example/",
            "https://b-heat.example/",  # another site of the same team
            "javascript:alert(1)//a-heat.example",
            "not an address",
        ):
            refused = owner.post(f"/api/sites/{site_a}/heatmap-token", json={"url": address})
            assert refused.status_code == 400, (address, refused.text)
            assert refused.json()["field"] == "url"
        for address in ("https://a-heat.example/pricing", "http://www.a-heat.example:8080/"):
            assert owner.post(f"/api/sites/{site_a}/heatmap-token", json={"url": address}).status_code == 201
        issued = owner.post(f"/api/sites/{site_a}/heatmap-token", json={"url": "https://a-heat.example/"})
        assert issued.status_code == 201, issued.text
        token = issued.json()["token"]
        assert token.startswith("fmh_")

        def call(path: str, credential: str, body: object = None) -> int:
            headers = {"Authorization": f"Heatmap {credential}"}
            response = httpx.post(f"{server.url}{path}", json=body or {}, headers=headers, timeout=30)
            return response.status_code

        heatmap = {"page": "/", "date_range": "7d"}
        assert call(f"/api/sites/{site_a}/heatmap", token, heatmap) == 200
        assert call(f"/api/sites/{site_a}/heatmap/pages", token, {"date_range": "7d"}) == 200
        assert call(f"/api/sites/{site_b}/heatmap", token, heatmap) == 404  # another site
        assert call(f"/api/sites/{site_a}/query", token, {"metrics": ["visitors"]}) == 403  # not heatmaps
        assert (
            httpx.get(
                f"{server.url}/api/sites/{site_a}", headers={"Authorization": f"Heatmap {token}"}
            ).status_code
            == 403
        )

        secret = settings.secret_key.encode()
        expired = heatmap_token.issue(secret, uuid.UUID(site_a), 1_000_000)
        assert call(f"/api/sites/{site_a}/heatmap", expired, heatmap) == 401
        forged = token[:-4] + ("AAAA" if not token.endswith("AAAA") else "BBBB")
        assert call(f"/api/sites/{site_a}/heatmap", forged, heatmap) == 401
        other_secret = heatmap_token.issue(b"another instance", uuid.UUID(site_a), 4_000_000_000)
        assert call(f"/api/sites/{site_a}/heatmap", other_secret, heatmap) == 401
        # The overlay calls from the site's own pages: those origins, and only those, may read.
        route = f"{server.url}/api/sites/{site_a}/heatmap"
        own = {"Origin": "https://a-heat.example", "Access-Control-Request-Headers": "authorization"}
        preflight = httpx.options(route, headers={**own, "Access-Control-Request-Method": "POST"})
        assert preflight.status_code == 204
        assert preflight.headers["access-control-allow-origin"] == "https://a-heat.example"
        assert "Authorization" in preflight.headers["access-control-allow-headers"]
        stranger = httpx.options(
            route, headers={"Origin": "https://evil.example", "Access-Control-Request-Method": "POST"}
        )
        assert "access-control-allow-origin" not in stranger.headers
        read = httpx.post(
            route,
            json=heatmap,
            headers={"Authorization": f"Heatmap {token}", "Origin": "https://www.a-heat.example"},
        )
        assert (read.status_code, read.headers["access-control-allow-origin"]) == (
            200,
            "https://www.a-heat.example",
        )
        other_site = httpx.options(
            f"{server.url}/api/sites/{site_b}/heatmap", headers={"Origin": "https://a-heat.example"}
        )
        assert "access-control-allow-origin" not in other_site.headers
        assert (
            "access-control-allow-origin"
            not in httpx.options(
                f"{server.url}/api/sites/{site_a}/query", headers={"Origin": "https://a-heat.example"}
            ).headers
        )  # no other route

        # Signed-out people cannot get one.
        assert (
            httpx.post(
                f"{server.url}/api/sites/{site_a}/heatmap-token", json={"url": "https://a-heat.example/"}
            ).status_code
            == 401
        )
