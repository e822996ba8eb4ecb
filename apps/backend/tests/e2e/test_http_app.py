"""The HTTP app on the real embedded engines: health, version, errors, OpenAPI, dashboard, tracker."""

import json
from collections.abc import AsyncIterator
from pathlib import Path

import pytest
from litestar.testing import AsyncTestClient

from fieldmark.bootstrap.cli import openapi_json
from fieldmark.bootstrap.container import AppContainer
from fieldmark.bootstrap.engines import EngineUrls
from fieldmark.bootstrap.http import create_app
from fieldmark.bootstrap.roles import ALL_ROLES, Role
from tests.conftest import REPO, settings_for


@pytest.fixture
async def client(test_urls: EngineUrls, data_dir: Path) -> AsyncIterator[AsyncTestClient]:
    app = create_app(AppContainer(settings=settings_for(data_dir), urls=test_urls), ALL_ROLES)
    async with AsyncTestClient(app) as client:
        yield client


async def test_health_reports_every_store_with_its_version(client: AsyncTestClient) -> None:
    response = await client.get("/api/health")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["roles"] == ["api", "collect", "scheduler", "worker"]
    for name in ("clickhouse", "postgres", "redis"):
        store = body["stores"][name]
        assert store["status"] == "ok", store
        assert store["version"]
        assert store["version"][0].isdigit()
        assert 0 <= store["round_trip_ms"] < 3000


async def test_health_is_503_and_names_the_store_that_is_down(test_urls: EngineUrls, data_dir: Path) -> None:
    down = EngineUrls(
        test_urls.clickhouse_url,
        test_urls.clickhouse_database,
        test_urls.database_url,
        f"unix://{data_dir}/no-redis-here.sock",
    )
    app = create_app(AppContainer(settings=settings_for(data_dir), urls=down), ALL_ROLES)
    async with AsyncTestClient(app) as client:
        response = await client.get("/api/health")
    assert response.status_code == 503
    stores = response.json()["stores"]
    assert stores["redis"]["status"] == "error"
    assert stores["redis"]["error"]
    assert stores["postgres"]["status"] == "ok"
    assert stores["clickhouse"]["status"] == "ok"


async def test_a_collect_process_never_opens_clickhouse(test_urls: EngineUrls, data_dir: Path) -> None:
    container = AppContainer(settings=settings_for(data_dir), urls=test_urls)
    app = create_app(container, frozenset({Role.COLLECT}))
    async with AsyncTestClient(app) as client:
        body = (await client.get("/api/health")).json()
    assert set(body["stores"]) == {"postgres", "redis"}
    assert not container.clickhouse.initialized


async def test_version(client: AsyncTestClient) -> None:
    body = (await client.get("/api/version")).json()
    assert body["version"]
    assert body["python"].startswith("3.")


async def test_errors_are_problem_json(client: AsyncTestClient) -> None:
    response = await client.get("/api/no-such-route")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["status"] == 404
    assert response.json()["title"] == "Not Found"

    response = await client.post("/api/health")
    assert response.status_code == 405
    assert response.headers["content-type"] == "application/problem+json"


async def test_openapi_is_served_and_every_operation_has_an_id(client: AsyncTestClient) -> None:
    assert (await client.get("/api/docs")).status_code == 200
    schema = (await client.get("/api/docs/openapi.json")).json()
    operations = [op for path in schema["paths"].values() for op in path.values()]
    assert {op["operationId"] for op in operations} >= {"getHealth", "getVersion"}
    assert all(op.get("operationId") for op in operations)


def test_the_frontend_types_come_from_the_current_schema() -> None:
    committed = (REPO / "apps/frontend/src/api/openapi.json").read_text()
    assert json.loads(committed) == json.loads(openapi_json()), (
        "the API changed: run `make api-types` to regenerate the frontend's schema and types"
    )


async def test_the_dashboard_is_served_with_history_fallback(client: AsyncTestClient) -> None:
    assert (REPO / "apps/frontend/dist/index.html").is_file(), "run `make setup` to build the frontend"
    index = await client.get("/")
    assert index.status_code == 200
    assert '<div id="app">' in index.text
    # A page a browser shows, not a file it downloads (found by the real-browser test).
    assert index.headers["content-type"] == "text/html; charset=utf-8"
    assert index.headers["content-disposition"].startswith("inline")
    deep = await client.get("/sites/example.com/funnels")
    assert deep.status_code == 200
    assert deep.text == index.text
    asset = next((REPO / "apps/frontend/dist/assets").glob("*.js")).name
    served = await client.get(f"/assets/{asset}")
    assert served.status_code == 200
    assert "immutable" in served.headers["cache-control"]
    assert served.headers["content-type"].startswith(("text/javascript", "application/javascript"))
    assert (await client.get("/../../pyproject.toml")).text == index.text  # no escape from dist


async def test_the_tracker_script_and_its_modules_are_served(client: AsyncTestClient) -> None:
    for name in ("script", "extras", "heat", "overlay"):
        built = REPO / f"packages/tracker/dist/{name}.js"
        assert built.is_file(), "run `make setup` to build the tracker"
        response = await client.get(f"/js/{name}.js")
        assert response.status_code == 200
        assert response.headers["content-type"].startswith("text/javascript")
        assert response.headers["access-control-allow-origin"] == "*"  # import() across origins needs it
        assert response.content == built.read_bytes()
    missing = await client.get("/js/tracker.js")
    assert missing.status_code == 404
    assert "/js/script.js" in missing.json()["detail"]


async def test_the_tracker_is_served_under_its_aliases_too(test_urls: EngineUrls, data_dir: Path) -> None:
    settings = settings_for(data_dir, TRACKER_ALIASES="app.js, p.js")
    app = create_app(AppContainer(settings=settings, urls=test_urls), frozenset({Role.COLLECT}))
    built = (REPO / "packages/tracker/dist/script.js").read_bytes()
    async with AsyncTestClient(app) as client:
        for name in ("script.js", "app.js", "p.js"):
            assert (await client.get(f"/js/{name}")).content == built
        assert (await client.get("/js/q.js")).status_code == 404
    with pytest.raises(Exception, match="TRACKER_ALIASES"):
        settings_for(data_dir, TRACKER_ALIASES="../etc/passwd")
