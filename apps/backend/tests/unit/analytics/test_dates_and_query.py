"""Date ranges in a site's zone, comparison periods, buckets, and what the query model refuses."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from fieldmark.analytics.domain.dates import buckets, comparison_range, label, resolve
from fieldmark.analytics.domain.query import ComparisonMode, Interval, dimension, parse_filters
from fieldmark.shared_kernel.errors import InvalidInput

NOW = datetime(2026, 3, 15, 23, 30, tzinfo=UTC)  # already 16 March in Tokyo


@pytest.mark.parametrize(
    ("raw", "zone", "start", "end"),
    [
        ("day", "UTC", "2026-03-15T00:00:00+00:00", "2026-03-16T00:00:00+00:00"),
        ("day", "Asia/Tokyo", "2026-03-16T00:00:00+09:00", "2026-03-17T00:00:00+09:00"),
        ("yesterday", "UTC", "2026-03-14T00:00:00+00:00", "2026-03-15T00:00:00+00:00"),
        ("7d", "UTC", "2026-03-09T00:00:00+00:00", "2026-03-16T00:00:00+00:00"),
        ("month", "UTC", "2026-03-01T00:00:00+00:00", "2026-03-16T00:00:00+00:00"),
        ("last_month", "UTC", "2026-02-01T00:00:00+00:00", "2026-03-01T00:00:00+00:00"),
        ("year", "UTC", "2026-01-01T00:00:00+00:00", "2026-03-16T00:00:00+00:00"),
        ("12mo", "UTC", "2025-04-01T00:00:00+00:00", "2026-03-16T00:00:00+00:00"),
        ("realtime", "UTC", "2026-03-15T23:01:00+00:00", "2026-03-15T23:31:00+00:00"),
        (["2026-01-01", "2026-01-31"], "UTC", "2026-01-01T00:00:00+00:00", "2026-02-01T00:00:00+00:00"),
    ],
)
def test_named_and_custom_ranges(raw: object, zone: str, start: str, end: str) -> None:
    period = resolve(raw, NOW, zone)
    assert (period.start.isoformat(), period.end.isoformat()) == (start, end)


def test_comparison_periods() -> None:
    week = resolve("7d", NOW, "UTC")
    before = comparison_range(week, ComparisonMode.PREVIOUS_PERIOD)
    assert (before.start.date().isoformat(), before.end.date().isoformat()) == ("2026-03-02", "2026-03-09")
    last_year = comparison_range(week, ComparisonMode.YEAR_OVER_YEAR)
    assert last_year.start.date().isoformat() == "2025-03-09"


def test_buckets_are_wall_clock_labels_in_the_site_zone() -> None:
    # 25 October 2026 in Paris lasts 25 hours; ClickHouse labels both 02:00 hours "02:00", so do we.
    period = resolve(["2026-10-25", "2026-10-25"], NOW, "Europe/Paris")
    hours = [label(b, Interval.HOUR) for b in buckets(period, Interval.HOUR)]
    assert len(hours) == len(set(hours)) == 24
    assert (hours[0], hours[-1]) == ("2026-10-25 00:00:00", "2026-10-25 23:00:00")
    weeks = [label(b, Interval.WEEK) for b in buckets(resolve("7d", NOW, "UTC"), Interval.WEEK)]
    assert weeks == ["2026-03-09"]  # Monday to Sunday 15 March
    months = [label(b, Interval.MONTH) for b in buckets(resolve("12mo", NOW, "UTC"), Interval.MONTH)]
    assert (len(months), months[0], months[-1]) == (12, "2025-04-01", "2026-03-01")


@pytest.mark.parametrize(
    "raw",
    ["forever", ["2026-01-02", "2026-01-01"], ["2026-01-01"], ["not a date", "2026-01-01"], 7],
)
def test_bad_ranges(raw: object) -> None:
    with pytest.raises(InvalidInput) as caught:
        resolve(raw, NOW, "UTC")
    assert caught.value.field == "date_range"


def test_dimensions_and_filters_are_closed_sets() -> None:
    assert dimension("time:week").interval is Interval.WEEK
    assert dimension("event:props:plan").property_key == "plan"
    for bad in ("visit:password", "event:props:", "event:props:a b", "pathname", 3):
        with pytest.raises(InvalidInput):
            dimension(bad)
    assert (
        len(parse_filters([["and", [["is", "event:page", ["/"]], ["not", ["is", "visit:os", ["iOS"]]]]]]))
        == 1
    )
    for bad in (
        "event:page = '/'",
        [["is", "time:day", ["2026-01-01"]]],
        [["matches", "event:page", ["(?<=a)b"]]],
        [["is", "event:page", ["/"], {"case": False}]],
        [["or", []]],
    ):
        with pytest.raises(InvalidInput):
            parse_filters(bad)
