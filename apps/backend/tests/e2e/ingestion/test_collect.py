"""From an HTTP request to a stored, enriched ClickHouse row, on the real engines, with two writers."""

from __future__ import annotations

import logging
from datetime import UTC, datetime, timedelta

import httpx
import psycopg
import pytest

from tests.e2e.ingestion.conftest import (
    CHROME,
    FIREFOX,
    IPHONE,
    Running,
    create_site,
    postgres_text,
    set_heatmaps,
)

# The DB-IP city lite database places these addresses (checked with its own reader).
LONDON, MOUNTAIN_VIEW, SYDNEY = "81.2.69.160", "8.8.8.8", "1.1.1.1"


def test_mixed_events_land_once_each_fully_enriched(start_fieldmark, site: str) -> None:
    fm: Running = start_fieldmark()
    page = "https://shop.example/products/42?utm_source=newsletter&utm_medium=email&utm_campaign=nov&secret=1"
    bodies: list[tuple[object, str, str]] = [
        (
            {
                "n": "pageview",
                "u": page,
                "d": "shop.example",
                "r": "https://www.google.com/search?q=shoes",
                "w": 1440,
            },
            LONDON,
            CHROME,
        ),
        (
            {"n": "pageview", "u": "https://shop.example/", "site": site, "r": "https://t.co/x", "w": 390},
            MOUNTAIN_VIEW,
            IPHONE,
        ),
        (
            {
                "name": "Signup",
                "url": "https://shop.example/join",
                "domain": "shop.example",
                "props": {"plan": "pro", "seats": 3},
            },
            SYDNEY,
            FIREFOX,
        ),
        (
            {
                "n": "Purchase",
                "u": "https://shop.example/checkout",
                "d": "shop.example",
                "$": {"amount": "49.90", "currency": "EUR"},
            },
            LONDON,
            CHROME,
        ),
        (
            {"n": "engagement", "u": "https://shop.example/", "d": "shop.example", "e": 12000, "sd": 80},
            MOUNTAIN_VIEW,
            IPHONE,
        ),
        (
            [
                {
                    "n": "click",
                    "k": "click",
                    "u": "https://shop.example/",
                    "d": "shop.example",
                    "x": 100 + i,
                    "y": 200,
                    "vw": 390,
                    "vh": 844,
                    "dw": 390,
                    "dh": 2400,
                    "s": "main > button.buy",
                    "t": "button",
                    "rg": i == 2,
                    "lb": "Buy 2 for 19.90 (mail ana@shop.example)",
                }
                for i in range(3)
            ],
            MOUNTAIN_VIEW,
            IPHONE,
        ),
        (
            {
                "n": "Outbound Link: Click",
                "u": "https://shop.example/",
                "d": "shop.example",
                "p": {"url": "https://partner.example/"},
            },
            LONDON,
            CHROME,
        ),
    ]
    for body, ip, ua in bodies:
        response = fm.post(body, ip=ip, ua=ua)
        assert response.status_code == 202, response.text
    fm.wait_rows(9)

    rows = fm.rows(
        "SELECT kind, name, pathname, referrer_source, channel, utm_source, utm_medium, utm_campaign,"
        " country_code, region, city, browser, os, device, screen_class FROM events"
        " WHERE name = 'pageview' ORDER BY pathname"
    )
    assert rows == [
        (
            "pageview",
            "pageview",
            "/",
            "Twitter",
            "Organic Social",
            "",
            "",
            "",
            "US",
            "California",
            "Mountain View",
            "Mobile Safari",
            "iOS",
            "Mobile",
            "Mobile",
        ),
        (
            "pageview",
            "pageview",
            "/products/42",
            "Google",
            "Email",
            "newsletter",
            "email",
            "nov",
            "GB",
            "England",
            "London",
            "Chrome",
            "Windows",
            "Desktop",
            "Desktop",
        ),
    ]
    (signup,) = fm.rows("SELECT props, city, browser, os FROM events WHERE name = 'Signup'")
    assert signup == ({"plan": "pro", "seats": "3"}, "Sydney", "Firefox", "Ubuntu")
    (purchase,) = fm.rows(
        "SELECT toString(revenue_amount), revenue_currency FROM events WHERE name = 'Purchase'"
    )
    assert purchase == ("49.9", "EUR")
    (engagement,) = fm.rows("SELECT kind, engagement_ms, scroll_depth FROM events WHERE kind = 'engagement'")
    assert engagement == ("engagement", 12000, 80)
    clicks = fm.rows(
        "SELECT click_x, click_y, viewport_width, document_height, selector, tag, rage, label FROM events "
        "WHERE kind = 'click' ORDER BY click_x"
    )
    label = "Buy for . (mail )"  # no digits, no email, whatever the sender did
    assert clicks == [
        (100, 200, 390, 2400, "main > button.buy", "button", False, label),
        (101, 200, 390, 2400, "main > button.buy", "button", False, label),
        (102, 200, 390, 2400, "main > button.buy", "button", True, label),
    ]
    assert fm.rows("SELECT count(DISTINCT event_id), count(DISTINCT visitor_id) FROM events") == [(9, 3)]
    fm.wait_for(lambda: fm.stream_len() == 0)
    assert fm.redis.xpending("fm:events", "writers")["pending"] == 0
    health = httpx.get(f"{fm.url}/api/health").json()
    assert health["ingestion"] == {"backlog": 0, "in_flight": 0, "dead_letters": 0}


