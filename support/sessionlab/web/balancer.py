"""A small load balancer (reverse proxy) for the labs: N backends behind one URL.

    lb = start_balancer([b1.url, b2.url, b3.url], policy="round_robin", name="lb")
    requests.get(lb.url + "/count")      # served by one of the backends
    lb.counts()                          # {'b1': 1, 'b2': 0, 'b3': 0}
    lb.policy = "sticky"                 # switch policy at run time
    lb.mark_down(1); lb.mark_up("b2")    # take a backend out of rotation and back (index or name)
    lb.stop()

Policies (how a backend is chosen for each request):

- ``round_robin``: the next backend that is up, in turn.
- ``sticky``: the first answer carries a cookie (``lb_server=b2``) that names the
  backend; later requests with that cookie go to the same backend. If that backend
  is marked down, the request goes to another one and the cookie is replaced; if it
  is unreachable, the answer is 502 saying the session's server is gone.
- ``hash``: ``hash(client address) mod (number of backends that are up)``, the naive
  IP hash. One client always lands on the same server as long as the set of servers
  that are up does not change; when one goes down, the modulus changes and most
  clients of the *surviving* servers move too. Kept because notebooks compare it.
- ``ip_hash``: what nginx's ``ip_hash`` does (``ngx_http_upstream_ip_hash_module.c``):
  the key is the first three octets of an IPv4 address (the whole IPv6 address),
  ``hash = (hash * 113 + octet) % 6271`` from 89, and the backend is
  ``hash % (number of configured backends)``, down ones included. If that backend
  is down the hash is stirred again and retried (at most 20 times, then round
  robin), so only the down server's clients move; adding a server to the list
  changes the modulus and moves most clients.
- ``consistent``: a hash ring (consistent hashing, like nginx ``hash $remote_addr
  consistent`` / HAProxy ``hash-type consistent``): each backend owns ``VNODES``
  points (virtual nodes) on a 32-bit ring, a client goes to the first point
  clockwise from its hash whose backend is up. A down server's clients go to the
  next points; a new server takes only the arcs in front of its own points.

For the three hash policies the client address is taken from the first
``X-Forwarded-For`` entry when the request has one: on one machine every client is
127.0.0.1, so a lab plays many clients that way (a real balancer trusts that header
only from its own proxies).

What is forwarded: method, path and query exactly as received, every header
except the hop-by-hop ones (``Connection``, ``Keep-Alive``, ... and every field the
``Connection`` header names, RFC 9110 §7.6.1; in both directions) with the client's
address appended to ``X-Forwarded-For``, and the body. The backend's status,
headers (every ``Set-Cookie`` line unchanged) and body come back as they are, plus
``X-Served-By: b2`` so a notebook can see who answered. Every request is recorded
in ``lb.log``.

What is refused (RFC 9112 §3.2, §6.3): a request whose ``Content-Length`` is a list or
not a number, or whose target holds a control character (tab, DEL, ...), gets 400
and never reaches a backend; a backend answer with conflicting ``Content-Length``
values is discarded and the client gets 502. The client gets a ``Content-Length``
the balancer computed from the body it actually read.

Failures never hang: ``timeout`` is a deadline for the whole exchange with a backend
(connect, send, and the complete answer: a backend that dribbles one byte a second is
cut off at the deadline, not after each byte), see ``http_pool``. An unreachable
backend gives 502, a backend that does not answer in time gives 504; both with a
short Korean message (plain text) and the backend's name. With ``failover=True``
the balancer acts like a real one with a passive health check: a backend that
refuses the connection (so the request never reached it) is marked down and the
request goes to the next one (a sticky client gets a new server, and a new cookie).

Why it is lean: it runs as a WSGI app on the same keep-alive waitress server as
every lab server, and it talks to each backend over raw ``http.client``
connections that it keeps open and reuses (a ``sessionlab.web.http_pool.ConnectionPool``
per backend), so a hop through it costs a fraction of a millisecond
(``benchmarks/bench_balancer.py``).
A naive proxy built on ``requests`` and werkzeug adds about 1.65 ms.
"""

