"""Every route of the app x every kind of caller → the expected status, generated from the route table:
a route without an entry here fails the test, and cross-team access never succeeds."""

from __future__ import annotations

import asyncio
import itertools
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import httpx
import psycopg
import pytest
from litestar.routes import ASGIRoute, HTTPRoute
from psycopg_pool import AsyncConnectionPool

from fieldmark.bootstrap.container import AppContainer
from fieldmark.bootstrap.engines import EngineUrls
from fieldmark.bootstrap.http import create_app
from fieldmark.bootstrap.migrate import migrate_clickhouse
from fieldmark.bootstrap.roles import ALL_ROLES
from fieldmark.bootstrap.stores import ClickHousePool
from fieldmark.identity.adapters.postgres_teams import PsycopgTeamRepository
from fieldmark.identity.domain.roles import Role
from fieldmark.shared_kernel.access import Access
from fieldmark.shared_kernel.ids import TeamId, UserId
from tests.conftest import LiveServer, settings_for

PASSWORD = "correct horse battery staple"
PEOPLE = ("anonymous", "viewer", "editor", "admin", "owner", "outsider")
# stats:read on the team; sites:manage on it; both, on another team; both, limited to the world's site
KEYS = ("key_read", "key_manage", "key_other", "key_limited")
SHARED = "shared"  # a shared link of the team's site, without a password
CALLERS = (*PEOPLE, *KEYS, SHARED)
MEMBERS = ("viewer", "editor", "admin", "owner")
NO_KEYS = dict.fromkeys((*KEYS, SHARED), 403)  # a route for people only: no API keys, no shared links
_unique = itertools.count()


def everyone(status: int) -> dict[str, int]:
    return dict.fromkeys(CALLERS, status)


def signed_in(status: int) -> dict[str, int]:
    return {"anonymous": 401, **dict.fromkeys(PEOPLE[1:], status), **NO_KEYS}


def members(
    view: int, *, allowed: tuple[str, ...] = MEMBERS, denied: int = 403, keys: dict[str, int] | None = None
) -> dict[str, int]:
    return {
        "anonymous": 401,
        "outsider": 404,
        **{m: view if m in allowed else denied for m in MEMBERS},
        **(keys or NO_KEYS),
    }


@dataclass
class Entry:
    statuses: dict[str, int]
    body: Callable[[World], Any] | None = None
    fresh_site: bool = False  # the call destroys its target: each caller gets a new one
    fresh_invitation: bool = False  # likewise for an invitation
    fresh_member: bool = False  # the call names a member: a new viewer each time
    fresh_key: bool = False  # the call destroys an API key: a new one each time
    restore: bool = False  # the call changes the caller's own membership: put it back afterwards
    relogin: bool = False  # the call ends the caller's sessions: sign in again afterwards
    fresh_session: bool = False  # the call ends the caller's session: each call gets a new one
    public: bool = False  # the route needs no caller: checked once, anonymously
    fresh_definition: str = ""  # the call names a goal, funnel or segment: a new one each time
    instance_admin: int = 0  # the status an instance administrator gets instead (others: `statuses`)


