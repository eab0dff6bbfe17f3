"""A TCP relay on 127.0.0.1 in front of a lab server: what a network tap or a slow link does to the bytes.

``Relay`` forwards each connection both ways on its own threads; subclasses look at (or delay)
each chunk through ``upstream``/``downstream``. ``close()`` (or the ``with`` block) ends the
listener and every connection, so nothing is left running.
"""

from __future__ import annotations

import socket
import threading
from collections.abc import Callable

__all__ = ["Relay"]


class Relay:
    """``127.0.0.1:port`` → ``(target_host, target_port)``; override the hooks to see or shape the bytes."""

    def __init__(self, target_host: str, target_port: int, name: str = "relay"):
        self.target = (target_host, int(target_port))
        self._listener = socket.create_server(("127.0.0.1", 0))
        self._listener.settimeout(0.2)
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self._closed = threading.Event()
        self._socks: list[socket.socket] = []
        self._lock = threading.Lock()
        self._thread = threading.Thread(
            target=self._accept, name=f"sessionlab-{name}-{self.port}", daemon=True
        )
        self._thread.start()

    def upstream(self, data: bytes) -> None:
        """A chunk on its way from the client to the server (before it is forwarded)."""

    def downstream(self, data: bytes) -> None:
        """A chunk on its way from the server to the client (before it is forwarded)."""

    def _accept(self) -> None:
        while not self._closed.is_set():
            try:
                client, _ = self._listener.accept()
                upstream = socket.create_connection(self.target, timeout=5)
            except TimeoutError:
                continue
            except OSError:
                return
            for s in (client, upstream):
                s.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
                s.settimeout(None)
            with self._lock:
                self._socks += [client, upstream]
            for src, dst, hook in ((client, upstream, self.upstream), (upstream, client, self.downstream)):
                threading.Thread(target=self._pump, args=(src, dst, hook), daemon=True).start()

    @staticmethod
    def _pump(src: socket.socket, dst: socket.socket, hook: Callable[[bytes], None]) -> None:
        try:
            while data := src.recv(65536):
                hook(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def close(self) -> None:
        self._closed.set()
        try:  # wakes a thread blocked in accept(): close() alone leaves the port listening until it returns
            self._listener.shutdown(socket.SHUT_RDWR)
        except OSError:
            pass
        self._listener.close()
        self._thread.join(timeout=1)
        with self._lock:
            socks, self._socks = self._socks, []
        for s in socks:
            try:
                s.close()
            except OSError:
                pass

    def __enter__(self):
        return self

    def __exit__(self, *exc) -> None:
        self.close()