def test_heatmap_setting_decides_what_the_tracker_loads_and_whether_clicks_are_kept(
    start_fieldmark, test_urls
) -> None:
    fm: Running = start_fieldmark()
    create_site(test_urls.database_url, "plain.example")
    create_site(test_urls.database_url, "maps.example", heatmaps=True)

    def click(domain: str) -> dict[str, object]:
        return {"n": "click", "k": "click", "u": f"https://{domain}/", "x": 5, "y": 5, "s": "#buy", "t": "a"}

    plain = fm.post({"n": "pageview", "u": "https://plain.example/"})
    maps = fm.post({"n": "pageview", "u": "https://maps.example/"})
    assert (plain.status_code, plain.json()) == (202, {"accepted": 1, "load": []})
    assert (maps.status_code, maps.json()) == (202, {"accepted": 1, "load": ["heat"]})
    assert fm.post([click("plain.example"), click("maps.example")]).status_code == 202
    fm.wait_rows(3)
    assert fm.rows("SELECT hostname, kind FROM events ORDER BY hostname, kind") == [
        ("maps.example", "click"),
        ("maps.example", "pageview"),
        ("plain.example", "pageview"),
    ]
    # Heatmap pages: only clicks on the listed pages are kept (seen by a fresh collector, as below).
    with psycopg.connect(test_urls.database_url) as conn:
        conn.execute("UPDATE sites SET heatmap_pages = '{/pricing, /blog/*}' WHERE domain = 'maps.example'")
    listed = start_fieldmark(writers=0)

    def click_on(path: str) -> dict[str, object]:
        return {**click("maps.example"), "u": f"https://maps.example{path}"}

    assert listed.post([click_on("/pricing"), click_on("/blog/a"), click_on("/about")]).status_code == 202
    fm.wait_rows(5)  # two more clicks, not the one on /about
    assert fm.rows("SELECT pathname FROM events WHERE kind = 'click' ORDER BY pathname") == [
        ("/",),
        ("/blog/a",),
        ("/pricing",),
    ]
    set_heatmaps(test_urls.database_url, "maps.example", False)
    fresh = start_fieldmark(writers=0)  # a collector caches sites for 30 s; a new one reads the change
    assert fresh.post({"n": "pageview", "u": "https://maps.example/x"}).json()["load"] == []
    assert fresh.post(click("maps.example")).status_code == 202
    fm.wait_rows(6)  # the pageview, not the click
    assert fm.rows("SELECT count() FROM events WHERE kind = 'click'") == [(3,)]


