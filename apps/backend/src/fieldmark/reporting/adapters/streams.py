"""Streaming a ClickHouse answer to an HTTP client without holding it in memory: a thread reads the
driver's stream (chDB and clickhouse-connect are synchronous) into a small bounded queue, in chunks of
about 64 KiB, and the event loop sends each chunk as it comes. A slow client slows the reading; a client
that goes away stops it."""

from __future__ import annotations

import asyncio
import queue
import threading
from collections.abc import AsyncIterator, Callable, Iterable
from typing import Any

CHUNK = 64 * 1024
DEPTH = 8  # chunks queued at most: memory stays under about DEPTH x CHUNK per export

_END = object()


async def stream_in_thread(read: Callable[[Callable[[Iterable[bytes]], None]], Any]) -> AsyncIterator[bytes]:
    """`read(pump)` runs in a thread and calls `pump(chunks)` with the driver's byte stream."""
    handoff: queue.Queue[object] = queue.Queue(maxsize=DEPTH)
    stop = threading.Event()

    def put(item: object) -> bool:
        while not stop.is_set():
            try:
                handoff.put(item, timeout=0.2)
                return True
            except queue.Full:
                continue
        return False

    def pump(chunks: Iterable[bytes]) -> None:
        buffer = bytearray()
        for chunk in chunks:
            buffer += chunk
            if len(buffer) >= CHUNK:
                if not put(bytes(buffer)):
                    return
                buffer.clear()
        if buffer:
            put(bytes(buffer))

    def work() -> None:
        try:
            read(pump)
            put(_END)
        except BaseException as exc:  # handed to the reader, which raises it
            put(exc)

    thread = threading.Thread(target=work, name="export-stream", daemon=True)
    thread.start()
    try:
        while True:
            item = await asyncio.to_thread(handoff.get)
            if item is _END:
                return
            if isinstance(item, BaseException):
                raise item
            yield item  # type: ignore[misc]
    finally:
        stop.set()
