# ruff: noqa: S608  (the SQL text holds only numbers computed here and fixed lists; values are parameters)
"""Realistic demo and benchmark traffic, generated inside ClickHouse (`INSERT … SELECT … FROM numbers`),
so 50 million events take a minute rather than an hour of Python.

What makes it realistic: visits of 1 to 6 pageviews (entry page and source fixed per visit, later pages
following on), a skewed choice of pages and sources (a few take most of the traffic), visitors with one
or more visits a day, countries, browsers and devices
in plausible shares, scroll and engagement events per pageview, clicks (some rage, some dead) on pages
for heatmaps, signups with a plan property, purchases with revenue in EUR, and signed-in people (a
person id) on a share of visits so retention has something to follow. Deterministic: the same
arguments give the same rows (`cityHash64` of the row number is the only randomness).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any
from uuid import UUID

PAGES = [
    "/",
    "/pricing",
    "/blog",
    "/docs",
    "/features",
    "/blog/launch",
    "/docs/install",
    "/signup",
    "/about",
    "/blog/privacy-first-analytics",
    "/docs/api",
    "/contact",
    "/blog/heatmaps",
    "/careers",
    "/docs/self-hosting",
    "/changelog",
    "/blog/funnels",
    "/security",
    "/customers",
    "/docs/tracker",
    "/legal/privacy",
    "/integrations",
    "/blog/retention",
    "/compare/plausible",
    "/compare/umami",
    "/checkout",
    "/login",
    "/account",
    "/status",
    "/blog/cookieless",
]
SOURCES = [  # (source, channel, referrer)
    ("", "Direct", ""),
    ("Google", "Organic Search", "https://www.google.com/"),
    ("Twitter", "Organic Social", "https://t.co/"),
    ("Hacker News", "Referral", "https://news.ycombinator.com/"),
    ("Bing", "Organic Search", "https://www.bing.com/"),
    ("Reddit", "Organic Social", "https://www.reddit.com/"),
    ("DuckDuckGo", "Organic Search", "https://duckduckgo.com/"),
    ("Newsletter", "Email", ""),
    ("LinkedIn", "Organic Social", "https://www.linkedin.com/"),
    ("GitHub", "Referral", "https://github.com/"),
    ("ChatGPT", "AI Assistant", "https://chatgpt.com/"),
]
COUNTRIES = ["US", "DE", "GB", "FR", "IN", "CA", "NL", "BR", "ES", "JP", "SE", "PL", "IT", "AU", "CH"]
CITIES = [
    "New York",
    "Berlin",
    "London",
    "Paris",
    "Bengaluru",
    "Toronto",
    "Amsterdam",
    "São Paulo",
    "Madrid",
    "Tokyo",
    "Stockholm",
    "Warsaw",
    "Milan",
    "Sydney",
    "Zurich",
]
BROWSERS = [
    ("Chrome", "131"),
    ("Safari", "18"),
    ("Firefox", "133"),
    ("Edge", "131"),
    ("Samsung Internet", "27"),
]
OSES = [("Windows", "11"), ("iOS", "18"), ("Android", "15"), ("Mac", "15"), ("Linux", "")]
DEVICES = ["Desktop", "Mobile", "Tablet"]
SCREENS = {"Desktop": "Desktop", "Mobile": "Mobile", "Tablet": "Tablet"}
SELECTORS = ["button.cta", "a.nav-pricing", "div.hero img", "button#signup", "a.footer-link", "span.price"]


@dataclass(frozen=True)
class DemoPlan:
    site_id: UUID
    events: int  # about this many rows
    end: datetime  # traffic runs up to this instant (UTC)
    days: int  # and back this many days
    seed: int = 1


def _array(values: list[str]) -> str:
    return "[" + ", ".join("'" + v.replace("\\", "\\\\").replace("'", "\\'") + "'" for v in values) + "]"


def demo_sql(plan: DemoPlan) -> tuple[str, dict[str, Any]]:
    """One INSERT … SELECT of about `plan.events` rows: each visit is 8 row slots, of which a visit uses
    its pageviews, their engagement and click events, and sometimes a signup or a purchase."""
    slots = 8
    visits = max(1, plan.events // 5)  # a visit averages about five rows
    span = plan.days * 86400
    sources = [s[0] for s in SOURCES]
    sql = f"""
