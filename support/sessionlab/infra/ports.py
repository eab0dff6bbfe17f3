"""Ports on 127.0.0.1 for lab servers, chosen outside the range the kernel gives to clients.

Why not port 0 (let the kernel choose): it then picks from the same ephemeral
range it uses for the source port of outgoing connections. While a server
starts, or after it stops (an outage, a failover), a client connecting to its
port can be given that very port as its own source port and connect to itself
(TCP simultaneous open): it reads its own request back as the reply. CI once
failed on exactly that, redis-py reading its own HELLO back. A listening port
outside the ephemeral range can never be a client's source port.
"""

from __future__ import annotations

import functools
import random
import socket
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

HOST = "127.0.0.1"
T = TypeVar("T")


class NoFreePortError(OSError):
    """No free port found after many tries."""


class PortTaken(OSError):
    """Another process bound the port between our check and our own bind."""


def ephemeral_ports() -> range:
    """Ports the kernel gives to outgoing connections (Linux default 32768–60999)."""
    try:
        lo, hi = map(int, Path("/proc/sys/net/ipv4/ip_local_port_range").read_text().split())
    except (OSError, ValueError):
        lo, hi = 32768, 60999
    return range(lo, hi + 1)


@functools.cache
def candidate_ports(offset: int = 0) -> tuple[int, ...]:
    """Ports p from 10000 up with p and p + offset outside the ephemeral range."""
    ephemeral = ephemeral_ports()
    ports = [p for p in range(10000, 65536 - offset) if p not in ephemeral and p + offset not in ephemeral]
    if len(ports) < 1000:  # an unusual machine whose ephemeral range covers nearly every port
        ports = list(range(20000, 65536 - offset))
    return tuple(ports)


def port_free(port: int) -> bool:
    with socket.socket() as s:
        try:
            s.bind((HOST, port))
        except OSError:
            return False
    return True


def pick_port(offset: int = 0) -> int:
    """A free port; with ``offset`` (a Redis Cluster bus: +10000) that port must be free too."""
    ports = candidate_ports(offset)
    for _ in range(200):
        port = random.choice(ports)
        if port_free(port) and (not offset or port_free(port + offset)):
            return port
    raise NoFreePortError("빈 포트를 찾지 못했습니다.")


def on_free_port(start: Callable[[int], T], offset: int = 0, tries: int = 5) -> T:
    """``start(port)`` on a picked port; when it raises ``PortTaken``, again on another one.

    A picked port is only free when checked: another process can take it before
    ``start`` binds it. The last ``PortTaken`` is raised if every try loses that race.
    """
    for _ in range(tries - 1):
        try:
            return start(pick_port(offset))
        except PortTaken:
            continue
    return start(pick_port(offset))


def accepts(port: int) -> bool:
    """Something listens on ``port`` (a connection that landed on itself does not count)."""
    with socket.socket() as s:
        s.settimeout(0.5)
        try:
            s.connect((HOST, port))
        except OSError:
            return False
        return bool(s.getsockname() != s.getpeername())
