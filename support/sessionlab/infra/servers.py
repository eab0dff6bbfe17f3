"""Run a WSGI app on 127.0.0.1 in a background thread, the way every lab does.

Why waitress and not werkzeug's ``make_server``: werkzeug's development server
answers every request with ``Connection: close`` and starts a thread per
connection, which costs about twice the latency of a keep-alive server on this
kind of machine (about 590 µs vs 230 µs per GET with http.client, measured with
``benchmarks/bench_foundation.py``). The labs compare costs of a few tens of
microseconds (a Redis lookup, a JWT verify), so the server must not drown them.
waitress keeps HTTP/1.1 connections alive, binds at once to the port we pick
(``sessionlab.infra.ports`` says why not port 0), answers a malformed request
line with 400 and an oversized header with 431 by itself, and writes no
per-request log lines (which would break the stored notebook outputs).

Hostile clients (slowloris): waitress reads requests in its event loop and hands a
worker thread only a complete request, so slow clients cost a socket each, not a
thread. What they can exhaust is the connection limit (waitress: 100), after which
nobody is accepted. So a lab server accepts up to ``connection_limit=1000``
connections (``poll``, not ``select``, past 1024 descriptors), closes a connection idle
for ``channel_timeout`` (30 s), and closes one whose request (line, headers, body) is
not complete ``request_timeout`` (10 s) after its first byte, however slowly it
dribbles in; waitress's own ``channel_timeout`` alone only sees idleness. Both are
checked every second (``cleanup_interval``).

Stopping: waitress's own ``close()`` waits for its event loop's timeout; we
instead hand the loop a function through its trigger, so the loop thread itself
closes the listening socket and every kept-alive connection, and the loop ends
at once (well under a millisecond).
"""

from __future__ import annotations

import atexit
import errno
import functools
import logging
import threading
import weakref
from typing import cast

from waitress.server import BaseWSGIServer, MultiSocketServer, create_server

from sessionlab.infra.ports import HOST, NoFreePortError, PortTaken, on_free_port
from sessionlab.infra.proxied import behind_proxy

__all__ = ["LabServer", "LabServerError", "serve", "running", "stop_all"]


# waitress warns about queue depth under load tests; that is noise in a notebook.
logging.getLogger("waitress.queue").setLevel(logging.ERROR)

_lock = threading.Lock()
_named: dict[str, LabServer] = {}
_all: weakref.WeakSet[LabServer] = weakref.WeakSet()


class LabServerError(RuntimeError):
    """A lab server could not start; the message says why, in Korean."""


def _create_server(
    port: int, *, wsgi, threads: int, channel_timeout: int, connection_limit: int
) -> MultiSocketServer | BaseWSGIServer:
    """waitress bound to ``HOST:port`` with the course's limits; ``PortTaken`` if someone else has it."""
    try:
        return create_server(
            wsgi,
            host=HOST,
            port=port,
            threads=threads,
            ident="sessionlab",
            channel_timeout=channel_timeout,  # an idle connection is closed after this
            cleanup_interval=1,
            connection_limit=connection_limit,
            asyncore_use_poll=True,
            # A header past 16 KiB is refused with 431 before the app sees it.
            max_request_header_size=16 * 1024,
            # Keep X-Forwarded-For & co. (waitress drops them by default): lab servers
            # sit behind sessionlab.web.balancer, and everything binds to 127.0.0.1 only.
            clear_untrusted_proxy_headers=False,
        )
    except OSError as exc:
        if exc.errno == errno.EADDRINUSE:
            raise PortTaken(exc.errno, exc.strerror) from None
        raise


