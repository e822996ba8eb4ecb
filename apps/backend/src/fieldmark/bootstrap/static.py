"""Serves the built dashboard at `/` (history-mode routes fall back to index.html) and the tracker."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from typing import Annotated

from litestar import Response, get
from litestar.exceptions import NotFoundException
from litestar.handlers import HTTPRouteHandler
from litestar.params import FromPath, Parameter
from litestar.response import File

from fieldmark.shared_kernel.access import PUBLIC, access

_PACKAGE = Path(__file__).resolve().parent.parent  # src/fieldmark
_REPO = _PACKAGE.parents[3] if len(_PACKAGE.parents) > 3 else _PACKAGE


def _first_dir(*candidates: Path) -> Path | None:
    return next((c for c in candidates if c.is_dir()), None)


def frontend_dir() -> Path | None:
    """`fieldmark/static/app` in an image, `apps/frontend/dist` in a checkout."""
    return _first_dir(_PACKAGE / "static" / "app", _REPO / "apps" / "frontend" / "dist")


def tracker_dir() -> Path | None:
    return _first_dir(_PACKAGE / "static" / "tracker", _REPO / "packages" / "tracker" / "dist")


_NOT_BUILT = (
    "<!doctype html><title>Fieldmark</title><p>The dashboard has not been built. "
    "Run <code>make setup</code> (or <code>npm run build</code> in apps/frontend).</p>"
)


# ES modules the core script loads on demand with import(); the overlay only on a page opened to show
# its heatmap.
TRACKER_MODULES = ("extras", "heat", "overlay")


def tracker_files(aliases: str) -> HTTPRouteHandler:
    """`/js/script.js` and its aliases (TRACKER_ALIASES), and the modules it loads. Every file may be
    read from any origin (CORS), which the modules' `import()` needs when Fieldmark is on another host."""
    served = {"script.js": "script.js"}
    served |= {name.strip(): "script.js" for name in aliases.split(",") if name.strip()}
    served |= {f"{module}.js": f"{module}.js" for module in TRACKER_MODULES}

    @get(
        "/js/{file:str}",
        operation_id="getTrackerFile",
        include_in_schema=False,
        cache=False,
        opt=access(PUBLIC),
    )
    async def tracker_file(file: FromPath[str]) -> File:
        built = served.get(file)
        if built is None:
            raise NotFoundException(f"no tracker file /js/{file}; the script is /js/script.js")
        folder = tracker_dir()
        if folder is None or not (folder / built).is_file():
            raise NotFoundException("the tracker has not been built: run make setup")
        return File(
            folder / built,
            content_disposition_type="inline",
            media_type="text/javascript",
            headers={"Cache-Control": "public, max-age=3600", "Access-Control-Allow-Origin": "*"},
        )

    return tracker_file


@get("/", operation_id="getDashboard", include_in_schema=False, cache=False, opt=access(PUBLIC))
async def dashboard_index() -> Response[str] | File:
    return _dashboard_file("")


@get(
    "/{path:path}", operation_id="getDashboardRoute", include_in_schema=False, cache=False, opt=access(PUBLIC)
)
async def dashboard_route(path: Annotated[str, Parameter()]) -> Response[str] | File:
    return _dashboard_file(path)


def _dashboard_file(path: str) -> Response[str] | File:
    """A built file when the path names one, else index.html, so the SPA's history routes work."""
    relative = path.lstrip("/")
    if relative == "api" or relative.startswith(("api/", "js/")):
        raise NotFoundException(f"no route for /{relative}")
    folder = frontend_dir()
    if folder is None or not (folder / "index.html").is_file():
        return Response(_NOT_BUILT, media_type="text/html", status_code=503)
    if relative:
        candidate = (folder / relative).resolve()
        if candidate.is_file() and candidate.is_relative_to(folder.resolve()):
            immutable = relative.startswith("assets/")
            cache = "public, max-age=31536000, immutable" if immutable else "public, max-age=300"
            return _file(candidate, cache)
    return _file(folder / "index.html", "no-cache")


def _file(path: Path, cache: str) -> File:
    """Shown in the browser, typed by its name: without a media type a browser downloads the page."""
    media_type = mimetypes.guess_type(path.name)[0] or "application/octet-stream"  # Litestar adds the charset
    return File(
        path,
        filename=path.name,
        media_type=media_type,
        content_disposition_type="inline",
        headers={"Cache-Control": cache},
    )
