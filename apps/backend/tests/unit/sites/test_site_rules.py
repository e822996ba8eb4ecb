"""Sites' rules for domains, hostnames, excluded addresses and time zones."""

import pytest

from fieldmark.shared_kernel.errors import InvalidInput
from fieldmark.sites.domain.site import (
    check_timezone,
    normalize_domain,
    normalize_hostnames,
    normalize_networks,
)


@pytest.mark.parametrize(
    ("raw", "domain"),
    [
        ("Example.COM", "example.com"),
        ("https://example.com/", "example.com"),
        ("shop.example.co.uk.", "shop.example.co.uk"),
    ],
)
def test_domains_are_normalized(raw: str, domain: str) -> None:
    assert normalize_domain(raw) == domain


@pytest.mark.parametrize(
    "raw", ["", "no spaces.com", "-bad.com", "example", "a" * 64 + ".com", "exa_mple.com"]
)
def test_bad_domains_are_refused(raw: str) -> None:
    with pytest.raises(InvalidInput) as caught:
        normalize_domain(raw)
    assert caught.value.field == "domain"


def test_hostnames_default_to_the_domain_and_its_subdomains() -> None:
    assert normalize_hostnames(None, "example.com") == ("example.com", "*.example.com")
    assert normalize_hostnames(["App.example.com", "*.cdn.example.com"], "example.com") == (
        "app.example.com",
        "*.cdn.example.com",
    )
    with pytest.raises(InvalidInput):
        normalize_hostnames(["bad host"], "example.com")


def test_networks_and_time_zones() -> None:
    assert normalize_networks(["192.0.2.1", "10.0.0.0/8", "2001:db8::/32"]) == (
        "192.0.2.1/32",
        "10.0.0.0/8",
        "2001:db8::/32",
    )
    with pytest.raises(InvalidInput):
        normalize_networks(["10.0.0.300"])
    assert check_timezone("Europe/Berlin") == "Europe/Berlin"
    with pytest.raises(InvalidInput):
        check_timezone("Mars/Olympus")
