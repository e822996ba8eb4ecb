"""Where a visit came from: a source name and a channel, from the referrer and the UTM tags."""

from __future__ import annotations

from urllib.parse import urlsplit

from fieldmark.ingestion.domain.event import Source

PAID_MEDIUMS = {
    "cpc",
    "ppc",
    "paid",
    "paidsearch",
    "paid_search",
    "paid-social",
    "paid_social",
    "cpm",
    "display",
    "retargeting",
    "affiliate",
}
EMAIL_MEDIUMS = {"email", "e-mail", "e_mail", "newsletter"}
SOCIAL_MEDIUMS = {"social", "social-network", "social-media", "sm", "social network", "social media"}
CHANNEL_OF_MEDIUM = {
    "search": "Organic Search",
    "social": "Organic Social",
    "email": "Email",
    "paid": "Paid",
    "ai": "AI Assistant",
}


def classify(referrer_url: str, page_host: str, utm: dict[str, str], known: tuple[str, str] | None) -> Source:
    """`known` is the referrer list's (source name, medium) for the referring host, if it lists it.

    Rules, first match wins: a referrer on the site's own host is internal (Direct); a paid UTM medium
    is Paid; an email medium or list entry is Email; an AI assistant is AI Assistant; a listed search
    engine or social network is Organic Search or Organic Social; a social UTM medium is Organic Social;
    any other referrer or UTM source is Referral; nothing at all is Direct."""
    parts = urlsplit(referrer_url) if referrer_url else None
    host = (parts.hostname or "").lower() if parts else ""
    if host and host == page_host:
        host = ""
    referrer = f"{host}{parts.path if parts else ''}".rstrip("/") if host else ""
    medium = utm.get("utm_medium", "").lower()
    name = known[0] if known else _bare(host)
    if not name and utm.get("utm_source"):
        name = utm["utm_source"]

    if medium in PAID_MEDIUMS or (known and known[1] == "paid"):
        channel = "Paid"
    elif medium in EMAIL_MEDIUMS or (known and known[1] == "email"):
        channel = "Email"
    elif known and known[1] in CHANNEL_OF_MEDIUM:
        channel = CHANNEL_OF_MEDIUM[known[1]]
    elif medium in SOCIAL_MEDIUMS:
        channel = "Organic Social"
    elif name:
        channel = "Referral"
    else:
        channel = "Direct"
    return Source(referrer=referrer[:2000], source=name[:300], channel=channel)


def _bare(host: str) -> str:
    return host[4:] if host.startswith("www.") else host
