"""Lab 05's hashing policies measured: which clients move, and which sessions are lost, when servers change.

``remap(policy)`` starts four login-app servers that keep sessions in their own
memory, logs ``clients`` users in through a balancer over the first three (each
user has its own ``X-Forwarded-For`` address in its own /24, because nginx's
``ip_hash`` only looks at the first three octets), then asks every user again

- *removed*: with ``s2`` marked down on that balancer, and
- *added*: through a balancer over all four servers (the list grew by ``s4``),

and counts from the answers how many users moved to another server and how many
got 401 (their session stayed in the memory of the server they left).
"""

from __future__ import annotations

from dataclasses import dataclass

import requests

from sessionlab.apps.login import LOGIN_COOKIE, create_login_app
from sessionlab.infra.servers import serve
from sessionlab.labs.lab05.strategies import LAB_KDF_N, PASSWORD, USER
from sessionlab.web.balancer import start_balancer
from sessionlab.web.stores import MemoryStore

__all__ = ["Remap", "remap", "client_ip"]

NAMES = ("s1", "s2", "s3", "s4")


def client_ip(number: int) -> str:
    """User ``number``'s address: a different /24 for every user below 62 500."""
    return f"10.{number // 250}.{number % 250}.1"


@dataclass
class Remap:
    """What changing the server set did to users logged in through ``policy``."""

    policy: str
    clients: int
    home: list[str]  # the server each user logged in on
    on_removed: int  # users whose server (s2) was removed
    removed_moved: int  # users answered by another server than their own after s2 went down
    removed_lost: int  # ... who got 401 (session gone)
    removed_lost_others: int  # lost among users whose own server is still up
    added_moved: int  # users answered by another server once s4 was added
    added_lost: int
    added_moved_to_new: int  # of the movers, how many went to s4

    def row(self) -> dict:
        return {
            "정책": self.policy,
            "s2 제거: s2의 사용자": self.on_removed,
            "s2 제거: 옮겨 간 사용자": self.removed_moved,
            "s2 제거: 잃은 세션": self.removed_lost,
            "s4 추가: 옮겨 간 사용자": self.added_moved,
            "s4 추가: 잃은 세션": self.added_lost,
        }


def _ask(url: str, ip: str, sid: str) -> tuple[str, int]:
    r = requests.get(
        url + "/me", headers={"X-Forwarded-For": ip, "Cookie": f"{LOGIN_COOKIE}={sid}"}, timeout=10
    )
    return r.headers.get("X-Served-By", "-"), r.status_code


def remap(policy: str, clients: int = 45, name: str = "lab05-hash") -> Remap:
    """Log ``clients`` users in over s1–s3 with ``policy``; remove s2, then add s4; count movers and losses."""
    servers = [
        serve(create_login_app(store=MemoryStore(), kdf_n=LAB_KDF_N), name=f"{name}-{n}") for n in NAMES
    ]
    three = four = None
    try:
        three = start_balancer(servers[:3], policy=policy, name=f"{name}-lb3", names=list(NAMES[:3]))
        url3 = str(three.url)
        ips, sids, home = [client_ip(i) for i in range(clients)], [], []
        for ip in ips:
            r = requests.post(
                url3 + "/login",
                json={"username": USER, "password": PASSWORD},
                headers={"X-Forwarded-For": ip},
            )
            assert r.status_code == 200, r.text
            sids.append(r.cookies[LOGIN_COOKIE])
            home.append(r.headers["X-Served-By"])
        three.mark_down("s2")
        removed = [_ask(url3, ip, sid) for ip, sid in zip(ips, sids)]
        four = start_balancer(servers, policy=policy, name=f"{name}-lb4", names=list(NAMES))
        added = [_ask(str(four.url), ip, sid) for ip, sid in zip(ips, sids)]
    finally:
        for lb in (three, four):
            if lb is not None:
                lb.stop()
        for s in servers:
            s.stop()
    return Remap(
        policy,
        clients,
        home,
        on_removed=home.count("s2"),
        removed_moved=sum(srv != h for (srv, _), h in zip(removed, home)),
        removed_lost=sum(code != 200 for _, code in removed),
        removed_lost_others=sum(code != 200 for (_, code), h in zip(removed, home) if h != "s2"),
        added_moved=sum(srv != h for (srv, _), h in zip(added, home)),
        added_lost=sum(code != 200 for _, code in added),
        added_moved_to_new=sum(srv != h and srv == "s4" for (srv, _), h in zip(added, home)),
    )