class LabServer:
    """One WSGI app served on 127.0.0.1. Use ``.url``; call ``.stop()`` or use ``with``."""

    def __init__(
        self,
        app,
        name: str | None = None,
        port: int = 0,
        threads: int = 8,
        *,
        channel_timeout: int = 30,
        request_timeout: float = 10,
        connection_limit: int = 1000,
    ):
        self.app = app
        self.name = name or cast(str, getattr(app, "name", "app"))
        wsgi = behind_proxy(app)  # also reachable through jupyter-server-proxy (JupyterHub, Binder)

        create = functools.partial(
            _create_server,
            wsgi=wsgi,
            threads=threads,
            channel_timeout=channel_timeout,
            connection_limit=connection_limit,
        )
        try:  # not port 0: see sessionlab.infra.ports for why the port is ours to choose
            self._server = create(port) if port else on_free_port(create)
        except NoFreePortError:
            raise LabServerError("실습 서버에 쓸 빈 포트를 찾지 못했습니다.") from None
        except OSError as exc:
            where = f"{HOST}:{port}" if port else f"{HOST}의 빈 포트"
            raise LabServerError(
                f"실습 서버 '{self.name}'를 {where}에 띄우지 못했습니다 ({exc.strerror}). "
                "다른 프로그램이 그 포트를 쓰고 있다면 port=0(빈 포트 자동 선택)으로 다시 실행하세요."
            ) from None
        self.request_timeout = float(request_timeout)
        waitress_maintenance = self._server.maintenance  # type: ignore[union-attr]

        def maintenance(now: float) -> None:
            waitress_maintenance(now)  # type: ignore[arg-type]  # time.time(): its stubs say int
            _cut_slow_requests(self._server, now, self.request_timeout)

        self._server.maintenance = maintenance  # type: ignore[method-assign,union-attr]
        self.host = HOST
        self.port = int(self._server.effective_port)  # type: ignore[union-attr]  # set by waitress, missing from its stubs
        self.url = f"http://{HOST}:{self.port}"
        self._thread = threading.Thread(
            target=self._server.run, name=f"sessionlab-server-{self.name}-{self.port}", daemon=True
        )
        self._stopped = False
        self._thread.start()

    @property
    def running(self) -> bool:
        return not self._stopped and self._thread.is_alive()

    def stop(self) -> None:
        """Close the listening socket and every open connection, then end all threads."""
        if self._stopped:
            return
        self._stopped = True
        server = self._server

        def in_loop(fn):
            """Run ``fn`` in the event-loop thread (the only safe place to close channels)."""
            done = threading.Event()

            def thunk():
                try:
                    fn()
                finally:
                    done.set()

            try:
                server.trigger.pull_trigger(thunk)
            except OSError:  # trigger already gone: the loop has ended
                return
            done.wait(timeout=5)

        def close_listener():
            server.del_channel()
            server.socket.close()

        def close_rest():
            for channel in list(server._map.values()):
                if channel is not server.trigger:
                    channel.close()
            server.trigger.close()

        if self._thread.is_alive():
            in_loop(close_listener)  # 1. no new connections
            # 2. let requests being served finish (they wake the loop through the trigger)
            server.task_dispatcher.shutdown(timeout=5)
            in_loop(close_rest)  # 3. kept-alive connections and the trigger; the loop ends
            self._thread.join(timeout=5)
        else:
            server.task_dispatcher.shutdown(timeout=5)
        with _lock:
            if _named.get(self.name) is self:
                del _named[self.name]

    def __enter__(self) -> LabServer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        state = "실행 중" if self.running else "중지됨"
        return f"<LabServer {self.name} {self.url} {state}>"


def _cut_slow_requests(server, now: float, limit: float) -> None:
    """Close connections whose request started more than ``limit`` seconds ago and is still incomplete.

    Runs in waitress's event loop (its ``maintenance``). ``channel.request`` is the request
    being parsed (None between requests); we note when we first saw each one.
    """
    for channel in list(server.active_channels.values()):
        partial = getattr(channel, "request", None)
        if partial is None or partial.completed:
            channel._sl_partial = None
            continue
        if getattr(channel, "_sl_partial", None) is not partial:
            channel._sl_partial, channel._sl_since = partial, getattr(channel, "last_activity", now)
        elif now - channel._sl_since > limit:
            channel.will_close = True


def serve(app, name: str | None = None, port: int = 0, threads: int = 8, **limits) -> LabServer:
    """Start ``app`` on 127.0.0.1 (a free port unless ``port`` is given).

    With a ``name``, starting again under the same name first stops the old
    server, so re-running a notebook cell replaces its server instead of failing.
    Without one, every call starts an independent server. ``limits``: ``channel_timeout``,
    ``request_timeout``, ``connection_limit`` of ``LabServer`` (see the module doc).
    """
    if name is not None:
        with _lock:
            old = _named.pop(name, None)
        if old is not None:
            old.stop()
    server = LabServer(app, name=name, port=port, threads=threads, **limits)
    with _lock:
        _all.add(server)
        if name is not None:
            _named[name] = server
    return server


def running() -> list[LabServer]:
    """Every lab server of this process that is still running."""
    with _lock:
        return [s for s in list(_all) if s.running]


def stop_all() -> int:
    """Stop every lab server of this process; returns how many were stopped."""
    servers = running()
    for server in servers:
        server.stop()
    return len(servers)


atexit.register(stop_all)
