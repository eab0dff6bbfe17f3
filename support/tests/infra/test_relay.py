"""sessionlab.infra.relay: bytes pass both ways untouched, the hooks see each chunk, close() ends it all."""

import socket

import pytest
import requests
from flask import Flask

from sessionlab import serve
from sessionlab.infra.relay import Relay


class Recording(Relay):
    def __init__(self, host, port):
        self.up, self.down = bytearray(), bytearray()
        super().__init__(host, port, name="test")

    def upstream(self, data):
        self.up.extend(data)

    def downstream(self, data):
        self.down.extend(data)


@pytest.fixture
def server():
    app = Flask("relay")
    app.post("/echo")(lambda: __import__("flask").request.get_data())
    with serve(app, name=None) as srv:
        yield srv


def test_relay_forwards_and_shows_both_directions(server):
    with Recording("127.0.0.1", server.port) as relay:
        r = requests.post(relay.url + "/echo", data=b"ping-123", timeout=5)
    assert r.status_code == 200 and r.content == b"ping-123"
    assert b"POST /echo HTTP/1.1" in relay.up and relay.up.endswith(b"ping-123")
    assert relay.down.startswith(b"HTTP/1.1 200") and relay.down.endswith(b"ping-123")


def test_after_close_nothing_listens(server):
    relay = Relay("127.0.0.1", server.port)
    port = relay.port
    relay.close()
    with pytest.raises(OSError):
        socket.create_connection(("127.0.0.1", port), timeout=1)