INSERT INTO events (event_id, site_id, timestamp, kind, name, visitor_id, session_id, person_id, hostname,
    pathname, referrer, referrer_source, channel, utm_source, utm_medium, utm_campaign, country_code, region,
    city, browser, browser_version, os, os_version, device, screen_class, interactive, props, revenue_amount,
    revenue_currency, engagement_ms, scroll_depth, click_x, click_y, viewport_width, viewport_height,
    document_width, document_height, selector, tag, rage, dead)
SELECT
    generateUUIDv4(number) AS event_id,
    {{site:UUID}} AS site_id,
    visit_start + toIntervalMillisecond(step * 41000 + (h2 % 9000)) AS timestamp,
    kind,
    multiIf(kind = 'pageview', 'pageview', kind = 'engagement', 'engagement', kind = 'click', 'click',
            is_purchase, 'Purchase', 'Signup') AS name,
    visitor AS visitor_id,
    visit AS session_id,
    if(h1 % 100 < 12, cityHash64(visitor_key % 5000, {{seed:UInt64}}, 'person'), 0) AS person_id,
    {{host:String}} AS hostname,
    page AS pathname,
    if(step = 0, {_array([s[2] for s in SOURCES])}[src + 1], '') AS referrer,
    if(step = 0, {_array(sources)}[src + 1], '') AS referrer_source,
    if(step = 0, {_array([s[1] for s in SOURCES])}[src + 1], 'Direct') AS channel,
    if(step = 0 AND src = 7, 'newsletter', '') AS utm_source,
    if(step = 0 AND src = 7, 'email', '') AS utm_medium,
    if(step = 0 AND src = 7, 'november', '') AS utm_campaign,
    {_array(COUNTRIES)}[country_i + 1] AS country_code,
    '' AS region,
    {_array(CITIES)}[country_i + 1] AS city,
    {_array([b[0] for b in BROWSERS])}[browser_i + 1] AS browser,
    {_array([b[1] for b in BROWSERS])}[browser_i + 1] AS browser_version,
    {_array([o[0] for o in OSES])}[os_i + 1] AS os,
    {_array([o[1] for o in OSES])}[os_i + 1] AS os_version,
    {_array(DEVICES)}[device_i + 1] AS device,
    {_array(DEVICES)}[device_i + 1] AS screen_class,
    true AS interactive,
    if(kind = 'custom' AND NOT is_purchase, map('plan', if(h2 % 3 = 0, 'pro', 'free')), map()) AS props,
    if(is_purchase, toDecimal64(19 + (h2 % 180), 6), NULL) AS revenue_amount,
    if(is_purchase, 'EUR', '') AS revenue_currency,
    if(kind = 'engagement', 2000 + toUInt32(h2 % 120000), 0) AS engagement_ms,
    if(kind = 'engagement', toUInt8(10 + h2 % 91), 0) AS scroll_depth,
    if(kind = 'click', toInt32(40 + h2 % 1200), 0) AS click_x,
    if(kind = 'click', toInt32(60 + h1 % 2400), 0) AS click_y,
    if(kind = 'click', if(device_i = 0, 1440, 390), 0) AS viewport_width,
    if(kind = 'click', if(device_i = 0, 900, 844), 0) AS viewport_height,
    if(kind = 'click', if(device_i = 0, 1440, 390), 0) AS document_width,
    if(kind = 'click', 3200, 0) AS document_height,
    if(kind = 'click', {_array(SELECTORS)}[h2 % {len(SELECTORS)} + 1], '') AS selector,
    if(kind = 'click', 'button', '') AS tag,
    kind = 'click' AND h2 % 23 = 0 AS rage,
    kind = 'click' AND h2 % 17 = 0 AS dead
