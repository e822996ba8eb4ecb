"""What a dashboard export holds: one CSV per breakdown of the view, as Plausible's export zip does, each
a Stats API query over the view's period, filters and segment."""

from __future__ import annotations

from dataclasses import dataclass

VISIT = ("visitors", "visits", "bounce_rate", "visit_duration")


@dataclass(frozen=True)
class Breakdown:
    file: str
    dimension: str
    column: str  # the dimension's column header
    metrics: tuple[str, ...]


BREAKDOWNS = (
    Breakdown(
        "visitors.csv",
        "time:day",
        "date",
        ("visitors", "visits", "pageviews", "bounce_rate", "visit_duration"),
    ),
    Breakdown("sources.csv", "visit:source", "source", VISIT),
    Breakdown("channels.csv", "visit:channel", "channel", VISIT),
    Breakdown("utm_mediums.csv", "visit:utm_medium", "utm_medium", VISIT),
    Breakdown("utm_sources.csv", "visit:utm_source", "utm_source", VISIT),
    Breakdown("utm_campaigns.csv", "visit:utm_campaign", "utm_campaign", VISIT),
    Breakdown("pages.csv", "event:page", "page", ("visitors", "pageviews")),
    Breakdown("entry_pages.csv", "visit:entry_page", "entry_page", VISIT),
    Breakdown("exit_pages.csv", "visit:exit_page", "exit_page", ("visitors", "visits")),
    Breakdown("countries.csv", "visit:country", "country", ("visitors",)),
    Breakdown("regions.csv", "visit:region", "region", ("visitors",)),
    Breakdown("cities.csv", "visit:city", "city", ("visitors",)),
    Breakdown("browsers.csv", "visit:browser", "browser", ("visitors",)),
    Breakdown("operating_systems.csv", "visit:os", "operating_system", ("visitors",)),
    Breakdown("devices.csv", "visit:device", "device", ("visitors",)),
    Breakdown("custom_events.csv", "event:name", "name", ("visitors", "events")),
    Breakdown("conversions.csv", "event:goal", "goal", ("visitors", "events", "conversion_rate")),
)
MAX_ROWS = 10_000  # per breakdown: the Stats API's largest page

RAW_FORMATS = {
    "csv": ("CSVWithNames", "text/csv"),  # the HTTP layer adds the charset
    "parquet": ("Parquet", "application/vnd.apache.parquet"),
}
