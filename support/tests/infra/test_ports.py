"""Ports for lab servers: free, random, and never one the kernel could give a client as its source port."""

import socket
from types import SimpleNamespace

import pytest

from sessionlab.infra import ports


@pytest.mark.parametrize("offset", [0, 10000])
def test_picked_ports_stay_out_of_the_range_the_kernel_gives_to_clients(offset):
    # A client connecting there while nothing listens can connect to itself and
    # read its own request back (CI once failed on exactly that, with redis-py's HELLO).
    ephemeral = ports.ephemeral_ports()
    picked = {ports.pick_port(offset) for _ in range(300)}
    assert len(picked) > 200  # still random, not one fixed port
    assert not [p for p in picked if p in ephemeral or p + offset in ephemeral]
    assert all(ports.port_free(p) and ports.port_free(p + offset) for p in picked)


def test_a_taken_port_is_not_free():
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        assert not ports.port_free(taken.getsockname()[1])


def test_a_connection_to_itself_does_not_count_as_a_listener(monkeypatch):
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]

    def bound_to_the_target(*args, **kwargs):  # what the kernel does by bad luck, done on purpose
        s = socket.socket(*args, **kwargs)
        s.bind(("127.0.0.1", port))
        return s

    # Only ports.py sees the stand-in: the socket module itself stays as it is.
    monkeypatch.setattr(ports, "socket", SimpleNamespace(socket=bound_to_the_target))
    assert not ports.accepts(port)  # the connect succeeds, to itself
    monkeypatch.undo()
    assert not ports.accepts(port)  # nothing listens: refused
    with socket.socket() as listener:
        listener.bind(("127.0.0.1", 0))
        listener.listen()
        assert ports.accepts(listener.getsockname()[1])