@dataclass
class World:
    url: str
    clients: dict[str, httpx.Client] = field(default_factory=dict)
    csrf: dict[str, str] = field(default_factory=dict)
    emails: dict[str, str] = field(default_factory=dict)
    team_id: str = ""
    site_id: str = ""
    site_domain: str = ""
    other_site_id: str = ""  # a second site of the team, outside the limited key's

    database_url: str = ""
    last_member: str = ""
    user_ids: dict[str, str] = field(default_factory=dict)
    instance_admins: set[str] = field(default_factory=set)

    def new_member(self) -> str:
        client = httpx.Client(base_url=self.url, timeout=30)
        user = client.post(
            "/api/auth/register", json={"email": f"m{next(_unique)}@example.com", "password": PASSWORD}
        ).json()["user"]["id"]
        self.restore_role(user, "viewer")
        return str(user)

    def restore_role(self, user_id: str, role: str) -> None:
        with psycopg.connect(self.database_url) as conn:
            conn.execute(
                "INSERT INTO memberships (team_id, user_id, role) VALUES (%s, %s, %s)"
                " ON CONFLICT (team_id, user_id) DO UPDATE SET role = EXCLUDED.role",
                (self.team_id, user_id, role),
            )

    def new_key(
        self, caller: str = "owner", scopes: tuple[str, ...] = ("stats:read",), sites: list[str] | None = None
    ) -> tuple[str, str]:
        team = self.team_id if caller == "owner" else self.clients[caller].get("/api/teams").json()[0]["id"]
        response = self.clients[caller].post(
            f"/api/teams/{team}/api-keys",
            json={"name": "k", "scopes": list(scopes), "site_ids": sites},
            headers={"X-CSRF-Token": self.csrf[caller]},
        )
        assert response.status_code == 201, response.text
        return str(response.json()["api_key"]["id"]), str(response.json()["key"])

    def new_invitation(self) -> str:
        response = self.clients["owner"].post(
            f"/api/teams/{self.team_id}/invitations",
            json={"email": f"i{next(_unique)}@example.com", "role": "viewer"},
            headers={"X-CSRF-Token": self.csrf["owner"]},
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])

    def new_definition(self, kind: str) -> str:
        n = next(_unique)
        body = {
            "goals": {"match": {"kind": "pageview", "path": f"/g{n}/*"}},
            "funnels": {"name": f"f{n}", "steps": STEPS},
            "segments": {"name": f"s{n}", "filters": FILTERS, "visibility": "site"},
            "shared-links": {"name": f"l{n}"},
            "reports/addresses": {"email": f"r{n}@example.com", "frequency": "weekly"},
            "alerts": {"kind": "spike", "threshold": 100, "emails": [f"a{n}@example.com"]},
        }[kind]
        response = self.clients["owner"].post(
            f"/api/sites/{self.site_id}/{kind}", json=body, headers={"X-CSRF-Token": self.csrf["owner"]}
        )
        assert response.status_code == 201, response.text
        body = response.json()
        return str(body["shared_link"]["id"] if kind == "shared-links" else body["id"])

    def new_site(self) -> str:
        domain = f"s{next(_unique)}.example"
        response = self.clients["owner"].post(
            f"/api/teams/{self.team_id}/sites",
            json={"domain": domain},
            headers={"X-CSRF-Token": self.csrf["owner"]},
        )
        assert response.status_code == 201, response.text
        return str(response.json()["id"])


STEPS = [{"kind": "pageview", "path": "/"}, {"kind": "event", "event": "Signup"}]
FILTERS = [["is", "visit:source", ["Google"]]]
EDITORS = ("editor", "admin", "owner")

# Keys on the routes that accept them: the right scope passes, the wrong one is 403, another team's is 404.
# A shared link reads only the routes that serve shared dashboards.
READ_KEYS = {"key_read": 200, "key_manage": 403, "key_other": 404, "key_limited": 200, SHARED: 403}
SHARED_READ = {**READ_KEYS, SHARED: 200}


def MANAGE_KEYS(status: int) -> dict[str, int]:
    return {"key_read": 403, "key_manage": status, "key_other": 404, "key_limited": status, SHARED: 403}


