"""Checkers of notebooks 02/02a/02b accept the solutions and reject typical mistakes."""

import random
import secrets

from sessionlab.exercises import ex02 as c


def test_blank_answers():
    for check in (
        c.check_login_order,
        c.check_session_cookie,
        c.check_is_live,
        c.check_defences,
        c.check_safe_login,
        c.check_entropy,
        c.check_session_id_function,
        c.check_guess_years,
    ):
        assert not check(...)
    assert not c.check_memory_estimate(..., 300)


def test_login_order():
    assert c.check_login_order(["C", "B", "E", "D", "H", "A", "G", "F"])
    assert not c.check_login_order(["B", "C", "E", "D", "H", "A", "G", "F"])
    assert not c.check_login_order(["C"])


def test_session_cookie():
    assert c.check_session_cookie("sid=abc; HttpOnly; Secure; SameSite=Lax; Path=/")
    assert not c.check_session_cookie("sid=abc; HttpOnly; SameSite=Lax; Path=/")
    assert not c.check_session_cookie("sid=abc; HttpOnly; Secure; SameSite=None; Path=/")
    assert not c.check_session_cookie("sid=abc; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age=99999")
    assert not c.check_session_cookie("Set-Cookie: sid=abc")


def test_is_live():
    assert c.check_is_live(
        lambda created, last, now, idle, absolute: now < min(last + idle, created + absolute)
    )
    assert not c.check_is_live(lambda created, last, now, idle, absolute: now < last + idle)
    assert not c.check_is_live(lambda *a: 1 / 0)


def test_memory_estimate():
    assert c.check_memory_estimate(300, 300)
    assert not c.check_memory_estimate(3, 300)


def test_defences_and_safe_login():
    assert c.check_defences(dict(c._ATTACK_DEFENCE))
    assert not c.check_defences({k: "renew" for k in c._ATTACK_DEFENCE})

    def good(store, old, user):
        new = store.renew_id(old)
        store.update(new, {**store.get(new).data, "user": user})
        return new

    def fixation(store, old, user):
        store.update(old, {"user": user})
        return old

    def loses_cart(store, old, user):
        store.delete(old)
        return store.create({"user": user}).id

    assert c.check_safe_login(good)
    assert not c.check_safe_login(fixation) and not c.check_safe_login(loses_cart)


def test_ids():
    assert c.check_entropy((128, 26.6)) and not c.check_entropy((22 * 6, 26.6))
    assert c.check_session_id_function(lambda: secrets.token_urlsafe(16))
    assert not c.check_session_id_function(lambda: f"{random.getrandbits(128):032x}")
    assert not c.check_session_id_function(lambda: secrets.token_hex(4))
    assert c.check_guess_years(292.47) and not c.check_guess_years(585)
