"""Schemathesis over the app's own OpenAPI schema, on every operation, against a live server on the
embedded engines: no answer is a 500 and every answer matches the schema (status, content type, body).

The caller is a signed-in owner with a site, so that path parameters naming one of the fixture's objects
(site, team, goal, funnel, segment, shared link, alert, API key, invitation) reach real rows and not only
404s. Operations that would end the caller's session or destroy the fixture keep the generated ids.
Checked: no server error, and status, content type, headers and body as documented. Not checked:
that every schema-valid request is accepted (`positive_data_acceptance`): the schema gives each body's
shape, while rules such as "an e-mail address" or "a known metric" are the use cases' and answer 400
with the field named, as each operation's description says. Nor that every schema-violating request is
refused (`negative_data_rejection`): Litestar converts bodies with msgspec's lax rules, so `0` is read as
false and `"5"` as 5; a value that does not convert is refused with 400.
The number of examples per operation is FIELDMARK_FUZZ_EXAMPLES (15 by default; the long run in
docs/benchmarks.md used more)."""

from __future__ import annotations

import json
import os
import shutil
import time
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest
import redis
import requests
import schemathesis
from hypothesis import HealthCheck, Phase, settings
from schemathesis.checks import negative_data_rejection, positive_data_acceptance

from fieldmark.analytics.domain.query import DIMENSIONS as QUERY_DIMENSIONS
from fieldmark.bootstrap.cli import openapi_json
from fieldmark.bootstrap.container import AppContainer
from fieldmark.bootstrap.engines import EngineUrls
from fieldmark.bootstrap.http import create_app
from fieldmark.bootstrap.migrate import migrate_clickhouse
from fieldmark.bootstrap.roles import ALL_ROLES
from fieldmark.bootstrap.stores import ClickHousePool
from tests.conftest import (
    LiveServer,
    drop_postgres,
    fresh_postgres,
    settings_for,
    short_tmpdir,
    with_database,
)

SCHEMA = schemathesis.openapi.from_dict(json.loads(openapi_json()))
EXAMPLES = int(os.environ.get("FIELDMARK_FUZZ_EXAMPLES", "15"))
PASSWORD = "a long passphrase"

# These keep their generated path ids (or run without the session): with the fixture's ids they would
# delete the site, the team's ownership or the caller's own session, and every later case would see 404.
KEEP_GENERATED = {
    ("DELETE", "/api/sites/{site_id}"),
    ("DELETE", "/api/sites/{site_id}/events"),
    ("POST", "/api/teams/{team_id}/transfer"),
    ("POST", "/api/teams/{team_id}/leave"),
    ("DELETE", "/api/teams/{team_id}/members/{user_id}"),
    ("PATCH", "/api/teams/{team_id}/members/{user_id}"),
}
WITHOUT_SESSION = {
    ("POST", "/api/auth/logout"),
    ("POST", "/api/auth/password"),
    ("POST", "/api/auth/2fa/confirm"),
    ("POST", "/api/auth/2fa/disable"),
}


@dataclass
class World:
    url: str
    session: requests.Session
    ids: dict[str, str]

    def caller_for(self, case: schemathesis.Case) -> requests.Session:  # type: ignore[type-arg]
        """Point `case`'s path ids at the world's objects (unless that would destroy them) and return the
        session to send it with: the owner's, or none where the owner's would end."""
        key = (case.method.upper(), case.path)
        if key not in KEEP_GENERATED:
            for name in case.path_parameters or {}:
                if name in self.ids:
                    case.path_parameters[name] = self.ids[name]
        return requests.Session() if key in WITHOUT_SESSION else self.session