def test_plausible_events_api_examples(start_fieldmark, test_urls) -> None:
    """The curl examples of Plausible's Events API reference, sent unchanged."""
    create_site(test_urls.database_url, "dummy.site")
    fm: Running = start_fieldmark()
    opera = (
        "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_6) AppleWebKit/537.36 (KHTML, like Gecko) "
        "Chrome/85.0.4183.121 Safari/537.36 OPR/71.0.3770.284"
    )
    examples = [
        {"name": "pageview", "url": "http://dummy.site", "domain": "dummy.site"},
        {
            "name": "Signup",
            "url": "http://dummy.site/register",
            "domain": "dummy.site",
            "props": {"author": "John Doe", "logged_in": False},
        },
        {
            "name": "Purchase",
            "url": "http://dummy.site/checkout",
            "domain": "dummy.site",
            "revenue": {"currency": "USD", "amount": 1322.22},
        },
    ]
    for body in examples:
        response = httpx.post(
            f"{fm.url}/api/event",
            json=body,
            timeout=10,
            headers={"User-Agent": opera, "X-Forwarded-For": "127.0.0.1"},
        )
        assert response.status_code == 202, response.text
    fm.wait_rows(3)
    rows = fm.rows(
        "SELECT name, pathname, props, toString(revenue_amount), revenue_currency, browser, os, "
        "country_code FROM events ORDER BY name"
    )
    assert rows == [
        ("Purchase", "/checkout", {}, "1322.22", "USD", "Opera", "Mac OS X", ""),
        (
            "Signup",
            "/register",
            {"author": "John Doe", "logged_in": "false"},
            None,
            "",
            "Opera",
            "Mac OS X",
            "",
        ),
        ("pageview", "/", {}, None, "", "Opera", "Mac OS X", ""),
    ]


@pytest.mark.parametrize(
    ("body", "headers", "status", "field"),
    [
        (b'{"n": "pageview", "u": "https://shop.exa', {}, 400, None),
        (
            b'{"n": "pageview", "u": "https://shop.example/", "d": "shop.example", "extra": 1}',
            {},
            400,
            "extra",
        ),
        (b'{"n": ["pageview"], "u": "https://shop.example/", "d": "shop.example"}', {}, 400, "n"),
        (b'{"n": "pageview", "u": "https://elsewhere.example/", "d": "shop.example"}', {}, 400, "url"),
        (b'{"n": "pageview", "u": "https://shop.example/", "d": "unknown.example"}', {}, 404, "domain"),
        (b'{"n": "pageview", "u": "https://shop.example/", "site": "fm_nope"}', {}, 404, "site"),
        (
            b'{"n": "E", "u": "https://shop.example/", "d": "shop.example", "p": {"k": "'
            + b"v" * 2001
            + b'"}}',
            {},
            400,
            "props",
        ),
        (
            b'{"n": "pageview", "u": "https://shop.example/", "d": "shop.example", "timestamp": 1000}',
            {},
            400,
            "timestamp",
        ),
        (
            b'{"n": "pageview", "u": "https://shop.example/", "d": "shop.example", "x": "'
            + b"a" * 70_000
            + b'"}',
            {},
            413,
            None,
        ),
        (
            b'{"n": "pageview", "u": "https://shop.example/", "d": "shop.example"}',
            {"Content-Type": "application/xml"},
            415,
            None,
        ),
    ],
)
def test_bad_input_gets_a_clear_problem_and_writes_nothing(
    start_fieldmark, site, body, headers, status, field
) -> None:
    fm: Running = start_fieldmark()
    response = fm.post(body, **headers)
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == "application/problem+json"
    problem = response.json()
    assert problem["status"] == status
    assert problem["detail"]
    assert problem.get("field") == field
    assert fm.stream_len() == 0
    # ... and the pipeline is still healthy: a good event goes through.
    assert fm.post({"n": "pageview", "u": "https://shop.example/", "d": "shop.example"}).status_code == 202
    fm.wait_rows(1)


def test_a_rejected_batch_stores_none_of_its_events(start_fieldmark, site) -> None:
    fm: Running = start_fieldmark()
    batch = [
        {"n": "pageview", "u": "https://shop.example/ok", "d": "shop.example"},
        {"n": "pageview", "u": "https://evil.example/", "d": "shop.example"},
    ]
    response = fm.post(batch)
    assert response.status_code == 400
    assert response.json()["detail"].startswith("the page's host")
    assert fm.stream_len() == 0
    assert fm.count() == 0


