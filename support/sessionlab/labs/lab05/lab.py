"""Lab 05's lab: three app servers behind one load balancer, one session strategy at a time.

``MultiServerLab.use(key)`` starts the servers with the store and app that the
strategy registry (``STRATEGIES``) describes and a balancer in front;
``scenario(key)`` logs users in, sends requests, kills a server (and optionally a
store node) and counts what was lost in a ``RunResult``. Each app server is
wrapped in ``store_outage_handler`` (503 instead of 500 when the store is
unreachable) and ``ServerTiming`` (the app's share of each request).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import requests

from sessionlab.infra.servers import serve
from sessionlab.labs.lab05.backends import Backends
from sessionlab.labs.lab05.hashing import client_ip
from sessionlab.labs.lab05.strategies import PASSWORD, STRATEGIES, USER, get_strategy
from sessionlab.web.balancer import Balancer, start_balancer
from sessionlab.web.outage import store_outage_handler
from sessionlab.web.server_timing import ServerTiming
from sessionlab.web.stores import ReplicatedStore

if TYPE_CHECKING:
    from sessionlab.web.tokens import SigningKey

__all__ = ["RunResult", "MultiServerLab"]


@dataclass
class RunResult:
    """What one scenario run showed, counted from its own requests."""

    strategy: str
    policy: str
    users: int
    logins_ok: int
    requests: int
    failed: int  # requests that did not return the user (any status but 200)
    users_logged_out: int  # users who saw at least one such failure before any server died
    alive_before_kill: int
    lost_on_app_death: int  # sessions working before the kill that stopped working after
    lost_on_store_death: int | None = None  # None: no separate store node to kill
    statuses: Counter = field(default_factory=Counter)
    served_by: Counter = field(default_factory=Counter)
    killed: str = "s2"
    logged_in_on_killed: int = 0  # users whose login was answered by the server that was killed
    alive_before_store_death: int = 0

    @property
    def requests_per_user(self) -> int:
        """Requests each user sent before the kill: the login, ``rounds`` × GET /me, one more GET /me."""
        return self.requests // self.users + 2 if self.users else 0

    def summary(self) -> dict:
        return {
            "전략": STRATEGIES[self.strategy].label,
            "정책": self.policy,
            "로그인": f"{self.logins_ok}/{self.users}",
            "실패 요청": f"{self.failed}/{self.requests}",
            "로그아웃된 사용자": self.users_logged_out,
            f"{self.killed} 죽은 뒤 잃은 세션": f"{self.lost_on_app_death}/{self.alive_before_kill}",
        }


class MultiServerLab:
    """Three login-app servers (s1..s3) behind ``sessionlab.web.balancer``, one strategy at a time."""

    def __init__(
        self, n: int = 3, name: str = "lab05", backends: Backends | None = None, warm_up: tuple[str, ...] = ()
    ):
        """``warm_up=("cluster",)`` starts the Redis Cluster in the background now, for later use."""
        self.n, self.name = n, name
        self.names = [f"s{i + 1}" for i in range(n)]
        self.backends = backends or Backends(name)
        if "cluster" in warm_up:
            self.backends.start_cluster_soon()
        self.strategy: str | None = None
        self.policy: str | None = None
        self.servers: list = [None] * n
        self.stores: list = [None] * n
        self.lb: Balancer | None = None
        self._ports: list[int] = [0] * n
        self._keys: dict[str, SigningKey] | None = None
        self._opts: dict[str, Any] = {}

    # -- building -----------------------------------------------------------------------
    def signing_keys(self) -> dict[str, SigningKey]:
        """The JWT signing key every server of this lab shares (made on first use)."""
        if self._keys is None:
            from sessionlab.web.tokens import generate_keys

            self._keys = generate_keys(("HS256",))
        return self._keys

    def _store(self, strategy: str, i: int, **opts):
        return get_strategy(strategy).make_store(self, i, **opts)

    def _app(self, strategy: str, store):
        return ServerTiming(store_outage_handler(get_strategy(strategy).make_app(self, store)))

    def _serve(self, i: int) -> None:
        assert self.strategy is not None, "use() first"
        app = self._app(self.strategy, self.stores[i])
        self.servers[i] = serve(app, name=f"{self.name}-{self.names[i]}", port=self._ports[i])
        self._ports[i] = self.servers[i].port

    def use(self, strategy: str, policy: str | None = None, **opts):
        """Start the three servers with ``strategy``'s store and a balancer in front; returns it."""
        spec = get_strategy(strategy)
        self.stop_servers()
        chosen = policy or spec.policy
        self.strategy, self.policy, self._opts = strategy, chosen, opts
        self.stores = [self._store(strategy, i, **opts) for i in range(self.n)]
        if spec.link is not None:
            spec.link(self.stores)
        self._ports = [0] * self.n
        for i in range(self.n):
            self._serve(i)
        self.lb = start_balancer(self.servers, policy=chosen, name=f"{self.name}-lb", names=self.names)
        self.clear_sessions()
        return self.lb

    def clear_sessions(self) -> None:
        """Start from an empty store (the shared ones keep their data between uses otherwise)."""
        store = self.stores[0]
        if store is not None:
            store.clear()

    # -- faults -------------------------------------------------------------------------
    def kill(self, i: int, health_check: bool = True) -> None:
        """Stop server ``i`` (its memory is gone); ``health_check``: the balancer takes it out."""
        self.servers[i].stop()
        if isinstance(self.stores[i], ReplicatedStore):
            self.stores[i].close()
        if health_check:
            self._balancer().mark_down(i)

    def restart(self, i: int) -> None:
        """Start server ``i`` again on its port, with a fresh process memory."""
        if self.servers[i] is not None and self.servers[i].running:
            self.servers[i].stop()
        assert self.strategy is not None, "use() first"
        store = self._store(self.strategy, i, **self._opts)
        if isinstance(store, ReplicatedStore):
            peers = [s for j, s in enumerate(self.stores) if j != i and s is not None]
            store.connect(*peers)
            for p in peers:
                p.connect(*[s for s in peers if s is not p], store)
            store.join()  # state transfer: fetch every session from a peer
        self.stores[i] = store
        self._serve(i)
        self._balancer().mark_up(i)

    def running(self) -> list[bool]:
        return [bool(s and s.running) for s in self.servers]

    def _balancer(self) -> Balancer:
        """The balancer ``use`` started."""
        assert self.lb is not None, "use() first"
        return self.lb

    def _url(self) -> str:
        """The running balancer's URL."""
        url = self._balancer().url
        assert url is not None, "use() first"
        return url

    # -- clients --------------------------------------------------------------------------
    def client(self, number: int = 0) -> requests.Session:
        """A browser-like client; ``X-Forwarded-For`` makes it a distinct user for the hash policies.

        Every user gets its own /24 (``10.<n // 250>.<n % 250>.1``): nginx's ``ip_hash`` only
        looks at the first three octets, so users of one /24 would all share a server.
        """
        c = requests.Session()
        c.headers["X-Forwarded-For"] = client_ip(number)
        return c

    def login(self, number: int = 0) -> tuple[requests.Session, requests.Response]:
        c = self.client(number)
        r = c.post(self._url() + "/login", json={"username": USER, "password": PASSWORD}, timeout=10)
        return c, r

    def me(self, c: requests.Session) -> requests.Response:
        return c.get(self._url() + "/me", timeout=10)

    # -- one scenario ---------------------------------------------------------------------
    def scenario(
        self,
        strategy: str,
        policy: str | None = None,
        users: int = 10,
        rounds: int = 3,
        kill: int = 1,
        store_death=None,
        **opts,
    ) -> RunResult:
        """Log ``users`` in, ``rounds`` × GET /me each, kill server ``kill``, one more GET /me each.

        ``store_death``: a function ``(lab) -> None`` that kills a store node and waits for
        recovery; the users are asked once more and the sessions that stopped working are counted.
        """
        lb = self.use(strategy, policy, **opts)
        lb.reset()
        clients, ok, on_killed = [], 0, 0
        for u in range(users):
            c, r = self.login(u)
            clients.append(c)
            ok += r.status_code == 200
            on_killed += r.headers.get("X-Served-By") == self.names[kill]
        statuses: Counter[int] = Counter()
        failed, logged_out = 0, set()
        for _ in range(rounds):
            for u, c in enumerate(clients):
                r = self.me(c)
                statuses[r.status_code] += 1
                if r.status_code != 200:
                    failed += 1
                    logged_out.add(u)
        alive = [u for u, c in enumerate(clients) if self.me(c).status_code == 200]
        served = Counter(lb.served_by())
        self.kill(kill)
        after = [u for u in alive if self.me(clients[u]).status_code == 200]
        assert self.policy is not None  # use() set it
        result = RunResult(
            strategy,
            self.policy,
            users,
            ok,
            users * rounds,
            failed,
            len(logged_out),
            len(alive),
            len(alive) - len(after),
            statuses=statuses,
            served_by=served,
            killed=self.names[kill],
            logged_in_on_killed=on_killed,
        )
        self.restart(kill)
        if store_death is not None:
            before = [u for u in after if self.me(clients[u]).status_code == 200]
            store_death(self)
            result.alive_before_store_death = len(before)
            result.lost_on_store_death = sum(self.me(clients[u]).status_code != 200 for u in before)
        return result

    # -- stopping -------------------------------------------------------------------------
    def stop_servers(self) -> None:
        for s in self.servers:
            if s is not None:
                s.stop()
        for st in self.stores:
            if isinstance(st, ReplicatedStore):
                st.close()
        if self.lb is not None:
            self.lb.stop()
        self.servers, self.stores, self.lb = [None] * self.n, [None] * self.n, None

    def stop(self) -> None:
        """Stop the app servers, the balancer and every back end of this lab."""
        self.stop_servers()
        self.backends.stop()