@pytest.fixture(scope="module")
def world(engines: EngineUrls) -> Iterator[World]:
    name = f"fuzz_{uuid.uuid4().hex[:12]}"
    database_url = fresh_postgres(engines.database_url, name)
    redis.Redis.from_url(engines.redis_url).flushall()
    urls = EngineUrls(engines.clickhouse_url, name, database_url, engines.redis_url)
    data_dir = short_tmpdir("fm-fuzz-")
    pool = ClickHousePool(engines.clickhouse_url, name, size=1)
    migrate_clickhouse(pool)
    try:
        app = create_app(AppContainer(settings=settings_for(data_dir), urls=urls), ALL_ROLES, writers=1)
        with LiveServer(app) as server:
            world = _build_world(server.url)
            world.ids["database"] = name
            yield world
    finally:
        pool.run(lambda c: c.command(f"DROP DATABASE IF EXISTS `{name}`"))
        pool.close()
        drop_postgres(engines.database_url, name)
        shutil.rmtree(data_dir, ignore_errors=True)


def _build_world(url: str) -> World:
    s = requests.Session()
    signed = s.post(f"{url}/api/auth/register", json={"email": "fuzz@example.com", "password": PASSWORD})
    assert signed.status_code == 201, signed.text
    s.headers["X-CSRF-Token"] = signed.json()["csrf_token"]
    team = s.get(f"{url}/api/teams").json()[0]["id"]
    site = s.post(f"{url}/api/teams/{team}/sites", json={"domain": "fuzz.example"}).json()["id"]

    def made(path: str, body: dict[str, Any], pick: str = "id") -> str:
        response = s.post(url + path, json=body)
        assert response.status_code == 201, (path, response.text)
        value: object = response.json()
        for key in pick.split("."):
            value = value[key]  # type: ignore[index]
        return str(value)

    steps = [{"kind": "pageview", "path": "/"}, {"kind": "pageview", "path": "/pricing"}]
    ids = {
        "site_id": site,
        "team_id": team,
        "goal_id": made(f"/api/sites/{site}/goals", {"match": {"kind": "pageview", "path": "/x"}}),
        "funnel_id": made(f"/api/sites/{site}/funnels", {"name": "f", "steps": steps}),
        "segment_id": made(
            f"/api/sites/{site}/segments",
            {"name": "s", "filters": [["is", "visit:country", ["DE"]]], "visibility": "site"},
        ),
        "link_id": made(f"/api/sites/{site}/shared-links", {"name": "l"}, "shared_link.id"),
        "alert_id": made(
            f"/api/sites/{site}/alerts", {"kind": "spike", "threshold": 100, "emails": ["a@example.com"]}
        ),
        "subscription_id": made(
            f"/api/sites/{site}/reports/addresses", {"email": "r@example.com", "frequency": "weekly"}
        ),
        "key_id": made(f"/api/teams/{team}/api-keys", {"name": "k", "scopes": ["stats:read"]}, "api_key.id"),
        "invitation_id": made(f"/api/teams/{team}/invitations", {"email": "i@example.com", "role": "viewer"}),
    }
    for name, path in (("pageview", "/"), ("pageview", "/pricing"), ("Signup", "/pricing")):
        event = {"n": name, "u": f"https://fuzz.example{path}", "d": "fuzz.example", "p": {"plan": "pro"}}
        sent = requests.post(
            f"{url}/api/event",
            data=json.dumps(event),
            headers={"Content-Type": "text/plain", "User-Agent": "Mozilla/5.0 Firefox/121.0"},
            timeout=30,
        )
        assert sent.status_code == 202, sent.text
    body = {"metrics": ["pageviews", "events"], "date_range": "30d"}  # events: the custom ones
    deadline = time.monotonic() + 30
    while s.post(f"{url}/api/sites/{site}/query", json=body).json()["results"][0]["metrics"] != [2, 1]:
        assert time.monotonic() < deadline, s.post(f"{url}/api/sites/{site}/query", json=body).text
        time.sleep(0.2)
    return World(url, s, ids)


@SCHEMA.parametrize()
@settings(
    max_examples=EXAMPLES,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],  # a failure is reported as found; shrinking costs minutes
    suppress_health_check=list(HealthCheck),
)
def test_every_operation_answers_within_its_schema(case: schemathesis.Case, world: World) -> None:  # type: ignore[type-arg]
    case.call_and_validate(
        base_url=world.url,
        session=world.caller_for(case),
        timeout=60,
        excluded_checks=[positive_data_acceptance, negative_data_rejection],
    )