def test_cors_answers_only_listed_origins(start_fieldmark, site) -> None:
    fm: Running = start_fieldmark()
    allowed = httpx.options(
        f"{fm.url}/api/event",
        headers={"Origin": "https://www.shop.example", "Access-Control-Request-Method": "POST"},
    )
    assert allowed.status_code == 204
    assert allowed.headers["access-control-allow-origin"] == "https://www.shop.example"
    assert "POST" in allowed.headers["access-control-allow-methods"]
    refused = httpx.options(
        f"{fm.url}/api/event",
        headers={"Origin": "https://attacker.example", "Access-Control-Request-Method": "POST"},
    )
    assert "access-control-allow-origin" not in refused.headers
    posted = fm.post(
        {"n": "pageview", "u": "https://shop.example/", "d": "shop.example"}, Origin="https://shop.example"
    )
    assert posted.headers["access-control-allow-origin"] == "https://shop.example"


def test_rate_limits_answer_429_with_retry_after(start_fieldmark, site) -> None:
    fm: Running = start_fieldmark(INGEST_RATE_LIMIT_IP="3")
    event = {"n": "pageview", "u": "https://shop.example/", "d": "shop.example"}
    statuses = [fm.post(event, ip="198.51.100.7").status_code for _ in range(3)]
    limited = fm.post(event, ip="198.51.100.7")
    assert statuses == [202, 202, 202]
    assert limited.status_code == 429
    assert 1 <= int(limited.headers["retry-after"]) <= 60
    assert fm.post(event, ip="198.51.100.8").status_code == 202  # another address is not limited
    fm.wait_rows(4)


def test_a_full_backlog_answers_503_instead_of_filling_redis(start_fieldmark, site) -> None:
    fm: Running = start_fieldmark(writers=0, INGEST_MAX_BACKLOG="1000")
    event = {"n": "pageview", "u": "https://shop.example/", "d": "shop.example"}
    for i in range(20):
        assert fm.post([event] * 50, ip=f"198.51.100.{i}").status_code == 202
    assert fm.stream_len() == 1000
    refused = fm.post(event)
    assert refused.status_code == 503
    assert int(refused.headers["retry-after"]) > 0
    assert fm.stream_len() == 1000


def test_bots_and_excluded_addresses_are_accepted_but_not_stored(start_fieldmark, site) -> None:
    fm: Running = start_fieldmark()
    event = {"n": "pageview", "u": "https://shop.example/", "d": "shop.example"}
    assert (
        fm.post(
            event, ua="Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)"
        ).status_code
        == 202
    )
    assert fm.post(event, ua="").status_code == 202
    assert fm.post(event, ip="192.0.2.44").status_code == 202  # the site's excluded range
    assert fm.post(event).status_code == 202
    fm.wait_rows(1)
    day = datetime.now(UTC).date().isoformat()
    assert sum(int(v) for v in fm.redis.hgetall(f"fm:bots:{day}").values()) == 2


def test_one_visit_across_batches_and_writers_is_one_session(start_fieldmark, site) -> None:
    """Entry, exit, duration, pageviews and bounce come out of the stored rows, whatever the batches."""
    fm: Running = start_fieldmark(writers=2)
    t0 = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=1)

    def at(seconds: int) -> str:
        return (t0 + timedelta(seconds=seconds)).isoformat()

    visit = [
        {
            "n": "pageview",
            "u": "https://shop.example/landing",
            "d": "shop.example",
            "timestamp": at(0),
            "r": "https://news.ycombinator.com/",
        },
        {
            "n": "engagement",
            "u": "https://shop.example/landing",
            "d": "shop.example",
            "timestamp": at(40),
            "e": 38000,
        },
        {"n": "pageview", "u": "https://shop.example/pricing", "d": "shop.example", "timestamp": at(60)},
        {"n": "pageview", "u": "https://shop.example/signup", "d": "shop.example", "timestamp": at(300)},
    ]
    for i, event in enumerate(visit):  # each in a batch of its own: it lands before the next is sent
        assert fm.post(event, ip="203.0.113.5").status_code == 202
        fm.wait_rows(i + 1)
    assert (
        fm.post(
            {"n": "pageview", "u": "https://shop.example/landing", "d": "shop.example", "timestamp": at(10)},
            ip="203.0.113.99",
        ).status_code
        == 202
    )
    fm.wait_rows(5)

    sessions = fm.rows(
        "SELECT argMinIf(pathname, timestamp, kind = 'pageview') AS entry,"
        " argMaxIf(pathname, timestamp, kind = 'pageview') AS exit,"
        " dateDiff('second', min(timestamp), max(timestamp)) AS duration,"
        " countIf(kind = 'pageview') AS pageviews, pageviews = 1 AS bounce,"
        " argMin(referrer_source, timestamp) AS source"
        " FROM events GROUP BY session_id ORDER BY pageviews DESC"
    )
    assert sessions == [
        ("/landing", "/signup", 300, 3, False, "Hacker News"),
        ("/landing", "/landing", 0, 1, True, ""),
    ]


