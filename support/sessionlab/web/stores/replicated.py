"""ReplicatedStore: every app server keeps its own copy; writes are broadcast to peers over HTTP."""

from __future__ import annotations

import hashlib
import hmac
import http.client
import json
import secrets
import threading
import time
from urllib.parse import urlsplit

from sessionlab.web.http_pool import ConnectionPool
from sessionlab.web.stores.memory import MemoryStore

__all__ = ["ReplicatedStore", "connect", "CLUSTER_KEY", "AUTH_HEADER"]

# The cluster's shared secret, made when the process starts: every store of this process
# (the labs run all their servers in one kernel) trusts it; pass ``cluster_key`` to pick one.
CLUSTER_KEY = secrets.token_bytes(32)
AUTH_HEADER = "X-Cluster-Auth"


MAX_SKEW = (
    30  # seconds: a signed request older (or newer) than this is refused, so it cannot be replayed later
)


def _signature(key: bytes, method: str, path: str, stamp: int, body: bytes) -> str:
    """HMAC-SHA256 over method, path, time and body: a signed GET /snapshot is no valid POST /ops."""
    msg = f"{method} {path} {stamp}\n".encode() + body
    return hmac.new(key, msg, hashlib.sha256).hexdigest()


class ReplicatedStore(MemoryStore):
    """Each app server keeps its own copy; every write is broadcast to the peers over HTTP.

    This is session replication as Tomcat's ``DeltaManager`` does it: no shared
    store, each server holds every session in its memory. A store serves a small
    replication endpoint (a lab server on 127.0.0.1): ``POST /ops`` applies a batch
    of writes sent by a peer, ``GET /snapshot`` hands every record to a server
    that (re)joins. ``connect(a, b, c)`` makes them peers.

    * ``sync=True``: a write returns after every peer that is up has applied it
      (sequential HTTP posts), so the cost of a write grows with the number of
      servers, and a read on another server right after the write sees it.
    * ``sync=False``: a write returns at once; a background thread sends the
      writes every ``batch_interval`` seconds. Until then the other servers do
      not see it: the *consistency window*.

    A peer that cannot be reached is skipped for ``retry_after`` seconds (its
    writes are dropped and counted in ``dropped``); a server that restarts with
    an empty copy calls ``join()`` to fetch a snapshot. Concurrent writes to the
    same session on two servers are resolved by arrival order (last write wins),
    except activity times, which only move forward.

    The endpoint trusts peers only: every request carries ``X-Cluster-Auth``, an
    HMAC-SHA256 of method, path, time and body (refused when more than ``MAX_SKEW``
    seconds off, so a captured request cannot be replayed later) under the cluster key (``CLUSTER_KEY``,
    made at run time, or ``cluster_key=``); without it ``/ops`` and ``/snapshot``
    answer 401 and change or reveal nothing, and ``/ops`` takes only
    ``application/json`` (415 otherwise: a cross-site form can post ``text/plain``).
    """

    kind = "replicated"

    def __init__(
        self,
        name: str = "node",
        sync: bool = True,
        batch_interval: float = 0.05,
        timeout: float = 1.0,
        retry_after: float = 1.0,
        listen: bool = True,
        cluster_key: bytes | None = None,
        **kwargs,
    ):
        super().__init__(**kwargs)
        self.name = name
        self.cluster_key = CLUSTER_KEY if cluster_key is None else bytes(cluster_key)
        self.sync = bool(sync)
        self.batch_interval = float(batch_interval)
        self.timeout = float(timeout)
        self.retry_after = float(retry_after)
        self.peers: list[_Peer] = []
        self.sent = self.received = self.dropped = 0
        self._pending: list = []
        self._wake = threading.Condition()
        self._closed = self._busy = False
        self._sender = None
        if not self.sync:
            self._sender = threading.Thread(
                target=self._send_loop, daemon=True, name=f"sessionlab-replication-{name}"
            )
            self._sender.start()
        self.server = self.url = None
        if listen:
            from sessionlab.infra.servers import serve

            self.server = serve(self.replication_app, name=f"replication-{name}")
            self.url = self.server.url

    # -- the local copy (a dict, like MemoryStore) and what peers apply -----------------
    def _apply(self, op: list) -> None:
        kind, args = op[0], op[1:]
        with self._lock:
            if kind == "put":
                sid, created, last, data = args
                self._records[sid] = [created, last, data]
            elif kind == "last":
                rec = self._records.get(args[0])
                if rec is not None and args[1] > rec[1]:
                    rec[1] = args[1]
            elif kind == "data":
                rec = self._records.get(args[0])
                if rec is not None:
                    rec[2] = args[1]
            elif kind == "remove":
                self._records.pop(args[0], None)
            elif kind == "clear":
                self._records.clear()

    # The local copy is MemoryStore's dict; each successful write is then broadcast.
    def _insert(self, sid, created, last_access, data, expires):
        if not super()._insert(sid, created, last_access, data, expires):
            return False
        self._broadcast(["put", sid, created, last_access, data])
        return True

    def _set_last_access(self, sid, last_access, expires):
        if not super()._set_last_access(sid, last_access, expires):
            return False
        self._broadcast(["last", sid, last_access])
        return True

    def _set_data(self, sid, data):
        if not super()._set_data(sid, data):
            return False
        self._broadcast(["data", sid, data])
        return True

    def _remove(self, sid):
        found = super()._remove(sid)
        if found:
            self._broadcast(["remove", sid])
        return found

    def _clear(self):
        super()._clear()
        self._broadcast(["clear"])

    # -- sending ------------------------------------------------------------------
    def _broadcast(self, op: list) -> None:
        if not self.peers:
            return
        if self.sync:
            self._send([op])
        else:
            with self._wake:
                self._pending.append(op)
                self._wake.notify()

    def _send(self, ops: list) -> None:
        body = json.dumps({"from": self.name, "ops": ops}, separators=(",", ":")).encode()
        for peer in list(self.peers):
            if peer.down_until > time.monotonic():
                self.dropped += len(ops)
                continue
            if peer.post("/ops", body, self.peer_auth_headers("POST", "/ops", body)):
                self.sent += len(ops)
            else:
                peer.down_until = time.monotonic() + self.retry_after
                self.dropped += len(ops)

    def _send_loop(self) -> None:
        while True:
            with self._wake:
                while not self._pending and not self._closed:
                    self._wake.wait()
                if self._closed and not self._pending:
                    return
            if self.batch_interval > 0:
                time.sleep(self.batch_interval)  # gather a batch: the consistency window
            with self._wake:
                ops, self._pending = self._pending, []
                self._busy = True
            try:
                if ops:
                    self._send(ops)
            finally:
                with self._wake:
                    self._busy = False

    def flush(self, timeout: float = 5.0) -> bool:
        """Wait until every queued write was sent (async mode); True if the queue is empty."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            with self._wake:
                if not self._pending and not self._busy:
                    return True
            time.sleep(0.002)
        return False

    # -- receiving: the replication endpoint ----------------------------------------
    def peer_auth_headers(
        self, method: str, path: str, body: bytes = b"", at: float | None = None
    ) -> dict[str, str]:
        """The header a peer sends to prove it holds the cluster key: ``t=<unix time>,sig=<hmac>``."""
        stamp = int(time.time() if at is None else at)
        return {AUTH_HEADER: f"t={stamp},sig={_signature(self.cluster_key, method, path, stamp, body)}"}

    def _from_peer(self, environ, method: str, path: str, body: bytes) -> bool:
        sent = environ.get("HTTP_" + AUTH_HEADER.upper().replace("-", "_"), "")
        fields = dict(part.partition("=")[::2] for part in sent.split(","))
        try:
            stamp = int(fields.get("t", ""))
        except ValueError:
            return False
        if abs(time.time() - stamp) > MAX_SKEW:  # an old request, replayed
            return False
        expected = _signature(self.cluster_key, method, path, stamp, body)
        return hmac.compare_digest(fields.get("sig", "").encode(), expected.encode())

    def replication_app(self, environ, start_response):
        method, path = environ["REQUEST_METHOD"], environ.get("PATH_INFO", "")
        try:
            if method == "POST" and path == "/ops":
                ctype = environ.get("CONTENT_TYPE", "").split(";")[0].strip().lower()
                length = int(environ.get("CONTENT_LENGTH") or 0)
                if not 0 <= length <= 16 * 1024 * 1024:
                    raise ValueError(length)
                raw = environ["wsgi.input"].read(length)
                if ctype != "application/json":
                    return _plain(
                        start_response, "415 Unsupported Media Type", "application/json만 받습니다."
                    )
                if not self._from_peer(environ, method, path, raw):
                    return _plain(
                        start_response, "401 Unauthorized", "클러스터 키로 서명된 피어 요청만 받습니다."
                    )
                batch = json.loads(raw or b"{}")
                for op in batch.get("ops", []):
                    self._apply(op)
                with self._lock:
                    self.received += len(batch.get("ops", []))
                return _plain(start_response, "200 OK", "ok")
            if method == "GET" and path == "/snapshot":
                if not self._from_peer(environ, method, path, b""):
                    return _plain(
                        start_response, "401 Unauthorized", "클러스터 키로 서명된 피어 요청만 받습니다."
                    )
                with self._lock:
                    body = json.dumps(self._records)
                return _plain(start_response, "200 OK", body, "application/json")
        except (ValueError, TypeError, IndexError, KeyError):
            return _plain(start_response, "400 Bad Request", "복제 요청 형식이 올바르지 않습니다.")
        return _plain(start_response, "404 Not Found", "없는 주소입니다.")

    def connect(self, *others: ReplicatedStore) -> None:
        """Make ``others`` this store's peers (use the module function ``connect`` for a group)."""
        self.peers = [_Peer(o.url, o.name, self.timeout) for o in others if o is not self and o.url]

    def join(self) -> int:
        """Fetch every record from the first peer that answers; returns how many."""
        for peer in self.peers:
            snap = peer.get("/snapshot", self.peer_auth_headers("GET", "/snapshot"))
            if snap is not None:
                with self._lock:
                    self._records.update({k: list(v) for k, v in json.loads(snap).items()})
                    return len(self._records)
        return 0

    def close(self) -> None:
        with self._wake:
            self._closed = True
            self._wake.notify_all()
        if self._sender is not None:
            self._sender.join(timeout=2)
        if self.server is not None:
            self.server.stop()
        for peer in self.peers:
            peer.close()


