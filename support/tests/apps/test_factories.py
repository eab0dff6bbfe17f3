"""The app factories are flaskr-shaped: a Blueprint of module views, and the attributes notebooks read stay."""

import pytest

from sessionlab.apps import cart, cookie, http_basics, rest, rpc, state, tour
from sessionlab.web import passwords
from sessionlab.web.passwords import dummy_hash
from sessionlab.web.stores import MemoryStore


class _Redis:
    def incr(self, key):
        return 1


@pytest.mark.parametrize(
    "make, module, blueprint",
    [
        (lambda: cookie.create_cookie_app(), cookie, "bp"),
        (lambda: rest.create_rest_app(users={}), rest, "bp"),
        (lambda: rpc.create_rpc_app(users={}), rpc, "rpc_bp"),
        (lambda: state.create_state_app(), state, "bp"),
        (lambda: cart.create_cart_app(MemoryStore()), cart, "bp"),
        (lambda: http_basics.create_http_lab_app("t"), http_basics, "bp"),
        (lambda: tour.create_tour_app(_Redis()), tour, "bp"),
    ],
)
def test_each_factory_registers_its_module_blueprint(make, module, blueprint):
    app = make()
    bp = getattr(module, blueprint)
    assert app.blueprints == {bp.name: bp}
    assert all(
        rule.endpoint.startswith(bp.name + ".")
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static"
    )


def test_the_attributes_notebooks_read_are_still_there():
    store = MemoryStore()
    assert cookie.create_cookie_app(store=store).store is store
    assert cookie.create_cookie_app(secret_key=b"k" * 32).config["SECRET_KEY"] == b"k" * 32
    assert cart.create_cart_app(store).store is store and cart.create_cart_app(None).store is None
    api = rest.create_rest_app(users={}, store=store)
    assert api.config["store"] is store and api.config["notes"] == {} and api.config["tokens"] is not None
    assert rpc.create_rpc_app(users={}).config["notes"] == {}
    app = state.create_state_app(store=store)
    assert app.config["store"] is store and app.config["seen"] == [] and app.config["slow_queries"] == 0
    assert http_basics.create_http_lab_app("t").config["doc_hits"] == 0


@pytest.mark.parametrize("make", [rest.create_rest_app, rpc.create_rpc_app])
def test_the_unknown_user_hash_is_made_with_the_app_not_by_the_first_unknown_login(make):
    passwords._dummy_hash.cache_clear()
    make(users={"alice": "alice-pass-1"}, kdf_n=2**8)
    hits = passwords._dummy_hash.cache_info().hits
    dummy_hash(2**8)  # what the first unknown user's login asks for
    assert passwords._dummy_hash.cache_info().hits == hits + 1


def test_two_apps_of_one_factory_keep_separate_state():
    a, b = http_basics.create_http_lab_app("a"), http_basics.create_http_lab_app("b")
    assert a.test_client().post("/memory-visits?user=kim").get_json()["visits"] == 1
    assert a.test_client().post("/memory-visits?user=kim").get_json()["visits"] == 2
    assert b.test_client().post("/memory-visits?user=kim").get_json() == {
        "server": "b",
        "user": "kim",
        "visits": 1,
    }
