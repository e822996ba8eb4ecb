"""Security headers: the dashboard, the API and the tracker are answered with no-sniff, a referrer
policy, a Content Security Policy that refuses framing (a shared dashboard may be embedded anywhere),
and HSTS only when the instance is served over HTTPS."""

from __future__ import annotations

from pathlib import Path

import httpx

from fieldmark.bootstrap.container import AppContainer
from fieldmark.bootstrap.engines import EngineUrls
from fieldmark.bootstrap.http import create_app
from fieldmark.bootstrap.roles import ALL_ROLES
from tests.conftest import LiveServer, settings_for


def test_security_headers_on_every_kind_of_answer(test_urls: EngineUrls, data_dir: Path) -> None:
    app = create_app(AppContainer(settings=settings_for(data_dir), urls=test_urls), ALL_ROLES)
    with LiveServer(app) as server:
        for path in ("/", "/sites", "/api/health", "/api/teams", "/js/script.js", "/api/no-such-route"):
            headers = httpx.get(server.url + path).headers
            assert headers["x-content-type-options"] == "nosniff", path
            assert headers["referrer-policy"] == "strict-origin-when-cross-origin", path
            csp = headers["content-security-policy"]
            assert "script-src 'self'" in csp, path
            assert "frame-ancestors 'none'" in csp, path
            assert "frame-src http: https:" in csp, path  # the heatmap view frames the site's pages
            assert headers["x-frame-options"] == "DENY", path
            assert "strict-transport-security" not in headers, path  # plain HTTP here
        shared = httpx.get(server.url + "/share/some-token?embed=1").headers
        assert "frame-ancestors *" in shared["content-security-policy"]
        assert "x-frame-options" not in shared


def test_hsts_when_served_over_https(test_urls: EngineUrls, data_dir: Path) -> None:
    settings = settings_for(data_dir, BASE_URL="https://analytics.example.com")
    app = create_app(AppContainer(settings=settings, urls=test_urls), ALL_ROLES)
    with LiveServer(app) as server:
        assert httpx.get(server.url + "/api/health").headers["strict-transport-security"] == (
            "max-age=31536000; includeSubDomains"
        )
