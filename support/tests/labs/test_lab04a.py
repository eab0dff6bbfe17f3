"""Lab 04a helpers: anatomy, sizes, timing, the playground, the table, the XSS page."""

import time

import pytest

from sessionlab import serve
from sessionlab.apps.token import create_token_app
from sessionlab.infra import browser
from sessionlab.infra.wire import wire_bytes
from sessionlab.labs.lab04a import (
    TokenPlayground,
    anatomy,
    bad_tokens,
    comparison_table,
    mask,
    probe,
    quietest,
    time_ops,
    token_sizes,
    xss_report,
)
from sessionlab.labs.lab04a_attacks import pyjwt_refuses_pem_as_hmac
from sessionlab.web.tokens import TokenService, generate_keys


@pytest.fixture(scope="module")
def service():
    return TokenService(generate_keys())


def test_anatomy_and_mask(service):
    token = service.issue("alice", role="user")
    parts = anatomy(token)
    assert [p["part"] for p in parts] == ["header", "payload", "signature"]
    assert parts[1]["decoded"]["sub"] == "alice" and parts[2]["bytes"] == 32
    assert token not in mask(token) and mask(token).count("…") == 3


def test_sizes_are_stable_and_ordered(service):
    a, b = token_sizes(service), token_sizes(service)
    assert a == b and a["RS256"] > a["EdDSA"] > a["HS256"] > 200


def test_wire_bytes_and_probe(service):
    with serve(create_token_app(service)) as srv:
        token = service.issue("alice", role="user")
        sent, status = wire_bytes(srv.url, "/me", headers={"Authorization": f"Bearer {token}"})
        assert status == 200 and sent > len(token)
        for case, bad in bad_tokens(service).items():
            r = probe(srv.url, bad)
            assert r["status"] == 401 and r["code"] and 'error="invalid_token"' in r["www_authenticate"], case


def test_quietest_keeps_the_run_whose_cpu_op_was_fastest_whatever_the_ratio():
    runs = iter(
        [
            {"jwt": 250.0, "lookup": 2300.0},  # a busy moment: the verification slowed, ratio 9
            {"jwt": 90.0, "lookup": 2600.0},  # the quietest: ratio 29
            {"jwt": 120.0, "lookup": 4800.0},  # the largest ratio (40), not the quietest
        ]
    )
    assert quietest(lambda: next(runs), by="jwt") == {"jwt": 90.0, "lookup": 2600.0}
    assert next(runs, None) is None  # all three runs were measured


def test_time_ops_gives_each_op_about_the_same_time_per_round():
    """A slow op is called a few times, a fast one many: no sample is too short or far too long."""
    calls = {"slow": 0, "fast": 0}

    def slow():
        calls["slow"] += 1
        time.sleep(0.004)

    def fast():
        calls["fast"] += 1

    out = time_ops({"slow": slow, "fast": fast}, rounds=3, seconds=0.02)
    assert set(out) == {"slow", "fast"} and out["slow"] >= 4000 > 100 * out["fast"] > 0
    assert 3 * 3 <= calls["slow"] <= 3 * 6 + 4  # about 5 a round (20 ms of 4 ms), plus the estimate
    assert calls["fast"] > 100 * calls["slow"]


def test_playground_edit_breaks_the_signature(service):
    pg = TokenPlayground(service.verifier, service.issue("alice", role="user"))
    assert pg.verify().startswith("✅")
    pg.edit(role="admin")
    assert pg.decoded()[1]["role"] == "admin" and "bad_signature" in pg.verify()
    assert pg.show() is not None  # the ipywidgets view builds without a display


def test_comparison_table_from_measurements():
    m = {
        "sizes": {"HS256": 300, "EdDSA": 350},
        "sid_len": 43,
        "readable": True,
        "costs": {
            "JWT HS256 검증": 40.0,
            "JWT EdDSA 검증": 100.0,
            "Redis 세션 조회": 50.0,
            "dict 조회 (프로세스 메모리)": 0.05,
        },
        "jwt_logout_without_state": False,
        "jwt_logout_with_denylist": True,
        "session_logout": True,
    }
    table = comparison_table(m)
    assert table.rows[0][1] == [300, 350, 43] and "800배" in table.rows[1][1][0]
    assert "40 µs" in table.rows[1][1][0] and table.rows[4][1][0] == "아니요" and table.rows[5][1][2] == "예"
    with_net = comparison_table({**m, "net": {"Redis 조회 (+0.5 ms 왕복)": 612.4}})
    assert with_net.rows[2] == ("저장소까지 0.5 ms 왕복이 끼면", ["그대로 (저장소 없음)"] * 2 + ["612 µs"])
    assert len(with_net.rows) == len(table.rows) + 1
    assert "<table>" in table._repr_html_() and "JWT (HS256)" in table.text()


def test_pyjwt_refuses_pem(service):
    assert pyjwt_refuses_pem_as_hmac(service.keys["RS256"].public_pem()).startswith("InvalidKeyError")


@pytest.mark.skipif(not browser.available(), reason="Chromium이 없음")
def test_xss_page_in_real_chromium(service):
    with serve(create_token_app(service)) as srv:
        cookie = xss_report(srv.url, "cookie")
        storage = xss_report(srv.url, "localStorage")
    assert cookie["cookie_readable"] is False and cookie["api_call_status"] == 200
    assert storage["storage_readable"] is True


def test_token_diff_names_each_change(service):
    from sessionlab.labs.lab04a_attacks import forge_alg_none, token_diff

    token = service.issue("alice", role="user")
    lines = token_diff(token, forge_alg_none(token, role="admin"))
    assert "  header.alg: 'HS256' → 'none'" in lines and "  payload.role: 'user' → 'admin'" in lines
    assert lines[2] == "signature: 43자 → 0자"
    assert token_diff(token, token)[0].endswith("(그대로)")
