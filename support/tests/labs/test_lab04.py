"""Lab 04 helpers: one request on a fresh connection, what a cart session costs Redis, the memory extrapolation."""

import requests

from sessionlab import serve
from sessionlab.apps.cart import create_cart_app
from sessionlab.infra.redis_servers import start_redis
from sessionlab.labs.lab02 import session_memory
from sessionlab.labs.lab04 import SAMPLE_SESSION, extrapolate, raw_request
from sessionlab.web.stores import MemoryStore, RedisStore


def test_cart_state_lives_in_the_store_not_the_server():
    redis = start_redis(name="test-statelab")
    try:
        store = RedisStore(redis)
        with (
            serve(create_cart_app(store, name="A")) as a,
            serve(create_cart_app(store, name="B")) as b,
            serve(create_cart_app(None, name="none")) as none,
        ):
            s = requests.Session()
            s.post(a.url + "/cart", json={"item": "커피"})
            sid = s.cookies["cart_sid"]
            assert raw_request(b.url, cookie=f"cart_sid={sid}")["body"]["cart"] == ["커피"]
            shown = raw_request(a.url, cookie=f"cart_sid={sid}")
            assert sid not in shown["request"] and "cart_sid=…(43자)" in shown["request"]
            assert raw_request(a.url)["body"]["cart"] == []
            s.post(none.url + "/cart", json={"item": "책"})
            assert s.get(none.url + "/cart").json()["cart"] == []
        mem = session_memory(RedisStore(redis, prefix="sessionlab:memtest:"), n=500, data=SAMPLE_SESSION)
        assert mem["json_bytes"] < mem["per_session"] < 4096 and mem["keys_created"] == 500
        assert store.count() == 1  # the measurement used its own prefix and removed its keys
        assert RedisStore(redis, prefix="sessionlab:memtest:").count() == 0
    finally:
        redis.stop()


def test_memory_store_per_server_is_not_shared():
    with (
        serve(create_cart_app(MemoryStore(), name="A")) as a,
        serve(create_cart_app(MemoryStore(), name="B")) as b,
    ):
        s = requests.Session()
        s.post(a.url + "/cart", json={"item": "책"})
        assert raw_request(b.url, cookie=f"cart_sid={s.cookies['cart_sid']}")["body"]["cart"] == []


def test_extrapolate_is_linear():
    mib = extrapolate(1024, counts=(1024, 2048))
    assert mib == {1024: 1.0, 2048: 2.0}
