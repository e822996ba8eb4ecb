"""Imported history: another tool's exports turned into daily aggregates per dimension, which the Stats
API adds to collected data when asked (`include.imports`).

Two published formats:
- Plausible's CSV export (a zip of `imported_<table>_<YYYYMMDD>_<YYYYMMDD>.csv` files, or one such file),
  with the column layouts of Plausible's own CSV importer.
- Google Analytics 4's BigQuery export (`events_*` rows as newline-delimited JSON, as `bq extract` or the
  BigQuery console writes them), aggregated here by day.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import re
import zipfile
from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from urllib.parse import urlsplit

from fieldmark.shared_kernel.errors import InvalidInput

TOTALS = ""  # the dimension of a day's totals
MAX_BYTES = 200 * 2**20


@dataclass(frozen=True)
class Aggregate:
    """One day's figures for one value of one dimension (or the day's totals)."""

    day: date
    dimension: str  # a Stats API dimension, such as visit:source, or TOTALS
    value: str
    visitors: int = 0
    visits: int = 0
    pageviews: int = 0
    bounces: int = 0
    visit_duration: int = 0  # seconds, summed over the visits
    events: int = 0


# Plausible's tables: (dimension, value column) pairs they feed, and how their columns map to ours.
PLAUSIBLE: dict[str, list[tuple[str, str | None]]] = {
    "imported_visitors": [(TOTALS, None)],
    "imported_sources": [
        ("visit:source", "source"),
        ("visit:utm_source", "utm_source"),
        ("visit:utm_medium", "utm_medium"),
        ("visit:utm_campaign", "utm_campaign"),
    ],
    "imported_pages": [("event:page", "page")],
    "imported_entry_pages": [("visit:entry_page", "entry_page")],
    "imported_exit_pages": [("visit:exit_page", "exit_page")],
    "imported_locations": [("visit:country", "country"), ("visit:region", "region")],
    "imported_devices": [("visit:device", "device")],
    "imported_browsers": [("visit:browser", "browser")],
    "imported_operating_systems": [("visit:os", "operating_system")],
    "imported_custom_events": [("event:name", "name")],
}
DIMENSIONS = frozenset(d for pairs in PLAUSIBLE.values() for d, _ in pairs)
_FILE = re.compile(r"^(?:imported_)?([a-z_]+?)_(\d{8})_(\d{8})\.csv$")
_DEVICES = {"desktop": "Desktop", "mobile": "Mobile", "tablet": "Tablet"}


def _int(row: dict[str, str], *names: str) -> int:
    for name in names:
        raw = (row.get(name) or "").strip()
        if raw:
            try:
                return int(float(raw))
            except ValueError:
                raise InvalidInput(f"{name} is not a number: {raw[:20]!r}", field="file") from None
    return 0


def plausible_table(filename: str) -> str | None:
    match = _FILE.match(filename.rsplit("/", 1)[-1])
    if not match:
        return None
    table = "imported_" + match.group(1)
    return table if table in PLAUSIBLE else None


def parse_plausible_csv(table: str, text: str) -> Iterator[Aggregate]:
    reader = csv.DictReader(io.StringIO(text))
    if not reader.fieldnames or "date" not in reader.fieldnames:
        raise InvalidInput(f"{table}: the header has no date column", field="file")
    for row in reader:
        try:
            day = date.fromisoformat(row["date"].strip())
        except ValueError:
            raise InvalidInput(f"{table}: {row['date'][:20]!r} is not a date", field="file") from None
        figures = {
            "visitors": _int(row, "visitors"),
            "visits": _int(row, "visits", "entrances", "exits"),
            "pageviews": _int(row, "pageviews"),
            "bounces": _int(row, "bounces"),
            "visit_duration": _int(row, "visit_duration"),
            "events": _int(row, "events"),
        }
        for dimension, column in PLAUSIBLE[table]:
            value = "" if column is None else (row.get(column) or "").strip()
            if column is not None and not value and dimension != "visit:source":
                continue  # no UTM tag, no region: nothing to break down
            if dimension == "visit:source" and not value:
                value = "Direct / None"
            yield Aggregate(day, dimension, value, **figures)


def parse_plausible(filename: str, data: bytes) -> list[Aggregate]:
    """A zip of Plausible's CSV files, or one of them."""
    files: list[tuple[str, bytes]] = []
    if data[:4] == b"PK\x03\x04":
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for info in archive.infolist():
                if info.file_size > MAX_BYTES:
                    raise InvalidInput(f"{info.filename} is over {MAX_BYTES >> 20} MB unpacked", field="file")
                files.append((info.filename, archive.read(info)))
    else:
        files.append((filename, data))
    out: list[Aggregate] = []
    for name, content in files:
        table = plausible_table(name)
        if table is None:
            continue
        out += parse_plausible_csv(table, content.decode("utf-8-sig"))
    if not any(a.dimension == TOTALS for a in out):
        raise InvalidInput(
            "no imported_visitors_<from>_<to>.csv in the file: upload Plausible's CSV export", field="file"
        )
    return out


