"""Retention on hand-built people: cohorts by first-seen day, returns per later day, and the honest
visitor basis, whose ids change daily."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from fieldmark.bootstrap.stores import ClickHousePool

# (person, visitor id that day, day): P1 on 1, 2, 3 November; P2 on 1 and 3; P3 on 2; P4 first on 30 October.
VISITS = [
    (501, 1, "2026-11-01"),
    (501, 11, "2026-11-02"),
    (501, 21, "2026-11-03"),
    (502, 2, "2026-11-01"),
    (502, 22, "2026-11-03"),
    (503, 13, "2026-11-02"),
    (504, 4, "2026-10-30"),
    (504, 14, "2026-11-02"),
]


def test_cohorts_follow_people_across_days(api, clickhouse: ClickHousePool) -> None:
    client, _ = api
    team = client.get("/api/teams").json()[0]["id"]
    site = client.post(f"/api/teams/{team}/sites", json={"domain": "people.example"}).json()["id"]
    rows = [
        [
            uuid.uuid4(),
            uuid.UUID(site),
            datetime.fromisoformat(f"{day} 12:00:00"),
            "pageview",
            "pageview",
            visitor,
            visitor,
            person,
            "/",
        ]
        for person, visitor, day in VISITS
    ]
    columns = [
        "event_id",
        "site_id",
        "timestamp",
        "kind",
        "name",
        "visitor_id",
        "session_id",
        "person_id",
        "pathname",
    ]
    clickhouse.run(lambda c: c.insert("events", rows, column_names=columns))

    def retention(**body: Any) -> Any:
        response = client.post(
            f"/api/sites/{site}/retention", json={"date_range": ["2026-11-01", "2026-11-03"], **body}
        )
        assert response.status_code == 200, response.text
        return response.json()

    people = retention(period="day")
    assert people["basis"] == "person"
    assert [(c["cohort"], c["size"], c["returning"], c["rates"]) for c in people["cohorts"]] == [
        ("2026-11-01", 2, [2, 1, 2], [100, 50, 100]),
        ("2026-11-02", 1, [1], [100]),  # P4 came back on 2 November but was first seen before the range
    ]
    visitors = retention(period="day", basis="visitor")
    assert visitors["basis"] == "visitor"
    assert "daily salt" in visitors["note"]
    assert [(c["cohort"], c["returning"]) for c in visitors["cohorts"]] == [
        ("2026-11-01", [2]),
        ("2026-11-02", [3]),
        ("2026-11-03", [2]),
    ]
    weekly = retention(period="week", date_range=["2026-10-26", "2026-11-08"])
    # 1 November 2026 is a Sunday: P1, P2 and P4 start in the week of 26 October, and all come back.
    assert [(c["cohort"], c["returning"]) for c in weekly["cohorts"]] == [
        ("2026-10-26", [3, 3]),
        ("2026-11-02", [1]),
    ]

    for body, field in (
        ({"period": "month"}, "period"),
        ({"basis": "cookie"}, "basis"),
        ({"filters": [["is", "visit:source", ["Google"]]]}, "filters"),
    ):
        response = client.post(f"/api/sites/{site}/retention", json=body)
        assert (response.status_code, response.json()["field"]) == (400, field)
