"""sessionlab.web.stores.replicated: what the shared suite cannot show, replication between servers."""

from __future__ import annotations

import json
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


def test_replication_endpoint_refuses_garbage(group):
    (a,) = group(1)
    req = urllib.request.Request(a.url + "/ops", data=b"{not json", method="POST")
    with pytest.raises(urllib.error.HTTPError) as err:
        urllib.request.urlopen(req, timeout=2)
    assert err.value.code == 400
    snap = json.loads(urllib.request.urlopen(a.url + "/snapshot", timeout=2).read())
    assert snap == {}