def test_nothing_identifying_is_stored_or_logged(start_fieldmark, site, caplog, test_urls) -> None:
    caplog.set_level(logging.DEBUG)
    fm: Running = start_fieldmark()
    ips = ["203.0.113.77", "2001:db8:85a3::8a2e:370:7334"]
    agent = (
        "Mozilla/5.0 (X11; Linux x86_64) PrivacyProbe/9.9.9 (KHTML, like Gecko) Chrome/120.0 Safari/537.36"
    )
    for ip in ips:
        fm.post({"n": "pageview", "u": "https://shop.example/", "d": "shop.example"}, ip=ip, ua=agent)
        fm.post(
            {"n": "pageview", "u": "https://evil.example/", "d": "shop.example"}, ip=ip, ua=agent
        )  # refused
    fm.wait_rows(2)
    secrets = [*ips, agent, "PrivacyProbe"]

    redis_dump = []
    for key in fm.redis.scan_iter("*"):
        kind = fm.redis.type(key).decode()
        value = {
            "string": fm.redis.get,
            "hash": fm.redis.hgetall,
            "stream": fm.redis.xrange,
            "set": fm.redis.smembers,
            "list": lambda k: fm.redis.lrange(k, 0, -1),
            "zset": lambda k: fm.redis.zrange(k, 0, -1, withscores=True),  # the job queue's heartbeats
        }[kind](key)
        redis_dump.append(repr(key) + repr(value))
    clickhouse_dump = "\n".join(
        str(row)
        for (table,) in fm.rows("SHOW TABLES")
        for row in fm.rows(f"SELECT * FROM `{table}`")  # noqa: S608
    )
    postgres_dump = postgres_text(test_urls.database_url)
    logs = caplog.text
    for secret in secrets:
        for name, dump in (
            ("Redis", "\n".join(redis_dump)),
            ("ClickHouse", clickhouse_dump),
            ("PostgreSQL", postgres_dump),
            ("logs", logs),
        ):
            assert secret not in dump, f"{secret!r} found in {name}"
            assert secret.encode().hex() not in dump
    assert fm.rows("SELECT count(DISTINCT visitor_id) FROM events") == [(2,)]


def test_an_event_naming_many_domains_is_stored_once_per_site_and_counted_truly(
    start_fieldmark, site, test_urls
) -> None:
    create_site(test_urls.database_url, "blog.example", allowed_hostnames=["shop.example"])
    fm: Running = start_fieldmark()
    page = {"n": "pageview", "u": "https://shop.example/"}
    repeated = fm.post({**page, "d": ",".join(["shop.example", "SHOP.example "] * 250)})
    assert repeated.status_code == 202, repeated.text
    assert repeated.json()["accepted"] == 1
    both = fm.post({**page, "d": "shop.example,blog.example,shop.example"})
    assert both.status_code == 202, both.text
    assert both.json()["accepted"] == 2  # one row for each site
    too_many = fm.post({**page, "d": ",".join(f"s{i}.example" for i in range(11))})
    assert too_many.status_code == 400
    assert too_many.json()["field"] == "domain"
    fm.wait_rows(3)
    by_site = fm.rows("SELECT count() FROM events GROUP BY site_id ORDER BY count()")
    assert by_site == [(1,), (2,)]


@pytest.mark.parametrize(
    ("h", "status"), [(0, 202), (1, 202), (True, 202), (False, 202), (7, 400), (-1, 400)]
)
def test_hash_mode_is_zero_or_one(start_fieldmark, site, h: object, status: int) -> None:
    fm: Running = start_fieldmark()
    answer = fm.post({"n": "pageview", "u": "https://shop.example/#/a", "d": "shop.example", "h": h})
    assert answer.status_code == status, answer.text
    if status == 400:
        assert answer.json()["field"] == "h"
