"""Extra `collect` processes for `fieldmark run`: they share the public port (SO_REUSEPORT), answer the
collect endpoint and the tracker themselves, and pass every other request to the main process over a Unix
socket, so the dashboard and `/api/health` answer the same whichever process the kernel picked."""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
from pathlib import Path
from typing import Any

import httpx
from litestar import Request, Response, route

from fieldmark.bootstrap.engines import EngineUrls, _die_with_parent
from fieldmark.shared_kernel.access import PUBLIC, access
from fieldmark.shared_kernel.net import FORWARDING_HEADERS, RELAYED_PEER, Network, client_ip

UPSTREAM_ENV = "FIELDMARK_UPSTREAM_SOCKET"
REUSE_PORT_ENV = "FIELDMARK_REUSE_PORT"
_HOP_BY_HOP = {
    "connection",
    "keep-alive",
    "transfer-encoding",
    "te",
    "trailer",
    "upgrade",
    "host",
    "content-length",
    "proxy-authorization",
    "proxy-authenticate",
}


def listening_socket(host: str, port: int, *, reuse_port: bool) -> socket.socket:
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    if reuse_port:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.listen(2048)
    sock.set_inheritable(True)
    return sock


def unix_socket(path: Path) -> socket.socket:
    with contextlib.suppress(FileNotFoundError):
        path.unlink()
    sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    sock.bind(str(path))
    os.chmod(path, 0o600)
    sock.listen(2048)
    return sock


class CollectProcesses:
    """Starts and stops `fieldmark collect` children wired to this process's engines."""

    def __init__(self, count: int, urls: EngineUrls, upstream: Path) -> None:
        self._count = count
        self._urls = urls
        self._upstream = upstream
        self._children: list[subprocess.Popen[bytes]] = []

    def start(self) -> None:
        env = {
            **os.environ,
            "DATABASE_URL": self._urls.database_url,
            "REDIS_URL": self._urls.redis_url,
            UPSTREAM_ENV: str(self._upstream),
            REUSE_PORT_ENV: "1",
        }
        for _ in range(self._count):
            self._children.append(
                subprocess.Popen(
                    [sys.executable, "-m", "fieldmark", "collect"],
                    env=env,
                    preexec_fn=_die_with_parent,
                )
            )

    def stop(self) -> None:
        for child in self._children:
            if child.poll() is None:
                child.send_signal(signal.SIGTERM)
        for child in self._children:
            try:
                child.wait(timeout=15)
            except subprocess.TimeoutExpired:
                child.kill()
                child.wait()
        self._children.clear()


def upstream_proxy(socket_path: str, trusted_proxies: tuple[Network, ...]) -> Any:
    """A catch-all handler passing a request to the main process's Unix socket. The client's address is
    resolved here, as the main process would (forwarding headers count only from a trusted proxy), and
    relayed in a header of our own; every forwarding header the client sent is dropped, so the main
    process, which trusts its Unix socket, never sees an address the client made up."""
    client = httpx.AsyncClient(
        transport=httpx.AsyncHTTPTransport(uds=socket_path), base_url="http://fieldmark", timeout=60
    )

    # "/api/..." as well: inside the static "/api" prefix the router does not fall back to "/{path}".
    @route(
        ["/", "/{path:path}", "/api/{path:path}"],
        http_method=["GET", "POST", "PUT", "PATCH", "DELETE", "HEAD"],
        include_in_schema=False,
        operation_id="proxyToMain",
        opt=access(PUBLIC),  # the main process's guard decides
    )
    async def proxy(request: Request[Any, Any, Any]) -> Response[bytes]:
        headers = {
            k: v
            for k, v in request.headers.items()
            if k.lower() not in _HOP_BY_HOP and k.lower() not in FORWARDING_HEADERS
        }
        peer = request.client.host if request.client else ""
        headers[RELAYED_PEER] = client_ip(
            peer, request.headers.get("x-forwarded-for"), request.headers.get("forwarded"), trusted_proxies
        )
        upstream = await client.request(
            request.method,
            request.url.path,
            params=request.url.query or None,
            headers=headers,
            content=await request.body(),
        )
        out = {k: v for k, v in upstream.headers.items() if k.lower() not in _HOP_BY_HOP}
        return Response(
            upstream.content,
            status_code=upstream.status_code,
            headers=out,
            media_type=upstream.headers.get("content-type"),
        )

    return proxy