from __future__ import annotations

import hashlib
import http.client
import itertools
import time
from dataclasses import dataclass
from urllib.parse import urlsplit

from sessionlab.infra.servers import LabServer, serve
from sessionlab.web.balancer_hashing import HashRing, nginx_ip_hash
from sessionlab.web.balancer_http import (  # noqa: F401  (HOP_BY_HOP stays importable from here)
    HOP_BY_HOP,
    _cookie,
    _request_headers,
    _response_headers,
    _target,
    client_address,
)
from sessionlab.web.http_pool import ConnectionPool

__all__ = [
    "Balancer",
    "Backend",
    "Record",
    "POLICIES",
    "ALL_POLICIES",
    "start_balancer",
    "nginx_ip_hash",
    "HashRing",
]

POLICIES = ("round_robin", "sticky", "hash")  # the three that notebook 03 compares (and loops over)
ALL_POLICIES = (*POLICIES, "ip_hash", "consistent")  # every policy a Balancer accepts
STICKY_COOKIE = "lb_server"
_MAX_LOG = 50_000
_MAX_IDLE = 16  # idle connections kept per backend


@dataclass(frozen=True)
class Record:
    """One request that passed through the balancer."""

    time: float  # time.time() when the request arrived
    method: str
    path: str  # path and query, as the client sent them
    backend: int  # index of the chosen backend (-1: none was available)
    name: str  # its name ("b1"), or "-"
    status: int  # status the client received
    policy: str
    error: str = ""  # "" or why the balancer answered itself (502/503/504)
    skipped: tuple = ()  # with failover: backends found dead (and marked down) before this one


class Backend:
    """One backend: where it is, whether it is in rotation, and its kept-alive connections (``pool``)."""

    def __init__(self, index: int, url: str, name: str, timeout: float):
        parts = urlsplit(url)
        assert parts.hostname is not None, url
        self.index, self.url, self.name = index, url, name
        self.host, self.port = parts.hostname, parts.port or 80
        self.timeout = timeout
        self.up = True
        self.pool = ConnectionPool(self.host, self.port, timeout, max_idle=_MAX_IDLE)

    def close(self) -> None:
        self.pool.close()

    def __repr__(self) -> str:
        return f"<Backend {self.name} {self.url} {'up' if self.up else 'down'}>"