MATRIX: dict[tuple[str, str], Entry] = {
    ("GET", "/api/health"): Entry(everyone(200), public=True),
    ("GET", "/api/live"): Entry(everyone(204), public=True),
    ("GET", "/api/version"): Entry(everyone(200), public=True),
    ("GET", "/api/docs"): Entry(everyone(200), public=True),
    ("GET", "/api/docs/scalar"): Entry(everyone(200), public=True),
    ("GET", "/api/docs/openapi.json"): Entry(everyone(200), public=True),
    ("GET", "/api/docs/{path:str}"): Entry(everyone(404), public=True),
    ("GET", "/js/{file:str}"): Entry(everyone(200), public=True),
    ("GET", "/"): Entry(everyone(200), public=True),
    ("GET", "/{path:path}"): Entry(everyone(200), public=True),
    ("POST", "/api/event"): Entry(
        everyone(202),
        public=True,
        body=lambda w: {"n": "pageview", "u": f"https://{w.site_domain}/", "d": w.site_domain},
    ),
    ("POST", "/api/auth/register"): Entry(
        everyone(201),
        public=True,
        body=lambda w: {"email": f"new{next(_unique)}@example.com", "password": PASSWORD},
    ),
    ("POST", "/api/auth/login"): Entry(
        everyone(200), public=True, body=lambda w: {"email": w.emails["viewer"], "password": PASSWORD}
    ),
    ("POST", "/api/auth/logout"): Entry(signed_in(204), fresh_session=True),
    ("GET", "/api/auth/me"): Entry(signed_in(200)),
    ("POST", "/api/auth/password"): Entry(
        signed_in(200), relogin=True, body=lambda w: {"current_password": PASSWORD, "new_password": PASSWORD}
    ),
    ("GET", "/api/auth/2fa"): Entry(signed_in(200)),
    ("POST", "/api/auth/2fa/setup"): Entry(signed_in(200)),
    # Past the guard, a made-up code or a wrong password is the use case's 400.
    ("POST", "/api/auth/2fa/confirm"): Entry(signed_in(400), body=lambda w: {"code": "000000"}),
    ("POST", "/api/auth/2fa/disable"): Entry(signed_in(400), body=lambda w: {"password": "not the password"}),
    ("POST", "/api/auth/login/2fa"): Entry(
        everyone(410), public=True, body=lambda w: {"challenge": "made-up", "code": "123456"}
    ),
    ("POST", "/api/auth/password-reset"): Entry(
        everyone(202), public=True, body=lambda w: {"email": "nobody@example.com"}
    ),
    ("POST", "/api/auth/password-reset/{token:str}"): Entry(
        everyone(410), public=True, body=lambda w: {"password": "a brand new passphrase"}
    ),
    ("GET", "/api/teams"): Entry(signed_in(200)),
    ("GET", "/api/admin/instance"): Entry(signed_in(403), instance_admin=200),
    ("POST", "/api/teams"): Entry(signed_in(201), body=lambda w: {"name": "Another team"}),
    ("PATCH", "/api/teams/{team_id:uuid}"): Entry(
        members(200, allowed=("owner",)), body=lambda w: {"name": "The matrix team"}
    ),
    ("GET", "/api/teams/{team_id:uuid}/sites"): Entry(members(200, keys=READ_KEYS)),
    # A key limited to some sites may not add one: a team-wide route that does not filter by site.
    ("POST", "/api/teams/{team_id:uuid}/sites"): Entry(
        members(201, allowed=("admin", "owner"), keys={**MANAGE_KEYS(201), "key_limited": 403}),
        body=lambda w: {"domain": f"new{next(_unique)}.example"},
    ),
    ("GET", "/api/sites/{site_id:uuid}"): Entry(members(200, keys=READ_KEYS)),
    ("GET", "/api/sites/{site_id:uuid}/snippet"): Entry(members(200, keys=READ_KEYS)),
    ("PATCH", "/api/sites/{site_id:uuid}"): Entry(
        members(200, allowed=("editor", "admin", "owner"), keys=MANAGE_KEYS(200)),
        body=lambda w: {"name": "Renamed"},
    ),
    # Each call deletes a new site, which is not the limited key's.
    ("DELETE", "/api/sites/{site_id:uuid}"): Entry(
        members(204, allowed=("admin", "owner"), keys={**MANAGE_KEYS(204), "key_limited": 404}),
        fresh_site=True,
    ),
    ("DELETE", "/api/sites/{site_id:uuid}/events"): Entry(
        members(204, allowed=("admin", "owner"), keys=MANAGE_KEYS(204))
    ),
    ("GET", "/api/sites/{site_id:uuid}/goals"): Entry(members(200, keys=SHARED_READ)),
    ("POST", "/api/sites/{site_id:uuid}/heatmap"): Entry(
        members(200, keys=SHARED_READ), body=lambda w: {"page": "/", "date_range": "7d"}
    ),
    ("POST", "/api/sites/{site_id:uuid}/heatmap-token"): Entry(
        members(201), body=lambda w: {"url": f"https://{w.site_domain}/pricing"}
    ),
    ("POST", "/api/sites/{site_id:uuid}/export"): Entry(
        members(200, keys=READ_KEYS), body=lambda w: {"date_range": "7d"}
    ),
    ("POST", "/api/sites/{site_id:uuid}/export/events"): Entry(
        members(200, keys=READ_KEYS), body=lambda w: {"date_range": "7d", "format": "csv"}
    ),
    ("POST", "/api/sites/{site_id:uuid}/persons/export"): Entry(
        members(200, allowed=("admin", "owner"), keys=MANAGE_KEYS(200)), body=lambda w: {"person": "user-1"}
    ),
    ("POST", "/api/sites/{site_id:uuid}/persons/erase"): Entry(
        members(200, allowed=("admin", "owner"), keys=MANAGE_KEYS(200)), body=lambda w: {"person": "user-1"}
    ),
    ("POST", "/api/sites/{site_id:uuid}/heatmap/pages"): Entry(
        members(200, keys=SHARED_READ), body=lambda w: {"date_range": "7d"}
    ),
    ("POST", "/api/v2/query"): Entry(
        members(200, keys=READ_KEYS),
        body=lambda w: {"site_id": w.site_domain, "metrics": ["visitors"], "date_range": "7d"},
    ),
    ("GET", "/api/sites/{site_id:uuid}/realtime"): Entry(members(200, keys=SHARED_READ)),
    ("POST", "/api/sites/{site_id:uuid}/retention"): Entry(
        members(200, keys=SHARED_READ), body=lambda w: {"period": "day", "date_range": "7d"}
    ),
    ("POST", "/api/sites/{site_id:uuid}/journeys"): Entry(
        members(200, keys=SHARED_READ), body=lambda w: {"page": "/", "date_range": "7d"}
    ),
    ("POST", "/api/teams/{team_id:uuid}/query"): Entry(
        members(200, keys=READ_KEYS), body=lambda w: {"metrics": ["visitors"], "date_range": "7d"}
    ),
    ("POST", "/api/sites/{site_id:uuid}/funnel"): Entry(
        members(200, keys=SHARED_READ), body=lambda w: {"steps": STEPS, "date_range": "7d"}
    ),
    ("POST", "/api/sites/{site_id:uuid}/query"): Entry(
        members(200, keys=SHARED_READ), body=lambda w: {"metrics": ["visitors"], "date_range": "7d"}
    ),
    ("POST", "/api/sites/{site_id:uuid}/goals"): Entry(
        members(201, allowed=EDITORS, keys=MANAGE_KEYS(201)),
        body=lambda w: {"match": {"kind": "event", "event": f"E{next(_unique)}"}},
    ),
    ("PUT", "/api/sites/{site_id:uuid}/goals/{goal_id:uuid}"): Entry(
        members(200, allowed=EDITORS, keys=MANAGE_KEYS(200)),
        fresh_definition="goals",
        body=lambda w: {"match": {"kind": "event", "event": f"E{next(_unique)}"}, "currency": "EUR"},
    ),
    ("DELETE", "/api/sites/{site_id:uuid}/goals/{goal_id:uuid}"): Entry(
        members(204, allowed=EDITORS, keys=MANAGE_KEYS(204)), fresh_definition="goals"
    ),
    ("GET", "/api/sites/{site_id:uuid}/funnels"): Entry(members(200, keys=SHARED_READ)),
    ("GET", "/api/sites/{site_id:uuid}/funnels/{funnel_id:uuid}"): Entry(
        members(200, keys=SHARED_READ), fresh_definition="funnels"
    ),
    ("POST", "/api/sites/{site_id:uuid}/funnels"): Entry(
        members(201, allowed=EDITORS, keys=MANAGE_KEYS(201)),
        body=lambda w: {"name": f"F{next(_unique)}", "steps": STEPS, "window_seconds": 3600},
    ),
    ("PUT", "/api/sites/{site_id:uuid}/funnels/{funnel_id:uuid}"): Entry(
        members(200, allowed=EDITORS, keys=MANAGE_KEYS(200)),
        fresh_definition="funnels",
        body=lambda w: {"name": f"F{next(_unique)}", "steps": STEPS[::-1]},
    ),
    ("DELETE", "/api/sites/{site_id:uuid}/funnels/{funnel_id:uuid}"): Entry(
        members(204, allowed=EDITORS, keys=MANAGE_KEYS(204)), fresh_definition="funnels"
    ),
    # Segments: anyone who sees the site keeps personal ones; these calls touch shared ones (editors+).
    ("GET", "/api/sites/{site_id:uuid}/segments"): Entry(members(200, keys=READ_KEYS)),
    ("POST", "/api/sites/{site_id:uuid}/segments"): Entry(
        members(201, allowed=EDITORS, keys=MANAGE_KEYS(201)),
        body=lambda w: {"name": "shared", "filters": FILTERS, "visibility": "site"},
    ),
    ("PUT", "/api/sites/{site_id:uuid}/segments/{segment_id:uuid}"): Entry(
        members(200, allowed=EDITORS, keys=MANAGE_KEYS(200)),
        fresh_definition="segments",
        body=lambda w: {"name": "renamed", "filters": FILTERS, "visibility": "site"},
    ),
    ("DELETE", "/api/sites/{site_id:uuid}/segments/{segment_id:uuid}"): Entry(
        members(204, allowed=EDITORS, keys=MANAGE_KEYS(204)), fresh_definition="segments"
    ),
    ("GET", "/api/sites/{site_id:uuid}/shared-links"): Entry(
        members(200, allowed=("admin", "owner"), keys=MANAGE_KEYS(200))
    ),
    ("POST", "/api/sites/{site_id:uuid}/shared-links"): Entry(
        members(201, allowed=("admin", "owner"), keys=MANAGE_KEYS(201)), body=lambda w: {"name": "public"}
    ),
    ("DELETE", "/api/sites/{site_id:uuid}/shared-links/{link_id:uuid}"): Entry(
        members(204, allowed=("admin", "owner"), keys=MANAGE_KEYS(204)), fresh_definition="shared-links"
    ),
    # Digests: each member for themselves; other addresses by admins. Alerts: editors and up.
    ("GET", "/api/sites/{site_id:uuid}/reports/mine"): Entry(members(200)),
    ("PUT", "/api/sites/{site_id:uuid}/reports/mine"): Entry(members(200), body=lambda w: {"monthly": True}),
    ("GET", "/api/sites/{site_id:uuid}/reports/addresses"): Entry(members(200, allowed=("admin", "owner"))),
    ("POST", "/api/sites/{site_id:uuid}/reports/addresses"): Entry(
        members(201, allowed=("admin", "owner")),
        body=lambda w: {"email": f"d{next(_unique)}@example.com", "frequency": "monthly"},
    ),
    ("DELETE", "/api/sites/{site_id:uuid}/reports/addresses/{subscription_id:uuid}"): Entry(
        members(204, allowed=("admin", "owner")), fresh_definition="reports/addresses"
    ),
    ("GET", "/api/sites/{site_id:uuid}/alerts"): Entry(members(200)),
    ("POST", "/api/sites/{site_id:uuid}/alerts"): Entry(
        members(201, allowed=EDITORS),
        body=lambda w: {"kind": "drop", "threshold": 40, "emails": ["ops@example.com"]},
    ),
    ("DELETE", "/api/sites/{site_id:uuid}/alerts/{alert_id:uuid}"): Entry(
        members(204, allowed=EDITORS), fresh_definition="alerts"
    ),
    ("GET", "/api/sites/{site_id:uuid}/imports"): Entry(members(200)),
    ("POST", "/api/sites/{site_id:uuid}/imports"): Entry(
        members(400, allowed=("admin", "owner")), body=lambda w: {"not": "an export"}
    ),
    ("DELETE", "/api/sites/{site_id:uuid}/imports/{import_id:uuid}"): Entry(
        members(404, allowed=("admin", "owner"))
    ),
    # Public: the token is the credential; a made-up one is unknown.
    ("GET", "/api/reports/unsubscribe"): Entry(everyone(200), public=True),
    ("POST", "/api/reports/unsubscribe"): Entry(everyone(400), public=True),
    ("GET", "/api/share/{token:str}"): Entry(everyone(404), public=True),
    ("POST", "/api/share/{token:str}/unlock"): Entry(
        everyone(404), public=True, body=lambda w: {"password": "a guess at it"}
    ),
    ("POST", "/api/teams/{team_id:uuid}/api-keys"): Entry(
        members(201, allowed=("admin", "owner")), body=lambda w: {"name": "ci", "scopes": ["stats:read"]}
    ),
    ("GET", "/api/teams/{team_id:uuid}/api-keys"): Entry(members(200, allowed=("admin", "owner"))),
    ("DELETE", "/api/teams/{team_id:uuid}/api-keys/{key_id:uuid}"): Entry(
        members(204, allowed=("admin", "owner")), fresh_key=True
    ),
    ("POST", "/api/teams/{team_id:uuid}/invitations"): Entry(
        members(201, allowed=("admin", "owner")),
        body=lambda w: {"email": f"i{next(_unique)}@example.com", "role": "viewer"},
    ),
    ("GET", "/api/teams/{team_id:uuid}/invitations"): Entry(members(200, allowed=("admin", "owner"))),
    ("POST", "/api/teams/{team_id:uuid}/invitations/{invitation_id:uuid}/resend"): Entry(
        members(200, allowed=("admin", "owner")), fresh_invitation=True
    ),
    ("DELETE", "/api/teams/{team_id:uuid}/invitations/{invitation_id:uuid}"): Entry(
        members(204, allowed=("admin", "owner")), fresh_invitation=True
    ),
    ("GET", "/api/teams/{team_id:uuid}/members"): Entry(members(200)),
    ("GET", "/api/teams/{team_id:uuid}/audit"): Entry(members(200, allowed=("admin", "owner"))),
    ("GET", "/api/auth/activity"): Entry(signed_in(200)),
    ("PATCH", "/api/teams/{team_id:uuid}/members/{user_id:uuid}"): Entry(
        members(204, allowed=("admin", "owner")), fresh_member=True, body=lambda w: {"role": "editor"}
    ),
    ("DELETE", "/api/teams/{team_id:uuid}/members/{user_id:uuid}"): Entry(
        members(204, allowed=("admin", "owner")), fresh_member=True
    ),
    ("POST", "/api/teams/{team_id:uuid}/leave"): Entry(
        {**members(204), "owner": 409}, restore=True
    ),  # the last owner must transfer first
    ("POST", "/api/teams/{team_id:uuid}/transfer"): Entry(
        members(204, allowed=("owner",)),
        fresh_member=True,
        restore=True,
        body=lambda w: {"user_id": w.last_member},
    ),
    # Public: anyone holding the link may look and accept; a made-up link is simply unknown.
    ("GET", "/api/invitations/{token:str}"): Entry(everyone(404), public=True),
    ("POST", "/api/invitations/{token:str}/accept"): Entry(everyone(404), public=True, body=lambda w: {}),
}


