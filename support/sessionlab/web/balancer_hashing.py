"""The balancer's hashing policies: nginx's ``ip_hash`` arithmetic and a consistent-hashing ring.

Kept apart from ``balancer`` so each can be read (and tested) on its own.
"""

from __future__ import annotations

import bisect
import hashlib
import ipaddress

VNODES = 160  # points per backend on the consistent-hashing ring (nginx's ketama uses 160 per weight)


# --- hashing policies -----------------------------------------------------------
def nginx_ip_hash(address: str, up: list[bool], tries: int = 20) -> int | None:
    """The backend index nginx's ``ip_hash`` picks for ``address`` (None: fall back to round robin).

    ``up[i]`` says whether configured backend ``i`` is up; all weights are 1.
    """
    try:
        ip = ipaddress.ip_address(address)
        key = ip.packed[:3] if ip.version == 4 else ip.packed
    except ValueError:  # not an address (a lab's made-up client): hash its bytes
        key = address.encode()
    h = 89
    for _ in range(tries + 1):
        for octet in key:
            h = (h * 113 + octet) % 6271
        index = h % len(up)
        if up[index]:
            return index
    return None


def _point(text: str) -> int:
    return int.from_bytes(hashlib.md5(text.encode()).digest()[:4], "big")


class HashRing:
    """Consistent hashing: ``vnodes`` points per name on a 32-bit ring; a key goes clockwise."""

    def __init__(self, names, vnodes: int = VNODES):
        self.vnodes = vnodes
        self.points = sorted((_point(f"{name}#{i}"), name) for name in names for i in range(vnodes))
        self._hashes = [p for p, _ in self.points]

    def lookup(self, key: str, up=None) -> str | None:
        """The first name clockwise from ``key``'s hash that is in ``up`` (every name when None)."""
        start = bisect.bisect(self._hashes, _point(key))
        for k in range(len(self.points)):
            name = self.points[(start + k) % len(self.points)][1]
            if up is None or name in up:
                return name
        return None