class Balancer:
    """The balancer as a WSGI app; ``start_balancer`` serves it on 127.0.0.1."""

    def __init__(
        self,
        backends,
        policy: str = "round_robin",
        names=None,
        timeout: float = 5.0,
        sticky_cookie: str = STICKY_COOKIE,
        failover: bool = False,
    ):
        urls = [getattr(b, "url", b) for b in backends]
        if not urls:
            raise ValueError("백엔드(backend)가 하나 이상 있어야 합니다.")
        if names is None:
            names = [f"b{i + 1}" for i in range(len(urls))]
        if len(names) != len(urls) or len(set(names)) != len(names):
            raise ValueError("names는 백엔드마다 하나씩, 서로 다른 이름이어야 합니다.")
        self.backends = [Backend(i, u, n, timeout) for i, (u, n) in enumerate(zip(urls, names))]
        self.sticky_cookie = sticky_cookie
        self.failover = failover
        self.policy = policy
        self.log: list[Record] = []
        self._turn = itertools.count()
        self.ring = HashRing([b.name for b in self.backends])
        self.server: LabServer | None = None  # once started
        self.url: str | None = None

    # --- policy -------------------------------------------------------------
    @property
    def policy(self) -> str:
        return self._policy

    @policy.setter
    def policy(self, value: str) -> None:
        if value not in ALL_POLICIES:
            raise ValueError(f"정책(policy)은 {', '.join(ALL_POLICIES)} 중 하나여야 합니다: {value!r}")
        self._policy = value

    def backend(self, which: int | str) -> Backend:
        """A backend by index (0, 1, …) or by name ("b2")."""
        if isinstance(which, str):
            found = self._by_name(which)
            if found is None:
                raise KeyError(f"그런 이름의 백엔드가 없습니다: {which!r}")
            return found
        return self.backends[which]

    def mark_down(self, which: int | str) -> None:
        """Take a backend (index or name) out of rotation, as a failed health check would."""
        self.backend(which).up = False

    def mark_up(self, which: int | str) -> None:
        self.backend(which).up = True

    def _by_name(self, name: str):
        return next((b for b in self.backends if b.name == name), None)

    def choose(self, environ) -> tuple[Backend | None, bool]:
        """The backend for this request, and whether a sticky cookie must be (re)set."""
        up = [b for b in self.backends if b.up]
        if self._policy == "sticky":
            pinned = self._by_name(_cookie(environ, self.sticky_cookie))
            if pinned is not None and pinned.up:
                return pinned, False
        if not up:
            return None, False
        if self._policy == "hash":
            digest = hashlib.sha256(client_address(environ).encode()).digest()
            return up[int.from_bytes(digest[:8], "big") % len(up)], False
        if self._policy == "ip_hash":
            index = nginx_ip_hash(client_address(environ), [b.up for b in self.backends])
            if index is not None:
                return self.backends[index], False
        if self._policy == "consistent":
            name = self.ring.lookup(client_address(environ), {b.name for b in up})
            return self._by_name(name or ""), False
        return up[next(self._turn) % len(up)], self._policy == "sticky"

    # --- forwarding ---------------------------------------------------------
    def __call__(self, environ, start_response):
        method = environ["REQUEST_METHOD"]
        target = environ.get("REQUEST_URI") or _target(environ)
        raw_length = (environ.get("CONTENT_LENGTH") or "0").strip()
        if not raw_length.isdigit():
            why = (
                f"Content-Length가 숫자 하나가 아닙니다 ({raw_length[:40]!r}): 요청의 경계를 알 수 없습니다."
            )
            return self._fail(start_response, method, target, None, 400, why)
        if any(ord(c) < 0x21 or ord(c) == 0x7F for c in target):
            why = "요청 대상(request target)에 제어 문자(탭, DEL 등)가 있습니다."
            return self._fail(start_response, method, target, None, 400, why)
        length = int(raw_length)
        body = environ["wsgi.input"].read(length) if length else None
        headers = _request_headers(environ)
        skipped = []
        while True:
            backend, set_sticky = self.choose(environ)
            if backend is None:
                return self._fail(
                    start_response,
                    method,
                    target,
                    None,
                    503,
                    "사용할 수 있는 백엔드 서버가 없습니다 (모두 down 상태).",
                    skipped,
                )
            try:
                resp, data = self._forward(backend, method, target, headers, body)
                break
            except ConnectionRefusedError as exc:
                if not self.failover:
                    return self._failed_backend(start_response, environ, method, target, backend, exc)
                # Passive health check: nothing reached that backend, so trying another is safe.
                backend.up = False
                skipped.append(backend.name)
            except (TimeoutError, OSError, http.client.HTTPException) as exc:
                return self._failed_backend(start_response, environ, method, target, backend, exc, skipped)
        lengths = {v.strip() for v in resp.headers.get_all("Content-Length") or ()}
        if len(lengths) > 1 or any(not v.isdigit() for v in lengths):
            why = f"백엔드 서버 {backend.name}의 응답에 서로 다른 Content-Length가 있습니다: 응답을 버립니다."
            return self._fail(start_response, method, target, backend, 502, why, skipped)
        out = _response_headers(resp, method, data)
        out.append(("X-Served-By", backend.name))
        if set_sticky:
            out.append(("Set-Cookie", f"{self.sticky_cookie}={backend.name}; Path=/; HttpOnly; SameSite=Lax"))
        self._record(method, target, backend, resp.status, skipped=skipped)
        start_response(f"{resp.status} {resp.reason}", out)
        return [data]

    def _forward(self, backend: Backend, method, target, headers, body):
        """Send one request over a kept-alive connection (retried once only if that one was stale)."""
        return backend.pool.request(method, target, body=body, headers=headers)

    def _failed_backend(self, start_response, environ, method, target, backend, exc, skipped=()):
        if isinstance(exc, TimeoutError):
            status, why = 504, f"백엔드 {backend.name} 서버가 {backend.timeout:g}초 안에 응답하지 않았습니다."
        else:
            status, why = 502, f"백엔드 서버 {backend.name}에 연결할 수 없습니다 ({type(exc).__name__})."
        if self._policy == "sticky" and _cookie(environ, self.sticky_cookie) == backend.name:
            why += (
                f" 이 세션이 붙어 있던(스티키 세션) {backend.name} 서버가 사라졌습니다:"
                " 그 서버의 메모리에 있던 세션도 함께 사라졌습니다."
            )
        return self._fail(start_response, method, target, backend, status, why, skipped)

    def _fail(self, start_response, method, target, backend, status, message, skipped=()):
        self._record(method, target, backend, status, message, skipped)
        body = (message + "\n").encode("utf-8")
        reason = {400: "Bad Request", 502: "Bad Gateway", 503: "Service Unavailable", 504: "Gateway Timeout"}[
            status
        ]
        start_response(
            f"{status} {reason}",
            [
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Content-Length", str(len(body))),
                ("X-Served-By", backend.name if backend else "-"),
            ],
        )
        return [body]

    def _record(self, method, target, backend, status, error="", skipped=()):
        if len(self.log) >= _MAX_LOG:
            del self.log[: _MAX_LOG // 2]
        self.log.append(
            Record(
                time.time(),
                method,
                target,
                backend.index if backend else -1,
                backend.name if backend else "-",
                status,
                self._policy,
                error,
                tuple(skipped),
            )
        )

    # --- what notebooks read ------------------------------------------------
    def counts(self, since: int = 0) -> dict[str, int]:
        """How many requests each backend served (from ``log[since:]``), in backend order."""
        out = {b.name: 0 for b in self.backends}
        for rec in self.log[since:]:
            if rec.backend >= 0 and not rec.error:
                out[rec.name] += 1
        return out

    def served_by(self, since: int = 0) -> list[str]:
        """Backend names in request order (``-`` when the balancer answered itself)."""
        return [r.name for r in self.log[since:]]

    def reset(self) -> None:
        """Forget the log and restart the round-robin turn."""
        self.log.clear()
        self._turn = itertools.count()

    def stop(self) -> None:
        if self.server is not None:
            self.server.stop()
        for b in self.backends:
            b.close()

    @property
    def running(self) -> bool:
        return self.server is not None and self.server.running

    def __enter__(self) -> Balancer:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()

    def __repr__(self) -> str:
        ups = ", ".join(f"{b.name}{'' if b.up else '(down)'}" for b in self.backends)
        return f"<Balancer {self.url} policy={self._policy} backends=[{ups}]>"


def start_balancer(
    backends,
    policy: str = "round_robin",
    name: str = "lb",
    names=None,
    timeout: float = 5.0,
    threads: int = 8,
    failover: bool = False,
) -> Balancer:
    """Serve a balancer in front of ``backends`` (URLs or lab servers) on a free port.

    The same ``name`` again replaces the old balancer (re-running a cell works);
    ``stop_everything()`` stops it with the other lab servers.
    """
    if names is None and all(hasattr(b, "name") and hasattr(b, "url") for b in backends):
        names = [b.name for b in backends]
        if len(set(names)) != len(names):
            names = None
    lb = Balancer(backends, policy=policy, names=names, timeout=timeout, failover=failover)
    lb.server = serve(lb, name=name, threads=threads)
    lb.url = lb.server.url
    return lb