def _param(event: dict[str, Any], key: str) -> Any:
    for param in event.get("event_params") or []:
        if param.get("key") == key:
            value = param.get("value") or {}
            for kind in ("string_value", "int_value", "double_value", "float_value"):
                if value.get(kind) is not None:
                    return value[kind]
    return None


def _ga4_events(data: bytes) -> Iterable[dict[str, Any]]:
    if data[:2] == b"\x1f\x8b":
        data = gzip.decompress(data)
    for number, line in enumerate(data.decode("utf-8-sig").splitlines(), 1):
        if line.strip():
            try:
                yield json.loads(line)
            except json.JSONDecodeError:
                raise InvalidInput(
                    f"line {number} is not JSON: GA4 exports are newline-delimited JSON", field="file"
                ) from None


def parse_ga4(data: bytes, country_code: Any) -> list[Aggregate]:
    """GA4 BigQuery export rows: a visitor is a `user_pseudo_id`, a visit its `ga_session_id`, a pageview a
    `page_view` event; a visit bounced unless `session_engaged` was "1"; its duration is the engagement
    time of its events. Countries go from names to ISO codes with `country_code(name)`."""
    sessions: dict[tuple[str, str], dict[str, Any]] = {}
    for event in _ga4_events(data):
        raw_day = str(event.get("event_date") or "")
        try:
            day = datetime.strptime(raw_day, "%Y%m%d").date()
        except ValueError:
            raise InvalidInput(f"event_date {raw_day[:20]!r} is not YYYYMMDD", field="file") from None
        user = str(event.get("user_pseudo_id") or "")
        session_key = (user, str(_param(event, "ga_session_id") or raw_day))
        session = sessions.setdefault(
            session_key,
            {
                "day": day,
                "user": user,
                "pages": [],
                "engaged": False,
                "ms": 0,
                "events": defaultdict(int),
                "dims": {},
            },
        )
        device = event.get("device") or {}
        geo = event.get("geo") or {}
        traffic = event.get("collected_traffic_source") or event.get("traffic_source") or {}
        if not session["dims"]:
            source = traffic.get("manual_source") or traffic.get("source") or ""
            session["dims"] = {
                "visit:source": "Direct / None" if source in ("", "(direct)") else source,
                "visit:utm_medium": traffic.get("manual_medium") or traffic.get("medium") or "",
                "visit:utm_campaign": traffic.get("manual_campaign_name") or traffic.get("name") or "",
                "visit:country": country_code(geo.get("country") or "") or "",
                "visit:device": _DEVICES.get(str(device.get("category") or "").lower(), ""),
                "visit:browser": (device.get("web_info") or {}).get("browser") or device.get("browser") or "",
                "visit:os": device.get("operating_system") or "",
            }
        if str(_param(event, "session_engaged") or "") == "1":
            session["engaged"] = True
        session["ms"] += int(_param(event, "engagement_time_msec") or 0)
        name = str(event.get("event_name") or "")
        if name == "page_view":
            location = str(_param(event, "page_location") or "")
            session["pages"].append(urlsplit(location).path or "/")
        elif name and name not in ("session_start", "first_visit", "user_engagement", "scroll"):
            session["events"][name] += 1
    return _ga4_aggregates(sessions.values())


def _ga4_aggregates(sessions: Iterable[dict[str, Any]]) -> list[Aggregate]:
    visitors: dict[tuple[date, str, str], set[str]] = defaultdict(set)
    sums: dict[tuple[date, str, str], dict[str, int]] = defaultdict(lambda: defaultdict(int))
    for s in sessions:
        day, pages = s["day"], s["pages"]
        bounce = int(not s["engaged"])
        duration = s["ms"] // 1000
        keys = [(TOTALS, "")] + [(d, v) for d, v in s["dims"].items() if v]
        if pages:
            keys += [("visit:entry_page", pages[0]), ("visit:exit_page", pages[-1])]
        for dimension, value in keys:
            key = (day, dimension, value)
            visitors[key].add(s["user"])
            sums[key]["visits"] += 1
            sums[key]["pageviews"] += len(pages)
            sums[key]["bounces"] += bounce
            sums[key]["visit_duration"] += duration
        for page in set(pages):
            key = (day, "event:page", page)
            visitors[key].add(s["user"])
            sums[key]["visits"] += 1
            sums[key]["pageviews"] += pages.count(page)
        for name, count in s["events"].items():
            key = (day, "event:name", name)
            visitors[key].add(s["user"])
            sums[key]["events"] += count
    return [
        Aggregate(
            day,
            dimension,
            value,
            visitors=len(visitors[(day, dimension, value)]),
            **sums[(day, dimension, value)],
        )
        for day, dimension, value in sorted(visitors)
    ]
