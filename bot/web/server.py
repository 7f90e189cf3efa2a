"""Serving the app: aiohttp's runner and a TCP site whose connections are held to limits.

``web.run_app`` takes a connection from anyone for as long as they like. Open a few hundred
connections, send half a request header each and wait: the process runs out of file
descriptors, ``/healthz`` stops answering and asyncio logs every failed ``accept()`` with a
traceback (18 MB in 12 s in the probe of issue 17). Here every connection goes through a
:class:`ConnectionGuard`:

- **one client, at most** ``connections_per_client`` **connections** (100: Telegram opens
  up to 40 to a webhook by default, 100 at most). The next one gets ``503`` and is closed.
  Proxies in ``FORWARDED_ALLOW_IPS`` carry everyone's requests and are not capped: the
  platform's router limits its own clients.
- **a connection must deliver its first request's header within** ``header_timeout_seconds``
  (10), or it is closed. Later requests on a kept-alive connection are bounded by the idle
  timeout (95 s: longer than Heroku's router keeps an idle connection, 90 s, so the router
  and not the app closes it and no request meets a connection being closed).

The file-descriptor limit is raised to its hard limit at start, and ``bot/logs.py`` keeps
a flood of identical errors out of the log.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import socket
from collections import Counter
from collections.abc import Callable
from typing import Any

from aiohttp import web
from aiohttp.web_protocol import RequestHandler

from bot.config import Settings, TrustedProxies
from bot.web.accesslog import AccessLogger

log = logging.getLogger(__name__)

#: Longer than the 90 s Heroku's router keeps an idle connection to a dyno.
KEEPALIVE_SECONDS = 95.0
BUSY = (b"HTTP/1.1 503 Service Unavailable\r\nContent-Type: text/plain\r\n"
        b"Content-Length: 40\r\nConnection: close\r\n\r\n"
        b"too many connections from your address\n")
_END_OF_HEADER = b"\r\n\r\n"


class ConnectionGuard:
    """Counts open connections per client address and refuses those over the cap."""

    def __init__(self, per_client: int, header_timeout: float,
                 trusted: TrustedProxies | None = None) -> None:
        self.per_client = per_client
        self.header_timeout = header_timeout
        self.trusted = trusted or TrustedProxies()
        self.open: Counter[str] = Counter()

    def admit(self, address: str | None) -> bool:
        if address is None or self.trusted.trusts(address):
            return True
        if self.open[address] >= self.per_client:
            # Never the address itself: the log names no one (SECURITY.md).
            log.warning("a connection was refused: %d already open from one client",
                        self.per_client)
            return False
        self.open[address] += 1
        return True

    def release(self, address: str) -> None:
        self.open[address] -= 1
        if self.open[address] <= 0:
            del self.open[address]

    def protocol(self, handler: RequestHandler) -> Guarded:
        return Guarded(self, handler)


class Guarded(asyncio.Protocol):
    """aiohttp's request handler for one connection, behind the guard's two checks."""

    def __init__(self, guard: ConnectionGuard, inner: RequestHandler) -> None:
        self._guard = guard
        self._inner = inner
        self._counted: str | None = None  # the address this connection counts against
        self._admitted = False
        self._transport: asyncio.Transport | None = None
        self._header_timer: asyncio.TimerHandle | None = None
        self._tail = b""  # the last bytes seen, to find the header's end across chunks

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        peer = transport.get_extra_info("peername")
        address = str(peer[0]) if isinstance(peer, tuple) and peer else None
        if not self._guard.admit(address):
            transport.write(BUSY)
            transport.close()
            return
        self._admitted = True
        if address is not None and not self._guard.trusted.trusts(address):
            self._counted = address
        self._transport = transport
        self._header_timer = asyncio.get_running_loop().call_later(
            self._guard.header_timeout, self._too_slow)
        self._inner.connection_made(transport)

    def data_received(self, data: bytes) -> None:
        if not self._admitted:  # refused: whatever it sends is dropped with the connection
            return
        if self._header_timer is not None:
            seen = self._tail + data
            if _END_OF_HEADER in seen:
                self._header_timer.cancel()
                self._header_timer = None
            else:
                self._tail = seen[-3:]
        self._inner.data_received(data)

    def _too_slow(self) -> None:
        self._header_timer = None
        log.info("a connection was closed: no request header within %.0f s",
                 self._guard.header_timeout)
        if self._transport is not None:
            self._transport.abort()

    def eof_received(self) -> bool | None:
        return self._inner.eof_received() if self._admitted else None

    def connection_lost(self, exc: Exception | None) -> None:
        if not self._admitted:
            return
        if self._header_timer is not None:
            self._header_timer.cancel()
            self._header_timer = None
        if self._counted is not None:
            self._guard.release(self._counted)
            self._counted = None
        self._inner.connection_lost(exc)

    def pause_writing(self) -> None:
        if self._admitted:
            self._inner.pause_writing()

    def resume_writing(self) -> None:
        if self._admitted:
            self._inner.resume_writing()


class GuardedSite(web.TCPSite):
    """``web.TCPSite`` whose every connection is wrapped by a :class:`ConnectionGuard`."""

    def __init__(self, runner: web.AppRunner, host: str, port: int,
                 guard: ConnectionGuard, **kwargs: Any) -> None:
        super().__init__(runner, host, port, **kwargs)
        self.guard = guard
        self.sock: socket.socket | None = None

    async def start(self) -> None:
        await web.BaseSite.start(self)  # registers the site with its runner
        server = self._runner.server
        assert server is not None
        guard = self.guard
        if self.sock is not None:  # bound beforehand (``serve`` does, to report a taken port)
            self._server = await asyncio.get_running_loop().create_server(
                lambda: guard.protocol(server()), sock=self.sock, backlog=self._backlog)
        else:
            self._server = await asyncio.get_running_loop().create_server(
                lambda: guard.protocol(server()), self._host, self._port,
                backlog=self._backlog, reuse_address=self._reuse_address,
                reuse_port=self._reuse_port)
        self._bound_port = self._server.sockets[0].getsockname()[1]


def guard_for(settings: Settings) -> ConnectionGuard:
    return ConnectionGuard(settings.connections_per_client, settings.header_timeout_seconds,
                           settings.forwarded_allow_ips)


async def start(app: web.Application, settings: Settings, host: str, port: int, *,
                shutdown_timeout: float = 10.0, handle_signals: bool = False,
                sock: socket.socket | None = None) -> tuple[web.AppRunner, GuardedSite]:
    """Start ``app`` (its start-up runs here) on a guarded site; ``runner.cleanup()`` stops
    it."""
    runner = web.AppRunner(app, handle_signals=handle_signals, access_log_class=AccessLogger,
                           keepalive_timeout=KEEPALIVE_SECONDS,
                           shutdown_timeout=shutdown_timeout)
    await runner.setup()
    site = GuardedSite(runner, host, port, guard_for(settings))
    site.sock = sock
    try:
        await site.start()
    except BaseException:
        await runner.cleanup()
        raise
    return runner, site


def run(app: web.Application, settings: Settings, host: str, port: int, *,
        shutdown_timeout: float, on_start: Callable[[], None] = lambda: None,
        sock: socket.socket | None = None) -> None:
    """What ``web.run_app`` does (SIGTERM and Ctrl-C stop it gracefully: requests in
    flight finish, then the app's cleanup runs), on a guarded site."""
    _raise_open_files_limit()
    loop = asyncio.new_event_loop()
    asyncio.set_event_loop(loop)

    async def serve() -> None:
        runner, _site = await start(app, settings, host, port, sock=sock,
                                    shutdown_timeout=shutdown_timeout, handle_signals=True)
        try:
            on_start()
            await asyncio.Event().wait()  # until a signal raises GracefulExit
        finally:
            await runner.cleanup()

    main = loop.create_task(serve())
    try:
        loop.run_until_complete(main)
    except (web.GracefulExit, KeyboardInterrupt):
        pass
    finally:
        try:
            if not main.done():
                main.cancel()  # its ``finally`` drains requests and runs the app's cleanup
                with contextlib.suppress(asyncio.CancelledError):
                    loop.run_until_complete(main)
        finally:
            rest = asyncio.all_tasks(loop)
            for task in rest:
                task.cancel()
            loop.run_until_complete(asyncio.gather(*rest, return_exceptions=True))
            loop.run_until_complete(loop.shutdown_asyncgens())
            loop.close()


def _raise_open_files_limit() -> None:
    """Connections are file descriptors: use all the system allows this process."""
    try:
        import resource  # Unix only
    except ImportError:
        return
    with contextlib.suppress(ValueError, OSError):
        soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
        target = 65536 if hard == resource.RLIM_INFINITY else hard
        if soft != resource.RLIM_INFINITY and soft < target:
            resource.setrlimit(resource.RLIMIT_NOFILE, (target, hard))
