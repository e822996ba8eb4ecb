"""How a route declares who may call it; the Identity context decides, through the one guard."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

PUBLIC = "public"  # no caller needed
USER = "user"  # any signed-in user
TEAM = "team"  # a permission on the team whose id is the path parameter `team_id`
SITE = "site"  # a permission on the team owning the site whose id is the path parameter `site_id`

# Permissions, granted by role in identity.domain.roles.
VIEW = "view"
EDIT_SITES = "edit_sites"
MANAGE_SITES = "manage_sites"
MANAGE_MEMBERS = "manage_members"
MANAGE_TEAM = "manage_team"

# API-key scopes: a route that API keys may call names the scope that grants it.
STATS_READ = "stats:read"
EVENTS_WRITE = "events:write"
SITES_MANAGE = "sites:manage"


@dataclass(frozen=True)
class Access:
    scope: str
    permission: str | None = None
    key_scope: str | None = None  # API keys with this scope may call the route too; None: no API keys
    shared: bool = False  # shared-link holders may call it too (read-only routes of one site)
    heatmap: bool = False  # a heatmap token of the site may call it too (the overlay's reads)
    site_in_body: str | None = None  # SITE scope: the JSON body's field naming the site by its domain
    # TEAM scope: the answer covers only the sites the caller sees (`Actor.sees`), so API keys limited to
    # some sites may call it. Without it the guard refuses such keys on team-wide routes (403).
    filters_sites: bool = False
    # A public route that signs a browser in (sets the session cookie): it takes JSON only, and refuses a
    # request another site's page made (Sec-Fetch-Site, else Origin), so no page can sign a visitor into
    # an account of its choosing (login CSRF).
    same_origin: bool = False


def access(
    scope: str,
    permission: str | None = None,
    *,
    key_scope: str | None = None,
    shared: bool = False,
    site_in_body: str | None = None,
    heatmap: bool = False,
    filters_sites: bool = False,
    same_origin: bool = False,
) -> dict[str, Any]:
    """A route handler's `opt`: `@get(..., opt=access(SITE, VIEW, key_scope=STATS_READ, shared=True))`."""
    rule = Access(
        scope,
        permission,
        key_scope,
        shared=shared,
        heatmap=heatmap,
        site_in_body=site_in_body,
        filters_sites=filters_sites,
        same_origin=same_origin,
    )
    return {"access": rule}
