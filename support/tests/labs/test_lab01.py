"""Lab 01 tools: the cookie jar and store tables, Flask session cookies decoded, header limits, size timings."""

import statistics

import flask
import pytest

from sessionlab import serve
from sessionlab.apps.cookie import create_cookie_app
from sessionlab.infra.progress import progress_bar
from sessionlab.labs.lab01 import (
    cookie_header_limit,
    decode_flask_session,
    flask_session_cookie,
    size_experiment,
    store_table,
    time_requests,
)
from sessionlab.labs.lab01_hpack import hpack_available, hpack_request_sizes
from sessionlab.web.stores import FakeClock, MemoryStore


@pytest.fixture
def app():
    return create_cookie_app(store=MemoryStore(idle_timeout=10, clock=FakeClock()))


@pytest.fixture
def client(app):
    return app.test_client()


def test_cart_lives_on_the_server_and_only_an_id_in_the_cookie(app, client):
    client.post("/cart", json={"item": "커피"})
    sid = client.get_cookie("shop_sid").value
    assert len(sid) == 43 and "커피" not in sid
    assert app.store.get(sid).data == {"cart": ["커피"]}
    assert store_table(app.store)[0]["세션 ID"] == "<무작위 43자>"


def test_flask_session_is_readable_but_not_forgeable(app, client):
    client.get("/flask/login?user=lee")
    assert decode_flask_session(client.get_cookie("session").value) == {"role": "user", "user": "lee"}
    client.set_cookie("session", flask_session_cookie({"role": "admin"}, "guess"))
    assert client.get("/flask/admin").status_code == 401
    client.set_cookie("session", flask_session_cookie({"role": "admin"}, app.config["SECRET_KEY"]))
    assert client.get("/flask/admin").status_code == 200


def test_werkzeug_warns_past_its_cookie_size():
    assert not cookie_header_limit(4080)["warning"]  # "big=" + value + "; Path=/" = 4092 bytes
    assert cookie_header_limit(4085)["warning"]  # 4097 bytes: past werkzeug's 4093
    assert cookie_header_limit(5000)["warning"]


def test_raw_status_reads_the_refusal_of_an_oversized_request():
    from sessionlab import serve
    from sessionlab.infra.wire import build_request
    from sessionlab.labs.lab01 import raw_status

    with serve(create_cookie_app(), name="test-lab01-raw") as srv:
        assert raw_status(srv.url, build_request("GET", "/echo", "127.0.0.1", close=True))[0] == 200
        long_url = build_request("GET", "/echo?q=" + "x" * 100_000, "127.0.0.1", close=True)
        status, body = raw_status(srv.url, long_url)
        assert status == 431 and b"Request Header Fields Too Large" in body


needs_nghttp2 = pytest.mark.skipif(not hpack_available(), reason="libnghttp2가 없습니다")


@needs_nghttp2
def test_hpack_sends_a_repeated_cookie_as_a_table_index():
    first, second, third = hpack_request_sizes([["c=" + "x" * 1000]] * 3)
    assert first > 800 and second == third < 10


@needs_nghttp2
def test_hpack_resends_a_cookie_too_big_for_the_encoder_to_index():
    first, second = hpack_request_sizes([["c=" + "x" * 4000]] * 2)
    assert second > 3000 and first - second < 20


@needs_nghttp2
def test_cookie_crumbs_compress_better_when_one_cookie_changes():
    sid = "sid=" + "A1b2C3d4" * 5
    one = hpack_request_sizes([[f"{sid}; theme=dark; seen={i}"] for i in range(3)])
    crumbs = hpack_request_sizes([[sid, "theme=dark", f"seen={i}"] for i in range(3)])
    assert crumbs[2] < one[2] / 2


@needs_nghttp2
def test_nghttp2_indexes_only_entries_up_to_three_quarters_of_the_table():
    # entry size = len("cookie") + len(value) + 32 (RFC 7541 §4.1); 3/4 of 4096 is 3072
    assert hpack_request_sizes([["c=" + "x" * 3032]] * 2)[1] < 10  # 6 + 3034 + 32 = 3072
    assert hpack_request_sizes([["c=" + "x" * 3033]] * 2)[1] > 2000  # 3073: sent again


def test_markdown_table_reads_as_a_table_with_korean_booleans():
    from sessionlab.labs.lab01 import markdown_table

    table = markdown_table(
        [{"이름": "theme", "HttpOnly": False}, {"이름": "shop_sid", "HttpOnly": True}]
    ).data
    lines = table.splitlines()
    assert lines[0] == "| 이름 | HttpOnly |" and lines[1] == "|---|---|"
    assert lines[2] == "| theme | 아니요 |" and lines[3] == "| shop_sid | 예 |"
    assert "True" not in table and "False" not in table
    assert markdown_table([]).data == "(비어 있음)"


def test_store_and_jar_rows_render_without_raw_dicts(app, client):
    from sessionlab.labs.lab01 import markdown_table

    client.post("/cart", json={"item": "커피"})
    table = markdown_table(store_table(app.store)).data
    assert '`{"cart": ["커피"]}`' in table and "<무작위 43자>" in table and "{'" not in table


def test_werkzeug_limit_table_says_where_the_warning_starts():
    from sessionlab.labs.lab01 import werkzeug_limit_table

    table = werkzeug_limit_table([cookie_header_limit(n) for n in (4000, 4093)]).data
    assert "| 4,000바이트 | 4,012바이트 | 아니요 |" in table
    assert "| 4,093바이트 | 4,105바이트 | 예 |" in table


def test_claims_table_has_the_common_answer_beside_the_verdict():
    from sessionlab.labs.lab01 import claims_table

    table = claims_table(
        {"수명": ("브라우저를 닫으면 세션 쿠키가 지워진다", "부정확", "세션 복원이 되살림")}
    ).data
    assert "흔한 답변" in table.splitlines()[0]
    assert "| 수명 | 브라우저를 닫으면 세션 쿠키가 지워진다 | 부정확 | 세션 복원이 되살림 |" in table


def test_time_requests_sends_n_requests_with_the_cookie():
    seen = []
    echo = flask.Flask("echo")
    echo.add_url_rule("/echo", view_func=lambda: seen.append(flask.request.headers.get("Cookie")) or "ok")
    with serve(echo, name="echo") as srv:
        us = time_requests(srv.url, "c=" + "x" * 300, n=7)
        time_requests(srv.url, None, n=3)
    assert seen == ["c=" + "x" * 300] * 7 + [None] * 3 and us > 0


def test_size_experiment_measures_every_size_in_every_round():
    with serve(create_cookie_app(), name="sizes") as lab, progress_bar(total=6, desc="측정") as bar:
        rows = size_experiment(lab.url, [0, 100, 1000], n=5, rounds=2, progress=bar)
    assert [r["cookie_bytes"] for r in rows] == [0, 100, 1000]
    # a cookie adds its value's bytes and 12 more: the "Cookie: c=" line's name and its CRLF
    assert [r["request_bytes"] - rows[0]["request_bytes"] for r in rows] == [0, 100 + 12, 1000 + 12]
    assert all(len(r["runs"]) == 2 and r["median_us"] == statistics.median(r["runs"]) > 0 for r in rows)
    assert bar.n == 6
