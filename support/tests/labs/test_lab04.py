"""Lab 04 helpers: the cart app, one-shot raw requests, Redis memory per session, the checkers."""
import requests

from sessionlab import serve
from sessionlab.apps.cart import create_cart_app
from sessionlab.exercises.ex04 import check_memory_estimate, check_needs_state, check_self_contained
from sessionlab.infra.redis_servers import start_redis
from sessionlab.labs.lab02 import session_memory
from sessionlab.labs.lab04 import SAMPLE_SESSION, extrapolate, raw_request
from sessionlab.web.stores import MemoryStore, RedisStore


def test_cart_state_lives_in_the_store_not_the_server():
    redis = start_redis(name="test-statelab")
    try:
        store = RedisStore(redis)
        with serve(create_cart_app(store, name="A")) as a, serve(create_cart_app(store, name="B")) as b, \
                serve(create_cart_app(None, name="none")) as none:
            s = requests.Session()
            s.post(a.url + "/cart", json={"item": "커피"})
            sid = s.cookies["sid"]
            assert raw_request(b.url, cookie=f"sid={sid}")["body"]["cart"] == ["커피"]
            shown = raw_request(a.url, cookie=f"sid={sid}")
            assert sid not in shown["request"] and "sid=…(43자)" in shown["request"]
            assert raw_request(a.url)["body"]["cart"] == []
            s.post(none.url + "/cart", json={"item": "책"})
            assert s.get(none.url + "/cart").json()["cart"] == []
        mem = session_memory(RedisStore(redis, prefix="sessionlab:memtest:"), n=500, data=SAMPLE_SESSION)
        assert mem["json_bytes"] < mem["per_session"] < 4096 and mem["keys_created"] == 500
        assert store.count() == 1  # the measurement used its own prefix and removed its keys
    finally:
        redis.stop()


def test_memory_store_per_server_is_not_shared():
    with serve(create_cart_app(MemoryStore(), name="A")) as a, serve(create_cart_app(MemoryStore(), name="B")) as b:
        s = requests.Session()
        s.post(a.url + "/cart", json={"item": "책"})
        assert raw_request(b.url, cookie=f"sid={s.cookies['sid']}")["body"]["cart"] == []


def test_extrapolate_is_linear():
    mib = extrapolate(1024, counts=(1024, 2048))
    assert mib == {1024: 1.0, 2048: 2.0}


def test_checkers_04():
    assert not check_self_contained(...) and check_self_contained("cookie") and not check_self_contained("Host")
    assert check_memory_estimate(600 * 250_000 / 2 ** 20, 600, 250_000, unit="MiB") and not check_memory_estimate(600 * 250_000 / 1e6, 600, 250_000, unit="MiB")
    assert check_needs_state({"b", "C"}) and not check_needs_state({"A", "B", "C"}) and not check_needs_state(5)