def app_routes(app: Any) -> set[tuple[str, str]]:
    routes = set()
    for route in app.routes:
        if isinstance(route, ASGIRoute):
            routes.add(("POST", route.path))
        elif isinstance(route, HTTPRoute):
            routes |= {(m, route.path) for m in route.methods if m not in ("OPTIONS", "HEAD")}
    return routes


@pytest.fixture
def world(test_urls: EngineUrls, data_dir: Path, clickhouse: ClickHousePool) -> Iterator[tuple[World, Any]]:
    migrate_clickhouse(clickhouse)
    app = create_app(
        AppContainer(
            settings=settings_for(data_dir, REGISTRATION="open", TRUSTED_PROXIES="127.0.0.1"), urls=test_urls
        ),
        ALL_ROLES,
    )
    with LiveServer(app) as server:
        w = World(server.url)
        w.clients["anonymous"] = httpx.Client(base_url=server.url, timeout=30)
        for caller in PEOPLE[1:]:
            client = httpx.Client(base_url=server.url, timeout=30)
            email = f"{caller}{next(_unique)}@example.com"
            response = client.post("/api/auth/register", json={"email": email, "password": PASSWORD})
            assert response.status_code == 201, response.text
            w.clients[caller], w.csrf[caller], w.emails[caller] = client, response.json()["csrf_token"], email
        w.team_id = w.clients["owner"].get("/api/teams").json()[0]["id"]
        w.database_url = test_urls.database_url
        for caller in PEOPLE[1:]:
            me = w.clients[caller].get("/api/auth/me").json()["user"]
            w.user_ids[caller] = me["id"]
            if me["is_instance_admin"]:
                w.instance_admins.add(caller)

        async def join() -> None:
            async with AsyncConnectionPool(test_urls.database_url, open=False) as pool:
                teams = PsycopgTeamRepository(pool)
                for caller in ("viewer", "editor", "admin"):
                    me = w.clients[caller].get("/api/auth/me").json()["user"]["id"]
                    await teams.add_member(TeamId(w.team_id), UserId(me), Role(caller))

        asyncio.run(join())
        for caller, owner, scopes in (
            ("key_read", "owner", ("stats:read",)),
            ("key_manage", "owner", ("sites:manage",)),
            ("key_other", "outsider", ("stats:read", "sites:manage")),
        ):
            secret = w.new_key(owner, scopes)[1]
            w.clients[caller] = httpx.Client(
                base_url=server.url, timeout=30, headers={"Authorization": f"Bearer {secret}"}
            )
        w.site_id = w.new_site()
        w.other_site_id = w.new_site()
        secret = w.new_key("owner", ("stats:read", "sites:manage"), [w.site_id])[1]
        w.clients["key_limited"] = httpx.Client(
            base_url=server.url, timeout=30, headers={"Authorization": f"Bearer {secret}"}
        )
        w.site_domain = w.clients["owner"].get(f"/api/sites/{w.site_id}").json()["domain"]
        link = w.clients["owner"].post(
            f"/api/sites/{w.site_id}/shared-links",
            json={"name": "public"},
            headers={"X-CSRF-Token": w.csrf["owner"]},
        )
        w.clients[SHARED] = httpx.Client(
            base_url=server.url, timeout=30, headers={"Authorization": f"Shared {link.json()['token']}"}
        )
        yield w, app
        for client in w.clients.values():
            client.close()


