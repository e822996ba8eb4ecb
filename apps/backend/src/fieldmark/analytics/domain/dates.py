"""Date ranges in a site's time zone: what "7d" or "last_month" means for a site in Tokyo, as the UTC
instants the events table is filtered by, and the period a comparison sets against it."""

from __future__ import annotations

import calendar
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from fieldmark.analytics.domain.query import ComparisonMode, Interval
from fieldmark.shared_kernel.errors import InvalidInput

RELATIVE_DAYS = {"7d": 7, "28d": 28, "30d": 30, "91d": 91}
NAMED = ("day", "today", "yesterday", "realtime", "30m", "month", "last_month", "year", "6mo", "12mo", "all")


@dataclass(frozen=True)
class DateRange:
    """Half-open: from `start` (inclusive) to `end` (exclusive), both aware datetimes in the site's zone."""

    start: datetime
    end: datetime
    label: str

    @property
    def start_utc(self) -> datetime:
        return self.start.astimezone(UTC)

    @property
    def end_utc(self) -> datetime:
        return self.end.astimezone(UTC)

    def default_interval(self) -> Interval:
        length = self.end - self.start
        if length <= timedelta(hours=1):
            return Interval.MINUTE
        if length <= timedelta(days=2):
            return Interval.HOUR
        if length <= timedelta(days=92):
            return Interval.DAY
        return Interval.MONTH


def _midnight(day: date, zone: ZoneInfo) -> datetime:
    return datetime.combine(day, time(), zone)


def _days(first: date, last: date, zone: ZoneInfo, label: str) -> DateRange:
    return DateRange(_midnight(first, zone), _midnight(last + timedelta(days=1), zone), label)


def _parse_day(value: Any) -> date:
    if not isinstance(value, str):
        raise InvalidInput(f"{value!r} is not a date (YYYY-MM-DD)", field="date_range")
    try:
        return date.fromisoformat(value[:10]) if len(value) == 10 else datetime.fromisoformat(value).date()
    except ValueError:
        raise InvalidInput(f"{value!r} is not a date (YYYY-MM-DD)", field="date_range") from None


def resolve(raw: Any, now: datetime, timezone: str, first_event: datetime | None = None) -> DateRange:
    """Named ranges end with today in the site's zone, today included ("7d" is today and the six days
    before it); "month" and "year" run to date; a custom range is two dates, both included, or two
    ISO datetimes (start included, end excluded)."""
    zone = ZoneInfo(timezone)
    local_now = now.astimezone(zone)
    today = local_now.date()
    if isinstance(raw, list):
        if len(raw) != 2:
            raise InvalidInput("a custom date_range is [start, end]", field="date_range")
        if all(isinstance(v, str) and len(v) > 10 for v in raw):
            try:
                start, end = (datetime.fromisoformat(v) for v in raw)
            except ValueError:
                raise InvalidInput("date_range datetimes are ISO 8601", field="date_range") from None
            start = start if start.tzinfo else start.replace(tzinfo=zone)
            end = end if end.tzinfo else end.replace(tzinfo=zone)
            if end <= start:
                raise InvalidInput("date_range ends after it starts", field="date_range")
            return DateRange(start.astimezone(zone), end.astimezone(zone), "custom")
        first, last = _parse_day(raw[0]), _parse_day(raw[1])
        if last < first:
            raise InvalidInput("date_range ends after it starts", field="date_range")
        if (last - first).days > 366 * 10:
            raise InvalidInput("date_range spans at most ten years", field="date_range")
        return _days(first, last, zone, "custom")
    if raw in RELATIVE_DAYS:
        return _days(today - timedelta(days=RELATIVE_DAYS[raw] - 1), today, zone, raw)
    if raw in ("day", "today"):
        return _days(today, today, zone, "day")
    if raw == "yesterday":
        return _days(today - timedelta(days=1), today - timedelta(days=1), zone, raw)
    if raw in ("realtime", "30m"):
        end = local_now.replace(second=0, microsecond=0) + timedelta(minutes=1)
        return DateRange(end - timedelta(minutes=30), end, "realtime")
    if raw == "month":
        return _days(today.replace(day=1), today, zone, raw)
    if raw == "last_month":
        last = today.replace(day=1) - timedelta(days=1)
        return _days(last.replace(day=1), last, zone, raw)
    if raw == "year":
        return _days(today.replace(month=1, day=1), today, zone, raw)
    if raw in ("6mo", "12mo"):
        months = int(raw[:-2])
        return _days(_months_before(today.replace(day=1), months - 1), today, zone, raw)
    if raw == "all":
        first = first_event.astimezone(zone).date() if first_event else today
        return _days(min(first, today), today, zone, raw)
    raise InvalidInput(
        f"{raw!r} is not a date range: {', '.join([*RELATIVE_DAYS, *NAMED])}, or [start, end]",
        field="date_range",
    )


def _months_before(day: date, months: int) -> date:
    month = day.month - 1 - months
    year = day.year + month // 12
    month = month % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def comparison_range(current: DateRange, mode: ComparisonMode) -> DateRange:
    if mode is ComparisonMode.YEAR_OVER_YEAR:

        def back(moment: datetime) -> datetime:
            local = moment.replace(tzinfo=None)
            day = min(local.day, calendar.monthrange(local.year - 1, local.month)[1])
            return local.replace(year=local.year - 1, day=day).replace(tzinfo=moment.tzinfo)

        return DateRange(back(current.start), back(current.end), "year_over_year")
    zone = current.start.tzinfo
    if current.start.time() == time() and current.end.time() == time():  # whole days: the days before
        days = (current.end.date() - current.start.date()).days
        start = current.start.date() - timedelta(days=days)
        return DateRange(
            datetime.combine(start, time(), zone),
            datetime.combine(current.start.date(), time(), zone),
            "previous_period",
        )
    length = current.end - current.start
    return DateRange(current.start - length, current.start, "previous_period")


def buckets(period: DateRange, interval: Interval) -> list[datetime]:
    """Every bucket's start in the period, in the site's zone: the labels of a complete time series."""
    zone = period.start.tzinfo
    start = period.start.replace(tzinfo=None)
    end = period.end.replace(tzinfo=None)
    if interval is Interval.MINUTE:
        step, first = timedelta(minutes=1), start.replace(second=0, microsecond=0)
    elif interval is Interval.HOUR:
        step, first = timedelta(hours=1), start.replace(minute=0, second=0, microsecond=0)
    elif interval is Interval.DAY:
        step, first = timedelta(days=1), start.replace(hour=0, minute=0, second=0, microsecond=0)
    elif interval is Interval.WEEK:
        day = start.date() - timedelta(days=start.weekday())
        step, first = timedelta(days=7), datetime.combine(day, time())
    else:
        out, cursor = [], start.date().replace(day=1)
        while datetime.combine(cursor, time()) < end:
            out.append(datetime.combine(cursor, time(), zone))
            cursor = (cursor + timedelta(days=32)).replace(day=1)
        return out
    out, cursor = [], first
    while cursor < end:
        out.append(cursor.replace(tzinfo=zone))
        cursor += step
    return out


def label(moment: datetime, interval: Interval) -> str:
    if interval in (Interval.MINUTE, Interval.HOUR):
        return moment.strftime("%Y-%m-%d %H:%M:%S")
    return moment.strftime("%Y-%m-%d")
