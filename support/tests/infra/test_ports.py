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


def test_a_lost_race_for_a_port_is_tried_again_on_another_one(monkeypatch):
    offered, tried = [11111, 22222, 33333], []
    monkeypatch.setattr(ports, "pick_port", lambda offset=0: offered.pop(0) + offset)

    def start(port):
        tried.append(port)
        if port == 11111:
            raise ports.PortTaken("another process bound it first")
        return f"listening on {port}"

    assert ports.on_free_port(start) == "listening on 22222" and tried == [11111, 22222]


def test_every_try_lost_raises_the_last_loss_and_other_errors_are_not_retried(monkeypatch):
    monkeypatch.setattr(ports, "pick_port", lambda offset=0: 20000 + offset)
    tried = []

    def always_taken(port):
        tried.append(port)
        raise ports.PortTaken(f"lost {len(tried)}")

    with pytest.raises(ports.PortTaken, match="lost 3"):
        ports.on_free_port(always_taken, offset=10000, tries=3)
    assert tried == [30000] * 3  # the offset reaches pick_port (a cluster bus port)

    def broken(port):
        tried.append(port)
        raise PermissionError("not a race")

    tried.clear()
    with pytest.raises(PermissionError):
        ports.on_free_port(broken)
    assert tried == [20000]
