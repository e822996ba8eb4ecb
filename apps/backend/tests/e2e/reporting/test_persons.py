"""A person's data (GDPR articles 15 and 17) through HTTP: collected with `identify` through the real
pipeline, exported as CSV (their events and the rest of their visits, nobody else's), erased, and
audited without the id the site gave them."""

from __future__ import annotations

import csv
import io
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
from tests.conftest import LiveServer, settings_for, sign_up

FIREFOX = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
SAFARI = (
    "Mozilla/5.0 (Macintosh; Intel Mac OS X 14_5) AppleWebKit/605.1.15 (KHTML, like Gecko)"
    " Version/17.5 Safari/605.1.15"
)
# (visitor's address, user agent, event name, path, person id given with identify)
VISITS = [
    ("203.0.113.10", FIREFOX, "pageview", "/", None),  # before signing in: the same visit
    ("203.0.113.10", FIREFOX, "pageview", "/pricing", None),
    ("203.0.113.10", FIREFOX, "pageview", "/account", "user-42"),
    ("203.0.113.10", FIREFOX, "Signup", "/account", "user-42"),
    ("198.51.100.7", SAFARI, "pageview", "/b", "user-7"),  # someone else
    ("192.0.2.99", FIREFOX, "pageview", "/c", None),  # an anonymous visitor
]


def test_a_persons_events_are_exported_and_erased(
    test_urls: EngineUrls, data_dir: Path, clickhouse: ClickHousePool
) -> None:
    migrate_clickhouse(clickhouse)
    settings = settings_for(data_dir, TRUSTED_PROXIES="127.0.0.1")
    app = create_app(AppContainer(settings=settings, urls=test_urls), ALL_ROLES, writers=1)
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=30) as client:
        team = sign_up(client, "dpo@example.com")
        site = client.post(f"/api/teams/{team}/sites", json={"domain": "people.example"}).json()

        for ip, agent, name, path, person in VISITS:
            body = {"n": name, "u": f"https://people.example{path}", "d": "people.example", "pid": person}
            sent = httpx.post(
                f"{server.url}/api/event",
                content=json.dumps(body),
                headers={"Content-Type": "text/plain", "User-Agent": agent, "X-Forwarded-For": ip},
            )
            assert sent.status_code == 202, sent.text
            time.sleep(0.05)  # in order

        def stored() -> list[str]:
            return [
                row[0]
                for row in clickhouse.run(
                    lambda c: c.query("SELECT pathname FROM events ORDER BY timestamp").result_rows
                )
            ]

        deadline = time.monotonic() + 20
        while len(stored()) < len(VISITS):
            assert time.monotonic() < deadline
            time.sleep(0.05)

        exported = client.post(f"/api/sites/{site['id']}/persons/export", json={"person": "user-42"})
        assert exported.status_code == 200
        assert exported.headers["content-type"].startswith("text/csv")
        assert "attachment" in exported.headers["content-disposition"]
        rows = list(csv.DictReader(io.StringIO(exported.text)))
        assert [(r["name"], r["pathname"]) for r in rows] == [
            ("pageview", "/"),
            ("pageview", "/pricing"),
            ("pageview", "/account"),
            ("Signup", "/account"),
        ]
        assert {r["person_id"] != "0" for r in rows} == {False, True}  # before and after signing in
        assert "retention_days" not in rows[0]
        assert "user-42" not in exported.text  # only its keyed hash was ever stored

        for bad in ({"person": ""}, {"person": "x" * 300}, {}):
            refused = client.post(f"/api/sites/{site['id']}/persons/erase", json=bad)
            assert refused.status_code == 400, refused.text
        nobody = client.post(f"/api/sites/{site['id']}/persons/erase", json={"person": "user-1000"})
        assert nobody.json() == {"deleted": 0}

        erased = client.post(f"/api/sites/{site['id']}/persons/erase", json={"person": "user-42"})
        assert erased.status_code == 200
        assert erased.json() == {"deleted": 4}
        assert stored() == ["/b", "/c"]
        again = client.post(f"/api/sites/{site['id']}/persons/export", json={"person": "user-42"})
        assert again.status_code == 200
        assert len(again.text.strip().splitlines()) == 1  # the header only

        audit = client.get(f"/api/teams/{team}/audit").json()["entries"]
        actions = [e for e in audit if e["action"].startswith("person.")]
        assert [e["action"] for e in actions] == [  # newest first
            "person.exported",
            "person.erased",
            "person.erased",
            "person.exported",
        ]
        assert "user-42" not in json.dumps(audit)
        assert actions[0]["target"].startswith("person ")