def connect(*stores: ReplicatedStore) -> list[ReplicatedStore]:
    """Make every store of the group a peer of every other one."""
    for store in stores:
        store.connect(*stores)
    return list(stores)


def _plain(start_response, status: str, body: str, ctype: str = "text/plain; charset=utf-8"):
    data = body.encode("utf-8")
    start_response(status, [("Content-Type", ctype), ("Content-Length", str(len(data)))])
    return [data]


class _Peer:
    """Where a peer's replication endpoint is, with a few kept-alive connections (``pool``)."""

    def __init__(self, url: str, name: str, timeout: float):
        parts = urlsplit(url)
        assert parts.hostname is not None, url
        self.url, self.name, self.timeout = url, name, timeout
        self.host, self.port = parts.hostname, parts.port
        self.down_until = 0.0
        self.pool = ConnectionPool(self.host, self.port, timeout, max_idle=8)

    def _request(self, method: str, path: str, body=None, auth: dict | None = None) -> bytes | None:
        """The body of a 200 answer; None if the peer cannot be reached or says no."""
        try:
            resp, data = self.pool.request(
                method, path, body=body, headers={"Content-Type": "application/json", **(auth or {})}
            )
        except (OSError, http.client.HTTPException):
            return None
        return data if resp.status == 200 else None

    def post(self, path: str, body: bytes, auth: dict | None = None) -> bool:
        return self._request("POST", path, body, auth) is not None

    def get(self, path: str, auth: dict | None = None) -> str | None:
        data = self._request("GET", path, auth=auth)
        return data.decode() if data is not None else None

    def close(self) -> None:
        self.pool.close()