def test_every_route_has_an_entry_and_declares_its_access(world) -> None:
    _, app = world
    routes = app_routes(app)
    assert routes - MATRIX.keys() == set(), "routes without an authorization matrix entry"
    assert MATRIX.keys() - routes == set(), "matrix entries for routes that no longer exist"
    for route in app.routes:
        handlers = [route.route_handler] if isinstance(route, ASGIRoute) else route.route_handlers
        for handler in handlers:
            if handler.handler_name == "options_handler":
                continue
            assert isinstance(handler.opt.get("access"), Access), f"{route.path} declares no access"


def test_each_caller_gets_the_expected_status(world) -> None:
    w, _ = world
    failures = []
    for (method, template), entry in MATRIX.items():
        for caller in ("anonymous",) if entry.public else CALLERS:
            client, headers = w.clients[caller], {}
            if caller in w.csrf:
                headers["X-CSRF-Token"] = w.csrf[caller]
            if entry.fresh_session and caller in PEOPLE[1:]:
                client = httpx.Client(base_url=w.url, timeout=30)
                signed = client.post(
                    "/api/auth/login", json={"email": w.emails[caller], "password": PASSWORD}
                )
                headers["X-CSRF-Token"] = signed.json()["csrf_token"]
            if entry.public:
                client = httpx.Client(base_url=w.url, timeout=30)  # not even a stray cookie
            site_id = w.new_site() if entry.fresh_site else w.site_id
            invitation_id = w.new_invitation() if entry.fresh_invitation else ""
            member_id = w.last_member = w.new_member() if entry.fresh_member else ""
            key_id = w.new_key()[0] if entry.fresh_key else ""
            definition = w.new_definition(entry.fresh_definition) if entry.fresh_definition else ""
            path = (
                template.replace("{team_id:uuid}", w.team_id)
                .replace("{site_id:uuid}", site_id)
                .replace("{invitation_id:uuid}", invitation_id)
                .replace("{user_id:uuid}", member_id)
                .replace("{key_id:uuid}", key_id)
                .replace("{goal_id:uuid}", definition)
                .replace("{funnel_id:uuid}", definition)
                .replace("{segment_id:uuid}", definition)
                .replace("{link_id:uuid}", definition)
                .replace("{subscription_id:uuid}", definition)
                .replace("{alert_id:uuid}", definition)
                .replace("{import_id:uuid}", definition or "00000000-0000-4000-8000-000000000000")
                .replace("{token:str}", "not-a-real-token")
                .replace("{path:path}", "sites/anything")
                .replace("{path:str}", "nothing-here")
                .replace("{file:str}", "script.js")
            )
            kwargs: dict[str, Any] = {"headers": headers}
            if entry.body is not None:
                kwargs["content"] = httpx.Request("POST", "/", json=entry.body(w)).content
                kwargs["headers"] = {**headers, "Content-Type": "application/json"}
            got = client.request(method, path, **kwargs).status_code
            if entry.restore and caller in MEMBERS:
                w.restore_role(w.user_ids[caller], caller)
            if entry.relogin and caller in PEOPLE[1:]:
                signed = w.clients[caller].post(
                    "/api/auth/login", json={"email": w.emails[caller], "password": PASSWORD}
                )
                w.csrf[caller] = signed.json()["csrf_token"]
            want = entry.statuses[caller]
            if entry.instance_admin and caller in w.instance_admins:
                want = entry.instance_admin
            if got != want:
                failures.append(f"{method} {template} as {caller}: {got}, expected {want}")
    assert failures == []


