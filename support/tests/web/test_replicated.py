"""sessionlab.web.stores.replicated: what the shared suite cannot show, replication between servers."""

from __future__ import annotations

import json
import time
import urllib.request
import uuid

import pytest

from sessionlab.web.stores import ReplicatedStore, connect


@pytest.fixture()
def group(request):
    def make(n=3, **kw):
        stores = [ReplicatedStore(name=f"m{i}-{uuid.uuid4().hex[:6]}", **kw) for i in range(n)]
        for s in stores:
            request.addfinalizer(s.close)
        return connect(*stores)

    return make


def test_sync_replication_is_visible_everywhere_at_once(group):
    a, b, c = group(3)
    s = a.create({"user": "alice"})
    assert b.get(s.id).data == {"user": "alice"} and c.get(s.id) is not None
    b.update(s.id, {"user": "alice", "cart": [1]})
    assert a.get(s.id).data["cart"] == [1]
    c.delete(s.id)
    assert a.get(s.id) is None and b.get(s.id) is None
    assert a.sent >= 2 and b.received >= 1


def test_async_replication_has_a_window(group):
    a, b = group(2, sync=False, batch_interval=0.2)
    s = a.create({"user": "bob"})
    assert b.get(s.id) is None  # not yet: the consistency window
    assert a.flush() and b.get(s.id) is not None


def test_dead_peer_is_skipped_and_rejoins(group):
    a, b, c = group(3, retry_after=0.05)
    c.close()  # server c dies with its copy
    s = a.create({"user": "carol"})  # still works; c's share is dropped
    assert b.get(s.id) is not None and a.dropped >= 1
    fresh = ReplicatedStore(name=f"fresh-{uuid.uuid4().hex[:6]}")
    try:
        fresh.connect(a, b)
        assert fresh.join() == 1 and fresh.get(s.id).data == {"user": "carol"}
    finally:
        fresh.close()


def _post(url, body: bytes, headers: dict) -> int:
    req = urllib.request.Request(url + "/ops", data=body, method="POST", headers=headers)
    try:
        return urllib.request.urlopen(req, timeout=2).status
    except urllib.error.HTTPError as err:
        return err.code


def test_replication_endpoint_refuses_garbage(group):
    (a,) = group(1)
    body = b"{not json"
    headers = {"Content-Type": "application/json", **a.peer_auth_headers("POST", "/ops", body)}
    assert _post(a.url, body, headers) == 400
    assert a.live_ids() == []


def test_a_request_without_the_cluster_key_changes_nothing(group):
    a, b = group(2)
    s = a.create({"user": "alice"})
    forged = json.dumps({"from": "evil", "ops": [["put", "forged-sid", 0, 0, {"user": "admin"}]]}).encode()
    # no key, a wrong key, and text/plain (a cross-site form can send that): all refused
    assert _post(b.url, forged, {"Content-Type": "application/json"}) == 401
    assert _post(b.url, forged, {"Content-Type": "application/json", "X-Cluster-Auth": "00" * 32}) == 401
    plain = {"Content-Type": "text/plain", **a.peer_auth_headers("POST", "/ops", forged)}
    assert _post(b.url, forged, plain) == 415
    clear = json.dumps({"from": "evil", "ops": [["clear"]]}).encode()
    assert _post(b.url, clear, {"Content-Type": "application/json"}) == 401
    assert b.live_ids() == [s.id] and b.get("forged-sid") is None and b.received == 1
    # the snapshot (every session id) is not handed to a stranger either
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(b.url + "/snapshot", timeout=2)
    assert err.value.code == 401 and s.id.encode() not in err.value.read()
    # a peer with the key still replicates and joins
    b.update(s.id, {"user": "alice", "cart": [1]})
    assert a.get(s.id).data["cart"] == [1]


def test_a_captured_peer_request_cannot_be_replayed_later(group):
    a, b = group(2)
    s = a.create({"user": "alice"})
    clear = json.dumps({"from": "a", "ops": [["clear"]]}).encode()
    old = a.peer_auth_headers("POST", "/ops", clear, at=time.time() - 120)  # signed two minutes ago
    assert _post(b.url, clear, {"Content-Type": "application/json", **old}) == 401
    # the same signature on another path or body is no good either
    now = a.peer_auth_headers("POST", "/ops", b"{}")
    assert _post(b.url, clear, {"Content-Type": "application/json", **now}) == 401
    assert b.live_ids() == [s.id]


def test_a_store_with_another_cluster_key_is_not_a_peer(group):
    (a,) = group(1)
    stranger = ReplicatedStore(name=f"x-{uuid.uuid4().hex[:6]}", cluster_key=b"k" * 32)
    try:
        stranger.connect(a)
        stranger.create({"user": "mallory"})
        assert a.live_ids() == [] and stranger.dropped == 1 and stranger.join() == 0
    finally:
        stranger.close()
