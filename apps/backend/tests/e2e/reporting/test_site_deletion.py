"""A deleted site leaves nothing behind in any store: no event in ClickHouse (not even one collected after
the deletion, while collectors still had the site cached), no row or mention in PostgreSQL, and no key
or value in Redis but its tombstone."""

from __future__ import annotations

import time
from pathlib import Path
from uuid import UUID

import httpx
import psycopg
import redis

from fieldmark.bootstrap.container import AppContainer
from fieldmark.bootstrap.engines import EngineUrls
from fieldmark.bootstrap.http import create_app
from fieldmark.bootstrap.migrate import migrate_clickhouse
from fieldmark.bootstrap.roles import ALL_ROLES
from fieldmark.bootstrap.stores import ClickHousePool
from tests.conftest import LiveServer, collect_pageview, settings_for, sign_up, wait_drained

UA = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"


def _mentions(value: object, needles: tuple[str, ...]) -> bool:
    text = repr(value)
    return any(needle in text for needle in needles)


def test_a_deleted_site_leaves_no_row_in_any_store(
    test_urls: EngineUrls, data_dir: Path, clickhouse: ClickHousePool
) -> None:
    migrate_clickhouse(clickhouse)
    app = create_app(AppContainer(settings=settings_for(data_dir), urls=test_urls), ALL_ROLES, writers=1)
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        team = sign_up(client, "del@example.com")
        gone = client.post(f"/api/teams/{team}/sites", json={"domain": "gone.example"}).json()
        keep = client.post(f"/api/teams/{team}/sites", json={"domain": "keep.example"}).json()
        needles = (gone["id"], UUID(gone["id"]).hex)

        # Everything a site gathers: settings, goals, segments, a shared link, a key restricted to it,
        # events (with sessions and rate-limit counters in Redis), a bot's visit, cached statistics.
        assert (
            client.post(
                f"/api/sites/{gone['id']}/goals", json={"match": {"kind": "event", "event": "Signup"}}
            ).status_code
            == 201
        )
        segment = client.post(
            f"/api/sites/{gone['id']}/segments",
            json={"name": "French", "filters": [["is", "visit:country", ["FR"]]], "visibility": "site"},
        )
        assert segment.status_code == 201, segment.text
        assert client.post(f"/api/sites/{gone['id']}/shared-links", json={"name": "Board"}).status_code == 201
        key = client.post(
            f"/api/teams/{team}/api-keys",
            json={"name": "both", "scopes": ["stats:read"], "site_ids": [gone["id"], keep["id"]]},
        )
        assert key.status_code == 201, key.text

        def collect(domain: str, path: str, agent: str = UA) -> None:
            assert collect_pageview(server.url, domain, path, agent) == 202

        for i in range(3):
            collect("gone.example", f"/{i}")
            collect("keep.example", f"/{i}")
        collect("gone.example", "/", agent="Googlebot/2.1 (+http://www.google.com/bot.html)")

        def events(site: dict[str, str]) -> int:
            return int(
                clickhouse.run(
                    lambda c: c.command(
                        "SELECT count() FROM events WHERE site_id = {s:UUID}", parameters={"s": site["id"]}
                    )
                )
            )

        deadline = time.monotonic() + 20
        while events(gone) < 3 or events(keep) < 3:
            assert time.monotonic() < deadline
            time.sleep(0.05)
        query = {"metrics": ["pageviews"], "date_range": "day"}
        assert client.post(f"/api/sites/{gone['id']}/query", json=query).status_code == 200  # cached

        assert client.delete(f"/api/sites/{gone['id']}").status_code == 204
        # Collectors keep a site for 30 seconds: these are accepted, and must still never be written.
        for i in range(3):
            collect("gone.example", f"/late-{i}")
        wait_drained(str(client.base_url).rstrip("/"))

        assert events(gone) == 0
        assert events(keep) == 3
        with psycopg.connect(test_urls.database_url) as conn:
            tables = [
                row[0]
                for row in conn.execute(
                    "SELECT table_name FROM information_schema.tables"
                    " WHERE table_schema = 'public' AND table_type = 'BASE TABLE'"
                )
            ]
            assert "sites" in tables
            assert "api_keys" in tables
            for table in tables:
                found = conn.execute(
                    f'SELECT count(*) FROM "{table}" t WHERE t::text LIKE %s OR t::text LIKE %s',  # noqa: S608
                    (f"%{needles[0]}%", f"%{needles[1]}%"),
                ).fetchone()
                assert found is not None
                assert found[0] == 0, f"{table} still mentions the deleted site"
            kept = conn.execute("SELECT site_ids FROM api_keys").fetchone()
            assert kept is not None
            assert [str(s) for s in kept[0]] == [keep["id"]]

        store = redis.Redis.from_url(test_urls.redis_url)
        left = []
        for name in store.scan_iter("*"):
            kind = store.type(name).decode()
            value = {
                "string": store.get,
                "hash": store.hgetall,
                "stream": store.xrange,
                "set": store.smembers,
                "zset": lambda k: store.zrange(k, 0, -1),
                "list": lambda k: store.lrange(k, 0, -1),
            }[kind](name)
            if name.decode() == f"fm:gone:{needles[1]}":
                continue  # the tombstone, which expires in a day
            if _mentions(name, needles) or _mentions(value, needles):
                left.append(name.decode())
        assert left == []
