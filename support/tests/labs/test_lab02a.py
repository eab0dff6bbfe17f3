"""lab02a.client_from: requests that leave from another loopback address, seen by the server."""

from __future__ import annotations

import pytest
from flask import Flask, request

from sessionlab import serve
from sessionlab.labs.lab02a import client_from, names, yn


def test_client_from_another_loopback_address_is_seen_by_the_server():
    app = Flask("who")

    @app.get("/")
    def who():
        return request.remote_addr or ""

    with serve(app, name=None) as srv:
        seen = {
            addr: client_from(addr).get(srv.url + "/", timeout=5).text for addr in ("127.0.0.2", "127.0.1.7")
        }
    assert seen == {"127.0.0.2": "127.0.0.2", "127.0.1.7": "127.0.1.7"}


@pytest.mark.parametrize("address", ["8.8.8.8", "10.0.0.1"])
def test_client_from_refuses_addresses_off_this_machine(address):
    with pytest.raises(ValueError, match="루프백"):
        client_from(address)


def test_yes_no_and_names_read_as_korean_words():
    assert (yn(True), yn(False), yn(0)) == ("예", "아니요", "아니요")
    assert names(["lax", "none"]) == "lax, none" and names([]) == "(없음)" and names([200, 401]) == "200, 401"
