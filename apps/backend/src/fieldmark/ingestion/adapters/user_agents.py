"""Browser, OS and device from ua-parser (the uap-core regexes, Rust-accelerated); bots from
crawlerdetect's maintained list. Both cached by user-agent string: real traffic repeats them."""

from __future__ import annotations

from functools import lru_cache

from crawlerdetect import CrawlerDetect
from ua_parser import parse

from fieldmark.ingestion.domain.event import Software

_crawlers = CrawlerDetect()
_MOBILE_OS = {"Android", "iOS", "Windows Phone", "KaiOS", "BlackBerry OS"}
_TABLETS = ("iPad", "Tablet", "Kindle", "Nexus 7", "Nexus 9", "SM-T", "Tab")


def _version(*parts: str | None) -> str:
    return ".".join(p for p in parts if p)


@lru_cache(maxsize=20_000)
def _parse(user_agent: str) -> Software:
    result = parse(user_agent)
    ua, os, device = result.user_agent, result.os, result.device
    os_name = os.family if os and os.family != "Other" else ""
    model = device.family if device and device.family != "Other" else ""
    if model and any(t in model or t in user_agent for t in _TABLETS):
        kind = "Tablet"
    elif os_name in _MOBILE_OS or "Mobile" in user_agent:
        kind = "Mobile"
    elif os_name or (ua and ua.family != "Other"):
        kind = "Desktop"
    else:
        kind = ""
    return Software(
        browser=ua.family if ua and ua.family != "Other" else "",
        browser_version=_version(ua.major, ua.minor) if ua else "",
        os=os_name,
        os_version=_version(os.major, os.minor) if os else "",
        device=kind,
    )


@lru_cache(maxsize=20_000)
def _is_bot(user_agent: str) -> bool:
    if not user_agent.strip():
        return True  # a request with no user agent is never a visitor's browser
    return bool(_crawlers.isCrawler(user_agent))


class UaParserClientSoftware:
    def parse(self, user_agent: str) -> Software:
        return _parse(user_agent[:1000])

    def is_bot(self, user_agent: str) -> bool:
        return _is_bot(user_agent[:1000])