FROM (
    SELECT
        number,
        intDiv(number, {slots}) AS visit_no,
        number % {slots} AS slot,
        cityHash64(visit_no, {{seed:UInt64}}) AS h1,
        cityHash64(number, {{seed:UInt64}}, 'row') AS h2,
        -- a visitor makes one visit in three, sometimes more: visitors are keyed per day, like the salt
        intDiv(visit_no, 1 + h1 % 3) AS visitor_key,
        1 + toUInt8(floor(pow((h1 % 1000) / 1000, 2) * 6)) AS pageviews,
        -- visits spread evenly over the span, each within an hour of its slot
        toDateTime64({{end:DateTime64(3, 'UTC')}}, 3, 'UTC')
            - toIntervalSecond({span + 4000} - intDiv(visit_no * {span}, {visits}))
            + toIntervalSecond(greatest(h1 % 3600, bitShiftRight(h1, 20) % 3600)) AS visit_start,
        cityHash64(visitor_key, toDate(visit_start), {{seed:UInt64}}) AS visitor,
        cityHash64(visit_no, {{seed:UInt64}}, 'visit') AS visit,
        toUInt8(floor(pow((bitShiftRight(h1, 8) % 1000) / 1000, 2.2) * {len(SOURCES)})) AS src,
        toUInt8(floor(pow((bitShiftRight(h1, 16) % 1000) / 1000, 1.8) * {len(COUNTRIES)})) AS country_i,
        toUInt8(floor(pow((bitShiftRight(h1, 24) % 1000) / 1000, 1.6) * {len(BROWSERS)})) AS browser_i,
        bitShiftRight(h1, 32) % 100 AS device_draw,
        toUInt8(multiIf(device_draw < 58, 0, device_draw < 96, 1, 2)) AS device_i,
        bitShiftRight(h1, 40) % 2 AS os_draw,
        toUInt8(multiIf(device_i = 0, if(os_draw = 0, 0, 3), device_i = 1, os_draw + 1, 2)) AS os_i,
        -- slots: pageviews first (0 … pageviews-1), then one engagement and one click per visit,
        -- then a signup on one visit in 12 and a purchase on one in 40
        multiIf(slot < pageviews, 'pageview', slot = pageviews, 'engagement',
                slot = pageviews + 1, 'click', slot = pageviews + 2 AND h1 % 12 = 0, 'custom',
                slot = pageviews + 3 AND h1 % 40 = 0, 'custom', '') AS kind,
        slot = pageviews + 3 AS is_purchase,
        least(slot, pageviews - 1) AS step,
        -- the entry page is skewed to the top pages; each next page is a skewed step from it
        {_array(PAGES)}[(toUInt32(floor(pow((bitShiftRight(h1, 48) % 1000) / 1000, 3) * {len(PAGES)}))
            + step * toUInt32(floor(pow((cityHash64(visit_no, step) % 1000) / 1000, 2) * 7)))
            % {len(PAGES)} + 1] AS page
    FROM numbers({visits * slots})
)
WHERE kind != ''
"""
    params = {
        "site": plan.site_id,
        "seed": plan.seed,
        "host": "",  # filled by the caller with the site's domain
        "end": plan.end.replace(tzinfo=None),
    }
    return sql, params


def generate(client: Any, plan: DemoPlan, domain: str) -> int:
    """Insert the plan's traffic; returns the number of rows now in the site's events."""
    sql, params = demo_sql(plan)
    params["host"] = domain
    client.command(sql, parameters=params, settings={"max_insert_threads": 2})
    count: int = client.command(
        "SELECT count() FROM events WHERE site_id = {site:UUID}", parameters={"site": plan.site_id}
    )
    return count


def default_end() -> datetime:
    from datetime import UTC

    return datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=1)
