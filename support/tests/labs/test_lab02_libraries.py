"""Notebook 02's library section: the measurements, against real servers and a real Redis."""

import pytest
import requests

from sessionlab import serve
from sessionlab.apps.library_login import create_library_login_app
from sessionlab.apps.login import create_login_app
from sessionlab.labs.lab02_libraries import (
    duration_text,
    fixation,
    login,
    logout_leftover,
    made_up_id,
    raw_client,
    redis_entry,
    set_cookie,
)
from sessionlab.web.stores import RedisStore

FAST = 2**8


@pytest.fixture(scope="module")
def servers(redis_server):
    store = RedisStore(redis_server, idle_timeout=15 * 60, absolute_timeout=8 * 3600)
    with (
        serve(create_login_app(store, kdf_n=FAST), name=None) as course,
        serve(create_library_login_app(redis_server, kdf_n=FAST), name=None) as flask,
        serve(create_library_login_app(redis_server, harden=True, kdf_n=FAST), name=None) as hard,
    ):
        yield {"course": course.url, "flask": flask.url, "hard": hard.url}


def test_set_cookie_reads_the_line_and_measures_the_lifetime(servers):
    course = set_cookie(login(servers["course"]), "login_sid")
    assert course["line"] == "Set-Cookie: login_sid=<ID 43자>; HttpOnly; Path=/; SameSite=Lax"
    assert course["lifetime"] is None and course["samesite"] == "Lax"  # a session cookie
    flask = set_cookie(login(servers["flask"]), "session")
    assert flask["line"] == "Set-Cookie: session=<ID 43자>; Expires=<날짜>; HttpOnly; Path=/"
    assert flask["samesite"] is None and flask["httponly"] and not flask["secure"]
    assert abs(flask["lifetime"] - 31 * 86400) <= 1
    hard = set_cookie(login(servers["hard"]), "library_sid")
    assert hard["samesite"] == "Lax" and abs(hard["lifetime"] - 900) <= 1
    assert set_cookie(login(servers["hard"]), "session") == {}


def test_redis_entry_decodes_both_layouts(servers, redis_server):
    sid = login(servers["course"]).cookies["login_sid"]
    course = redis_entry(redis_server, "sessionlab:sessions:" + sid)
    assert course["type"] == "hash" and set(course["value"]) == {"created", "last_access", "data"}
    assert 890 <= course["ttl"] <= 900
    fsid = login(servers["flask"]).cookies["session"]
    flask = redis_entry(redis_server.client(), "session:" + fsid)  # a decoding client works too
    assert flask["type"] == "string" and flask["value"]["_user_id"] == "alice"
    assert flask["ttl"] > 30 * 86400
    assert redis_entry(redis_server, "session:nope") == {"type": "none"}
    raw_client(redis_server).set("json:x", b'{"a": 1}')
    assert redis_entry(redis_server, "json:x")["value"] == {"a": 1}


def test_fixation_defaults_let_the_attacker_in_hardened_and_course_do_not(servers):
    default = fixation(servers["flask"], "session")
    assert default["same_id"] and default["attacker_me"] == 200 and default["victim_me"] == 200
    hard = fixation(servers["hard"], "library_sid")
    assert not hard["same_id"] and hard["attacker_me"] == 401 and hard["victim_me"] == 200
    course = fixation(servers["course"], "login_sid", start="/login")
    assert not course["same_id"] and course["attacker_me"] == 401
    with pytest.raises(RuntimeError):
        fixation(servers["flask"], "session", start="/me")  # no session before login: nothing to plant


def test_made_up_ids_are_not_adopted(servers):
    for key, name in (("flask", "session"), ("hard", "library_sid"), ("course", "login_sid")):
        out = made_up_id(servers[key], name)
        assert out["victim_login"] == 200 and not out["adopted"] and out["attacker_me"] == 401


def test_logout_leftover(servers, redis_server):
    kept = logout_leftover(servers["flask"], "session", "session:", redis_server, cart=True)
    assert kept == {
        "logout": 200,
        "record_before": "string",
        "record_after": "string",
        "cookie_cleared": False,
        "copy_me": 401,
    }
    gone = logout_leftover(servers["hard"], "library_sid", "session:", redis_server, cart=True)
    assert gone["record_after"] == "none" and gone["cookie_cleared"] and gone["copy_me"] == 401
    course = logout_leftover(servers["course"], "login_sid", "sessionlab:sessions:", redis_server)
    assert course["logout"] == 200 and course["record_after"] == "none" and course["copy_me"] == 401
    with pytest.raises(RuntimeError):
        logout_leftover(servers["flask"], "wrong-name", "session:", redis_server)
    assert requests.get(servers["flask"] + "/me").status_code == 401


@pytest.mark.parametrize(
    "seconds, text",
    [
        (None, "없음 (세션 쿠키)"),
        (2678399, "31일"),
        (3599, "1시간"),
        (899, "15분"),
        (300, "5분"),
        (40, "40초"),
    ],
)
def test_duration_text_rounds_to_the_unit(seconds, text):
    assert duration_text(seconds) == text
