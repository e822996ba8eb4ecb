"""Country, region and city from a local database: DB-IP's city lite files (IPv4 and IPv6, read with
maxminddb) by default, or a MaxMind GeoLite2/GeoIP2 City file read with geoip2. No network at run time."""

from __future__ import annotations

import ipaddress
from functools import lru_cache
from pathlib import Path

import geoip2.database
import geoip2.errors
import maxminddb

from fieldmark.ingestion.domain.event import Location

_NOWHERE = Location()


def _public(ip: str) -> bool:
    try:
        return ipaddress.ip_address(ip).is_global
    except ValueError:
        return False


class DbipGeoLocator:
    """DB-IP lite records: {country_code, state1, city, ...}; one file per address family."""

    def __init__(self, folder: Path) -> None:
        # MODE_AUTO takes maxminddb's C extension when present: about 20 times faster than pure Python.
        self._v4 = maxminddb.open_database(str(next(folder.glob("*ipv4.mmdb"))), maxminddb.MODE_AUTO)
        self._v6 = maxminddb.open_database(str(next(folder.glob("*ipv6.mmdb"))), maxminddb.MODE_AUTO)
        self.locate = lru_cache(maxsize=50_000)(self._locate)  # type: ignore[method-assign]

    def _locate(self, ip: str) -> Location:
        if not _public(ip):
            return _NOWHERE
        reader = self._v6 if ":" in ip else self._v4
        record = reader.get(ip)
        if not isinstance(record, dict):
            return _NOWHERE
        return Location(
            str(record.get("country_code") or ""),
            str(record.get("state1") or ""),
            str(record.get("city") or ""),
        )

    def locate(self, ip: str) -> Location:  # replaced by the cached lookup in __init__
        return self._locate(ip)


class MaxMindGeoLocator:
    def __init__(self, path: Path) -> None:
        self._reader = geoip2.database.Reader(str(path))
        self.locate = lru_cache(maxsize=50_000)(self._locate)  # type: ignore[method-assign]

    def _locate(self, ip: str) -> Location:
        if not _public(ip):
            return _NOWHERE
        try:
            city = self._reader.city(ip)
        except (geoip2.errors.AddressNotFoundError, ValueError):
            return _NOWHERE
        region = city.subdivisions.most_specific.name if city.subdivisions else None
        return Location(city.country.iso_code or "", region or "", city.city.name or "")

    def locate(self, ip: str) -> Location:
        return self._locate(ip)


class NoGeoLocator:
    """When no database is installed: every location is unknown, and the health page says why."""

    def locate(self, ip: str) -> Location:
        return _NOWHERE


def open_geo_locator(path: Path | None) -> DbipGeoLocator | MaxMindGeoLocator | NoGeoLocator:
    if path is None:
        return NoGeoLocator()
    if path.is_dir():
        return DbipGeoLocator(path)
    return MaxMindGeoLocator(path)