def test_text_with_nul_is_refused_not_a_server_error(world: World) -> None:
    """PostgreSQL cannot store NUL: names say which field; anything else is still a 400, never a 500."""
    s, url, site = world.session, world.url, world.ids["site_id"]
    named = s.post(f"{url}/api/teams", json={"name": "a\u0000b"})
    assert named.status_code == 400, named.text
    assert named.json()["field"] == "name"
    assert named.headers["content-type"].startswith("application/problem+json")
    for path, body in (
        (f"/api/sites/{site}/segments", {"name": "s", "filters": [["is", "visit:source", ["x\u0000"]]]}),
        (f"/api/sites/{site}/goals", {"match": {"kind": "event", "event": "signup\u0000"}}),
        ("/api/auth/login", {"email": "a\u0000@example.com", "password": "whatever it is"}),
    ):
        answer = s.post(url + path, json=body)
        assert answer.status_code in (400, 401), (path, answer.text)


def test_bodies_that_are_not_json_or_not_utf8_are_a_400(world: World) -> None:
    s, url, site = world.session, world.url, world.ids["site_id"]
    for body in (b'{"email": "\xb0@example.com", "password": "x"}', b"{", b"\xff\xfe", b"[]"):
        for path in ("/api/auth/login", f"/api/sites/{site}/query", "/api/event"):
            answer = s.post(url + path, data=body, headers={"Content-Type": "application/json"})
            assert answer.status_code == 400, (path, body, answer.text)
            assert answer.headers["content-type"].startswith("application/problem+json")


NESTED = (b"[" * 5_000 + b"]" * 5_000, b'{"a":' * 5_000 + b"1" + b"}" * 5_000)  # within 64 KB


def test_deeply_nested_json_is_a_400_on_every_route(world: World, caplog: pytest.LogCaptureFixture) -> None:
    """Every operation that takes a JSON body, and the collect endpoint: a body nested far deeper than
    Python's stack is a clear 400 (or the guard's answer before the body is read), never a 500, and no
    traceback is logged."""
    schema = json.loads(openapi_json())
    checked = 0
    for template, operations in schema["paths"].items():
        for method, operation in operations.items():
            if "application/json" not in (operation.get("requestBody") or {}).get("content", {}):
                continue
            path = template
            for name in operation.get("parameters", []):
                if name["in"] == "path":
                    value = world.ids.get(name["name"], "00000000-0000-4000-8000-000000000000")
                    path = path.replace("{" + name["name"] + "}", value)
            for body in NESTED:
                answer = world.session.request(
                    method.upper(), world.url + path, data=body, headers={"Content-Type": "application/json"}
                )
                assert answer.status_code < 500, (method, template, answer.text)
                if answer.status_code == 400:
                    checked += 1
                    assert answer.headers["content-type"].startswith("application/problem+json")
    assert checked > 40  # most operations read their body past the guard
    for path in ("/api/auth/login", f"/api/sites/{world.ids['site_id']}/query", "/api/teams"):
        for body in NESTED:
            answer = world.session.post(
                world.url + path, data=body, headers={"Content-Type": "application/json"}
            )
            assert answer.status_code == 400, (path, answer.text)
            assert "nested too deeply" in answer.json()["detail"]
    for nested in NESTED:  # an event whose properties hold the nesting, where the decoder takes any value
        body = (
            b'{"n": "Signup", "u": "https://fuzz.example/", "d": "fuzz.example", "p": {"x": ' + nested + b"}}"
        )
        event = requests.post(
            f"{world.url}/api/event", data=body, headers={"Content-Type": "text/plain"}, timeout=30
        )
        assert event.status_code == 400, event.text
        assert "nested too deeply" in event.json()["detail"]
    assert not [r for r in caplog.records if r.levelname == "ERROR" or r.exc_info], caplog.text


SQL_PAYLOADS = (
    "' OR '1'='1",
    "'; DROP TABLE canary; --",
    "\\'; DROP TABLE canary; --",
    "1) OR 1=1 --",
    "{p0:String}",
    "%(x)s",
    "x' UNION SELECT name FROM system.tables --",
)


