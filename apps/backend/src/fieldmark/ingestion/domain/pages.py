"""Page URLs: hostnames a site allows, paths with the query stripped, UTM parameters, screen classes."""

from __future__ import annotations

from urllib.parse import parse_qsl, urlencode, urlsplit

UTM_KEYS = ("utm_source", "utm_medium", "utm_campaign", "utm_content", "utm_term")


def hostname_allowed(host: str, allowed: tuple[str, ...]) -> bool:
    """`example.com` matches itself; `*.example.com` matches any subdomain (not the apex)."""
    host = host.lower().rstrip(".")
    for pattern in allowed:
        if pattern.startswith("*."):
            if host.endswith(pattern[1:]) and len(host) > len(pattern) - 1:
                return True
        elif host == pattern:
            return True
    return False


def split_page(
    url: str, kept_params: tuple[str, ...] = (), hash_mode: bool = False
) -> tuple[str, str, dict[str, str]]:
    """Hostname, pathname (query stripped but for `kept_params`; the fragment kept in hash mode), UTM."""
    parts = urlsplit(url)
    query = parse_qsl(parts.query, keep_blank_values=False)
    utm = {k: v[:500] for k, v in query if k in UTM_KEYS}
    if "utm_source" not in utm:
        ref = next((v for k, v in query if k in ("ref", "source")), None)
        if ref:
            utm["utm_source"] = ref[:500]
    path = parts.path or "/"
    kept = [(k, v) for k, v in query if k in kept_params]
    if kept:
        path += "?" + urlencode(kept)
    if hash_mode and parts.fragment:
        path += "#" + parts.fragment
    return (parts.hostname or "").lower(), path, utm


def screen_class(width: int | None) -> str:
    """The classes Plausible uses, so imported and compared data line up."""
    if width is None:
        return ""
    if width < 576:
        return "Mobile"
    if width < 992:
        return "Tablet"
    if width < 1440:
        return "Laptop"
    return "Desktop"
