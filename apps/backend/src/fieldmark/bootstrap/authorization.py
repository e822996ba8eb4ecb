"""The one guard every route goes through: it reads the route's declared access and asks Identity."""

from __future__ import annotations

import logging
from typing import Any

from litestar import Request
from litestar.connection import ASGIConnection
from litestar.exceptions import HTTPException
from litestar.handlers.base import BaseRouteHandler

from fieldmark.identity.adapters.http.auth_controller import SESSION_COOKIE
from fieldmark.identity.application.authorize import AccessRequest, Authorize, Caller, Scope
from fieldmark.identity.domain.roles import PERMISSIONS, Permission
from fieldmark.shared_kernel.access import (
    EDIT_SITES,
    MANAGE_SITES,
    PUBLIC,
    SITES_MANAGE,
    STATS_READ,
    VIEW,
    Access,
)
from fieldmark.shared_kernel.audit import Actor
from fieldmark.shared_kernel.errors import InvalidInput, PermissionDenied
from fieldmark.shared_kernel.net import host_of_origin

log = logging.getLogger(__name__)

_SAFE = {"GET", "HEAD", "OPTIONS"}
_TARGET = {Scope.TEAM: "team_id", Scope.SITE: "site_id"}


async def authorize(connection: ASGIConnection[Any, Any, Any, Any], handler: BaseRouteHandler) -> None:
    rule = handler.opt.get("access")
    if rule is None and connection.scope.get("method") == "OPTIONS":
        # Litestar's own OPTIONS handler: refused like any route without a rule, but it is no mistake of
        # ours worth an error in the log (its Allow header would list one controller's methods only).
        raise PermissionDenied("OPTIONS is not served here")
    if rule is None:
        log.error("route %s declares no access rule: refused", connection.scope.get("path"))
        raise PermissionDenied("this route declares no access rule")
    assert isinstance(rule, Access)
    if rule.same_origin:
        _refuse_cross_site(connection)
    if rule.scope == PUBLIC:
        return
    scope = Scope(rule.scope)
    site_domain = await _site_in_body(connection, rule.site_in_body) if rule.site_in_body else None
    use_case: Authorize = connection.app.state.identity.authorize
    method = connection.scope.get("method", "GET")
    bearer = connection.headers.get("authorization", "")
    api_key = bearer[7:].strip() if bearer[:7].lower() == "bearer " else None
    shared_link = bearer[7:].strip() if bearer[:7].lower() == "shared " else None
    heatmap = bearer[8:].strip() if bearer[:8].lower() == "heatmap " else None
    connection.state.caller = await use_case.execute(
        AccessRequest(
            session_token=connection.cookies.get(SESSION_COOKIE),
            csrf_token=connection.headers.get("x-csrf-token"),
            writes=method not in _SAFE,
            scope=scope,
            target=connection.path_params.get(_TARGET[scope]) if scope in _TARGET else None,
            permission=Permission(rule.permission) if rule.permission else None,
            api_key=api_key,
            key_scope=rule.key_scope,
            shared_link=shared_link,
            accepts_shared_links=rule.shared,
            site_domain=site_domain,
            heatmap_token=heatmap,
            accepts_heatmap_tokens=rule.heatmap,
            filters_sites=rule.filters_sites,
        )
    )
    caller: Caller = connection.state.caller
    connection.state.actor = Actor(
        caller.user.id if caller.user else None,
        caller.api_key.id if caller.api_key else None,
        _permissions(caller),
        caller.shared_link.id if caller.shared_link else None,
        caller.shared_link.segment_id if caller.shared_link else None,
        caller.api_key.site_ids if caller.api_key else None,
    )


def _refuse_cross_site(connection: ASGIConnection[Any, Any, Any, Any]) -> None:
    """JSON only (a cross-site form can send text/plain, never application/json without a CORS
    preflight we never grant), and no request made by another site's page: Sec-Fetch-Site where the
    browser sends it, else Origin against this instance's own host (BASE_URL's, or the Host header)."""
    media = connection.headers.get("content-type", "").split(";")[0].strip().lower()
    if media != "application/json" and not (media.startswith("application/") and media.endswith("+json")):
        raise HTTPException(status_code=415, detail="send this request as application/json")
    fetch_site = connection.headers.get("sec-fetch-site", "").lower()
    if fetch_site in ("same-origin", "none"):
        return
    origin = connection.headers.get("origin")
    if origin is None and not fetch_site:
        return  # not a browser (curl, a script): no page can have sent it
    own = {connection.headers.get("host", "").lower(), getattr(connection.app.state, "own_host", "")}
    if origin is None or host_of_origin(origin) not in own - {""}:
        raise PermissionDenied(
            "this request came from another site's page: sign in from Fieldmark's own pages", field="origin"
        )


def _permissions(caller: Caller) -> frozenset[str]:
    """What the caller may do on the team or site in the path, for use cases whose rules depend on it."""
    if caller.role is not None:
        return frozenset(p.value for p in PERMISSIONS[caller.role])
    if caller.api_key is not None:
        granted = {VIEW} if STATS_READ in caller.api_key.scopes else set()
        if SITES_MANAGE in caller.api_key.scopes:
            granted |= {VIEW, EDIT_SITES, MANAGE_SITES}
        return frozenset(granted)
    if caller.shared_link is not None or caller.heatmap_site is not None:
        return frozenset({VIEW})
    return frozenset()


async def _site_in_body(connection: ASGIConnection[Any, Any, Any, Any], field: str) -> str:
    """The site's domain from the JSON body; the body is cached, so the handler still reads it."""
    request = connection if isinstance(connection, Request) else Request(connection.scope, connection.receive)
    try:
        data = await request.json()
    except Exception:
        raise InvalidInput("the body is not JSON", field="body") from None
    domain = data.get(field) if isinstance(data, dict) else None
    if not isinstance(domain, str) or not domain:
        raise InvalidInput(f"{field} names the site by its domain", field=field)
    return domain
