"""Pure rules: client address, hostnames, paths and UTM, channels, screen classes, visitor hashing."""

import ipaddress
import uuid

import pytest

from fieldmark.ingestion.domain.channels import classify
from fieldmark.ingestion.domain.pages import hostname_allowed, screen_class, split_page
from fieldmark.ingestion.domain.site import SiteSettings
from fieldmark.ingestion.domain.visitors import address_token, visitor_id
from fieldmark.shared_kernel.net import client_ip, parse_networks

PROXIES = parse_networks("10.0.0.0/8, 127.0.0.1")


@pytest.mark.parametrize(
    ("peer", "xff", "forwarded", "expected"),
    [
        ("203.0.113.9", "1.2.3.4", None, "203.0.113.9"),  # untrusted peer: headers ignored
        ("127.0.0.1", "1.2.3.4", None, "1.2.3.4"),
        ("127.0.0.1", "6.6.6.6, 1.2.3.4, 10.1.1.1", None, "1.2.3.4"),  # rightmost untrusted hop
        ("127.0.0.1", None, 'for="[2001:db8::1]:443";proto=https', "2001:db8::1"),
        ("127.0.0.1", None, None, "127.0.0.1"),
        ("127.0.0.1", "not-an-ip", None, "127.0.0.1"),
    ],
)
def test_client_ip(peer: str, xff: str | None, forwarded: str | None, expected: str) -> None:
    assert client_ip(peer, xff, forwarded, PROXIES) == expected


def test_over_the_unix_socket_only_the_relayed_address_counts() -> None:
    assert client_ip("", "6.6.6.6", "for=7.7.7.7", PROXIES, "203.0.113.5") == "203.0.113.5"
    assert client_ip("", "6.6.6.6", "for=7.7.7.7", PROXIES) == ""
    assert client_ip("203.0.113.9", None, None, PROXIES, "6.6.6.6") == "203.0.113.9"  # ignored on TCP


def test_trusted_proxies_must_be_addresses() -> None:
    with pytest.raises(ValueError, match="not an IP address"):
        parse_networks("10.0.0.0/8, proxy.local")


@pytest.mark.parametrize(
    ("host", "allowed"),
    [
        ("example.com", True),
        ("www.example.com", True),
        ("a.b.example.com", True),
        ("EXAMPLE.com", True),
        ("badexample.com", False),
        ("example.com.evil.io", False),
        ("other.org", False),
    ],
)
def test_hostname_allowed(host: str, allowed: bool) -> None:
    assert hostname_allowed(host, ("example.com", "*.example.com")) is allowed


def test_split_page_strips_queries_but_keeps_utm_and_chosen_keys() -> None:
    host, path, utm = split_page(
        "https://Shop.Example.com/p/1?utm_source=nl&utm_medium=email&q=shoes&s=secret", kept_params=("q",)
    )
    assert (host, path) == ("shop.example.com", "/p/1?q=shoes")
    assert utm == {"utm_source": "nl", "utm_medium": "email"}
    assert split_page("https://a.example/#/settings", hash_mode=True)[1] == "/#/settings"
    assert split_page("https://a.example?ref=producthunt")[1:] == ("/", {"utm_source": "producthunt"})


@pytest.mark.parametrize(
    ("referrer", "utm", "known", "expected"),
    [
        ("", {}, None, ("", "", "Direct")),
        (
            "https://www.google.com/search?q=x",
            {},
            ("Google", "search"),
            ("www.google.com/search", "Google", "Organic Search"),
        ),
        ("https://t.co/abc", {}, ("Twitter", "social"), ("t.co/abc", "Twitter", "Organic Social")),
        ("https://chatgpt.com/", {}, ("ChatGPT", "ai"), ("chatgpt.com", "ChatGPT", "AI Assistant")),
        (
            "https://www.google.com/",
            {"utm_medium": "cpc"},
            ("Google", "search"),
            ("www.google.com", "Google", "Paid"),
        ),
        ("", {"utm_source": "newsletter", "utm_medium": "email"}, None, ("", "newsletter", "Email")),
        ("https://blog.friend.io/post", {}, None, ("blog.friend.io/post", "blog.friend.io", "Referral")),
        ("https://www.friend.io/", {}, None, ("www.friend.io", "friend.io", "Referral")),
        ("https://shop.example.com/cart", {}, None, ("", "", "Direct")),  # internal navigation
    ],
)
def test_channels(
    referrer: str, utm: dict[str, str], known: tuple[str, str] | None, expected: tuple[str, str, str]
) -> None:
    source = classify(referrer, "shop.example.com", utm, known)
    assert (source.referrer, source.source, source.channel) == expected


@pytest.mark.parametrize(
    ("width", "cls"), [(None, ""), (390, "Mobile"), (820, "Tablet"), (1280, "Laptop"), (1920, "Desktop")]
)
def test_screen_class(width: int | None, cls: str) -> None:
    assert screen_class(width) == cls


def test_visitor_hash_is_keyed_by_salt_site_ip_and_agent() -> None:
    site, other = uuid.uuid4(), uuid.uuid4()
    base = visitor_id(b"s" * 32, site, "1.2.3.4", "UA")
    assert base == visitor_id(b"s" * 32, site, "1.2.3.4", "UA")
    assert 0 <= base < 2**64
    assert (
        len(
            {
                base,
                visitor_id(b"t" * 32, site, "1.2.3.4", "UA"),
                visitor_id(b"s" * 32, other, "1.2.3.4", "UA"),
                visitor_id(b"s" * 32, site, "1.2.3.5", "UA"),
                visitor_id(b"s" * 32, site, "1.2.3.4", "UB"),
            }
        )
        == 5
    )
    assert "1.2.3.4" not in address_token(b"s" * 32, "1.2.3.4")


def test_site_excludes_its_owners_addresses() -> None:
    site = SiteSettings(
        uuid.uuid4(),
        "a.example",
        "k",
        ("a.example",),
        (ipaddress.ip_network("192.0.2.0/24"), ipaddress.ip_network("2001:db8::1/128")),
    )
    assert site.excludes("192.0.2.77")
    assert site.excludes("2001:db8::1")
    assert not site.excludes("198.51.100.1")
    assert not site.excludes("garbage")