def test_a_cookie_write_without_the_csrf_token_is_refused(world) -> None:
    w, _ = world
    for caller in PEOPLE[1:]:
        response = w.clients[caller].post("/api/teams", json={"name": "no token"})
        assert response.status_code == 403
        assert response.json()["field"] == "x-csrf-token"


def test_an_outsider_sees_nothing_of_another_team(world) -> None:
    w, _ = world
    outsider = w.clients["outsider"]
    missing = outsider.get("/api/sites/00000000-0000-7000-8000-000000000000")
    foreign = outsider.get(f"/api/sites/{w.site_id}")
    assert missing.status_code == foreign.status_code == 404
    assert missing.json()["detail"] == foreign.json()["detail"]  # existence is not revealed
    assert w.site_id not in outsider.get("/api/teams").text


def test_list_routes_show_a_limited_key_only_its_sites(world) -> None:
    """Every GET route under a team that a limited key may call answers only about its sites: no id of
    another site of the team appears in any answer, while the unlimited key's answers show it."""
    w, _ = world
    team_lists = [
        template
        for (method, template), entry in MATRIX.items()
        if method == "GET" and template.startswith("/api/teams/{team_id:uuid}/")
        if entry.statuses.get("key_limited") == 200
    ]
    assert "/api/teams/{team_id:uuid}/sites" in team_lists
    for template in team_lists:
        path = template.replace("{team_id:uuid}", w.team_id)
        limited, unlimited = w.clients["key_limited"].get(path), w.clients["key_read"].get(path)
        assert limited.status_code == unlimited.status_code == 200, path
        assert w.site_id in limited.text, path
        assert w.other_site_id not in limited.text, path
        assert w.other_site_id in unlimited.text, path
    query = {"metrics": ["visitors"], "date_range": "7d"}
    rollup = w.clients["key_limited"].post(f"/api/teams/{w.team_id}/query", json=query)
    assert rollup.status_code == 200, rollup.text