def _with_payload(value: Any, payload: str) -> Any:
    """`value` with every string in it (keys of objects aside) replaced by `payload`."""
    if isinstance(value, str):
        return payload
    if isinstance(value, list):
        return [_with_payload(v, payload) for v in value]
    if isinstance(value, dict):
        return {k: _with_payload(v, payload) for k, v in value.items()}
    return value


@pytest.fixture(scope="module")
def canaries(world: World, engines: EngineUrls) -> Iterator[None]:
    """A table in each store that an injected `DROP TABLE canary` would take away."""
    database = world.ids["database"]
    pool = ClickHousePool(engines.clickhouse_url, database, size=1)
    pool.run(lambda c: c.command("CREATE TABLE IF NOT EXISTS canary (x UInt8) ENGINE = Memory"))
    with psycopg.connect(with_database(engines.database_url, database), autocommit=True) as conn:
        conn.execute("CREATE TABLE IF NOT EXISTS canary (x int)")
    yield
    assert pool.run(lambda c: c.command("EXISTS TABLE canary")) == 1
    pool.close()
    with psycopg.connect(with_database(engines.database_url, database)) as conn:
        assert conn.execute("SELECT to_regclass('canary')").fetchone() == ("canary",)


@SCHEMA.parametrize()
@settings(
    max_examples=2,
    deadline=None,
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
def test_sql_injection_in_every_parameter_is_only_a_value(
    case: schemathesis.Case,  # type: ignore[type-arg]
    world: World,
    canaries: None,
) -> None:
    """Each SQL payload in every string of the query and the body, on every operation: never a server
    error (a query broken by a payload would be one: ClickHouse's errors answer 503), and the canary
    tables stand at the end."""
    session = world.caller_for(case)
    for payload in SQL_PAYLOADS:
        case.query = _with_payload(case.query, payload) if case.query else case.query
        if isinstance(case.body, (dict, list)):
            case.body = _with_payload(case.body, payload)
        answer = case.call(base_url=world.url, session=session, timeout=60)
        assert answer.status_code < 500, (payload, answer.status_code, answer.text[:300])


DIMENSION_FILTERS = [*sorted(set(QUERY_DIMENSIONS) - {"event:goal"}), "event:props:plan", "event:goal"]


def test_sql_payloads_in_every_filterable_property_of_the_stats_api(world: World) -> None:
    """The Stats API's filters on every dimension with every operator: each payload is a value that
    matches nothing, never SQL. As a property key or a dimension it is refused by name."""
    s, url, site = world.session, world.url, world.ids["site_id"]

    def ask(body: dict[str, Any]) -> requests.Response:
        return s.post(
            f"{url}/api/sites/{site}/query", json={"metrics": ["visitors"], "date_range": "30d", **body}
        )

    everything = ask({"dimensions": ["event:page"]}).json()["results"]
    assert len(everything) == 2  # "/" and "/pricing"
    for dimension in DIMENSION_FILTERS:
        for op in ("is", "is_not", "contains", "contains_not", "matches"):
            for payload in SQL_PAYLOADS:
                answer = ask({"filters": [[op, dimension, [payload]]], "dimensions": ["event:page"]})
                where = (dimension, op, payload, answer.text[:300])
                if op == "matches" and answer.status_code == 400:  # not a regular expression
                    assert answer.json()["field"] == "filters", where
                    continue
                assert answer.status_code == 200, where
                if op.endswith("not"):  # nothing is excluded: every page is there
                    assert answer.json()["results"] == everything, where
                else:
                    assert answer.json()["results"] == [], where
    for payload in SQL_PAYLOADS:
        for body in (
            {"dimensions": [f"event:props:{payload}"]},
            {"filters": [["is", f"event:props:{payload}", ["x"]]]},
            {"dimensions": [payload]},
            {"order_by": [[payload, "desc"]]},
            {"metrics": [payload]},
            {"date_range": payload},
        ):
            answer = ask(body)
            assert answer.status_code == 400, (body, answer.text[:300])
            assert answer.json()["field"], (body, answer.text[:300])
