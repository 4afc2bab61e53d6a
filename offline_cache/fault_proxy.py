"""A fault-injecting TCP proxy (asyncio) for the sync tests and the weak-link benchmark, on
a kernel without netem. Test support: the seat's own code never uses it.

Between the seat and the server it adds one-way latency, caps bandwidth per direction
(shared by all connections, like one slow link), cuts a connection after N bytes of
request or response, cuts a random share of HTTP responses part-way, swallows traffic
(black hole) or resets new connections. Settings can change while connections are open.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import re
import socket
import struct
import threading
import time
from dataclasses import dataclass, field

CHUNK = 4096
_LENGTH = re.compile(rb"\r\ncontent-length:\s*(\d+)", re.IGNORECASE)


@dataclass
class Faults:
    latency: float = 0.0  # seconds added one way, each direction
    bandwidth: float | None = None  # bytes per second per direction
    cut_request_after: int | None = None  # bytes client→server per connection
    cut_response_after: int | None = None  # bytes server→client per connection
    cut_response_probability: float = 0.0  # share of HTTP responses cut part-way
    cut_response_every: int | None = None  # cut every Nth HTTP response part-way (exact share)
    black_hole: bool = False
    reset: bool = False
    seed: int | None = None


@dataclass
class Stats:
    connections: int = 0
    bytes_up: int = 0
    bytes_down: int = 0
    cuts: int = 0
    resets: int = 0
    responses: int = 0


class _Link:
    """One direction of the slow link: serialises bytes at ``bandwidth``."""

    def __init__(self) -> None:
        self.free_at = 0.0

    def departure(self, size: int, bandwidth: float | None) -> float:
        now = time.monotonic()
        if not bandwidth:
            return now
        start = max(now, self.free_at)
        self.free_at = start + size / bandwidth
        return self.free_at


@dataclass
class FaultProxy:
    upstream_host: str
    upstream_port: int
    faults: Faults = field(default_factory=Faults)
    stats: Stats = field(default_factory=Stats)
    host: str = "127.0.0.1"
    port: int = 0

    def __post_init__(self) -> None:
        self._server: asyncio.AbstractServer | None = None
        self._up, self._down = _Link(), _Link()
        self._tasks: set[asyncio.Task[None]] = set()
        self._writers: set[asyncio.StreamWriter] = set()
        self._rng = random.Random(self.faults.seed)

    @property
    def url(self) -> str:
        return f"http://{self.host}:{self.port}"

    async def start(self) -> FaultProxy:
        self._server = await asyncio.start_server(self._accept, self.host, self.port)
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        if self._server is not None:
            self._server.close()
        self.drop_all()
        for task in list(self._tasks):
            task.cancel()
        if self._tasks:
            await asyncio.gather(*self._tasks, return_exceptions=True)

    def drop_all(self) -> None:
        """Cut every open connection at once (a partition starting)."""
        for writer in list(self._writers):
            writer.transport.abort()

    async def _accept(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.stats.connections += 1
        self._writers.add(writer)
        f = self.faults
        try:
            if f.reset:
                self.stats.resets += 1
                sock = writer.get_extra_info("socket")
                sock.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
                writer.transport.abort()
                return
            if f.black_hole:
                while await reader.read(CHUNK):
                    pass
                return
            try:
                up_reader, up_writer = await asyncio.open_connection(
                    self.upstream_host, self.upstream_port
                )
            except OSError:
                writer.transport.abort()
                return
            self._writers.add(up_writer)
            state = {"closed": False}
            tasks = [
                asyncio.ensure_future(self._pipe(reader, up_writer, writer, True, state)),
                asyncio.ensure_future(self._pipe(up_reader, writer, up_writer, False, state)),
            ]
            for t in tasks:
                self._tasks.add(t)
                t.add_done_callback(self._tasks.discard)
            await asyncio.gather(*tasks, return_exceptions=True)
            self._writers.discard(up_writer)
        finally:
            self._writers.discard(writer)

    async def _pipe(
        self,
        src: asyncio.StreamReader,
        dst: asyncio.StreamWriter,
        other: asyncio.StreamWriter,
        upstream: bool,
        state: dict[str, bool],
    ) -> None:
        """Read, stamp each chunk with its due time (link + latency), deliver in order."""
        queue: asyncio.Queue[tuple[float, bytes] | None] = asyncio.Queue()
        writer = asyncio.ensure_future(self._drain(queue, dst))
        cut = await self._read(src, queue, upstream)
        await writer
        if cut or state["closed"]:
            state["closed"] = True
            dst.transport.abort()
            other.transport.abort()
        else:
            with contextlib.suppress(OSError, RuntimeError):
                dst.write_eof()

    async def _read(
        self,
        src: asyncio.StreamReader,
        queue: asyncio.Queue[tuple[float, bytes] | None],
        upstream: bool,
    ) -> bool:
        f = self.faults
        link = self._up if upstream else self._down
        sent = 0
        cut_at: int | None = None  # for a response chosen to be cut
        try:
            while True:
                data = await src.read(CHUNK)
                if not data:
                    return False
                if f.black_hole:
                    continue
                limit = f.cut_request_after if upstream else f.cut_response_after
                every = f.cut_response_every
                if (
                    not upstream
                    and data.startswith(b"HTTP/1.")
                    and (f.cut_response_probability or every)
                ):
                    self.stats.responses += 1
                    if (every and self.stats.responses % every == 0) or (
                        self._rng.random() < f.cut_response_probability
                    ):
                        match = _LENGTH.search(data)
                        total = data.find(b"\r\n\r\n") + 4 + (int(match.group(1)) if match else 0)
                        cut_at = sent + self._rng.randint(1, max(1, total - 1))
                if cut_at is not None:
                    limit = cut_at if limit is None else min(limit, cut_at)
                cut = limit is not None and sent + len(data) >= limit
                if cut:
                    data = data[: max(0, limit - sent)]  # type: ignore[operator]
                if data:
                    due = link.departure(len(data), f.bandwidth) + f.latency
                    await queue.put((due, data))
                    sent += len(data)
                    if upstream:
                        self.stats.bytes_up += len(data)
                    else:
                        self.stats.bytes_down += len(data)
                if cut:
                    self.stats.cuts += 1
                    return True
        except (ConnectionError, OSError):
            return True
        finally:
            await queue.put(None)

    async def _drain(
        self, queue: asyncio.Queue[tuple[float, bytes] | None], dst: asyncio.StreamWriter
    ) -> None:
        try:
            while (item := await queue.get()) is not None:
                due, data = item
                wait = due - time.monotonic()
                if wait > 0:
                    await asyncio.sleep(wait)
                dst.write(data)
                await dst.drain()
        except (ConnectionError, OSError):
            while await queue.get() is not None:
                pass


class ProxyThread:
    """The proxy on its own event loop thread, for sync code and subprocess clients."""

    def __init__(self, upstream_host: str, upstream_port: int, faults: Faults | None = None):
        self.proxy = FaultProxy(upstream_host, upstream_port, faults or Faults())
        self._loop = asyncio.new_event_loop()
        self._thread = threading.Thread(target=self._loop.run_forever, daemon=True)

    def __enter__(self) -> FaultProxy:
        self._thread.start()
        asyncio.run_coroutine_threadsafe(self.proxy.start(), self._loop).result(10)
        return self.proxy

    def __exit__(self, *exc: object) -> None:
        asyncio.run_coroutine_threadsafe(self.proxy.stop(), self._loop).result(10)
        self._loop.call_soon_threadsafe(self._loop.stop)
        self._thread.join(10)
