"""Checkers of notebooks 02 and 02a (and 02b through the ex02 re-export) accept the solutions and reject typical mistakes."""

from sessionlab.exercises import ex02 as c


def test_blank_answers():
    for check in (
        c.check_login_order,
        c.check_session_cookie,
        c.check_is_live,
        c.check_safe_login,
        c.check_entropy,
        c.check_session_id_function,
        c.check_guess_years,
    ):
        assert not check(...)
    assert not c.check_memory_estimate(..., 300)


def test_login_order():
    assert c.check_login_order(["C", "B", "E", "D", "H", "A", "G", "F"])
    swapped = c.check_login_order(["B", "C", "E", "D", "H", "A", "G", "F"])
    assert not swapped and "1번째" in swapped.message
    assert "여덟 개" in c.check_login_order(["C"]).message
    cookie_before_id = c.check_login_order(["C", "B", "D", "E", "H", "A", "G", "F"])
    assert not cookie_before_id and "3번째" in cookie_before_id.message


def test_session_cookie():
    assert c.check_session_cookie("sid=abc; HttpOnly; Secure; SameSite=Lax; Path=/")
    assert "secure" in c.check_session_cookie("sid=abc; HttpOnly; SameSite=Lax; Path=/").message
    assert (
        "Lax 또는 Strict"
        in c.check_session_cookie("sid=abc; HttpOnly; Secure; SameSite=None; Path=/").message
    )
    long_lived = c.check_session_cookie("sid=abc; HttpOnly; Secure; SameSite=Lax; Path=/; Max-Age=99999")
    assert not long_lived and "Max-Age" in long_lived.message
    assert "헤더 이름" in c.check_session_cookie("Set-Cookie: sid=abc").message


def test_is_live():
    assert c.check_is_live(
        lambda created, last, now, idle, absolute: now < min(last + idle, created + absolute)
    )
    idle_only = c.check_is_live(lambda created, last, now, idle, absolute: now < last + idle)
    assert not idle_only and "absolute" in idle_only.message
    assert not c.check_is_live(
        lambda created, last, now, idle, absolute: now <= min(last + idle, created + absolute)
    )
    assert not c.check_is_live(lambda *a: 1 / 0)


def test_memory_estimate():
    assert c.check_memory_estimate(300, 300)
    assert "÷" in c.check_memory_estimate(3, 300).message  # forgot the million sessions
    mib = c.check_memory_estimate(300 * 1_000_000 / 2**20, 300)  # MiB instead of MB
    assert not mib and "MiB" in mib.message
    assert not c.check_memory_estimate("300MB", 300)


def test_safe_login():
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
    assert "세션 고정" in c.check_safe_login(fixation).message
    assert "장바구니" in c.check_safe_login(loses_cart).message and not c.check_safe_login(loses_cart)
    assert "함수" in c.check_safe_login("renew_id").message


def test_is_live_names_the_boundary_rule():
    inclusive = c.check_is_live(
        lambda created, last, now, idle, absolute: now <= min(last + idle, created + absolute)
    )
    assert not inclusive and "< 로" in inclusive.message and "같은 순간" in inclusive.message
    idle_only = c.check_is_live(lambda created, last, now, idle, absolute: now < last + idle)
    assert not idle_only and "같은 순간" not in idle_only.message


def test_sessions_per_memory():
    per_session = 600
    right = 2**30 / per_session
    assert c.check_sessions_per_memory(round(right), per_session)
    assert "1,789,570" in c.check_sessions_per_memory(right, per_session).message
    gb = c.check_sessions_per_memory(1e9 / per_session, per_session)  # GB instead of GiB
    assert not gb and "2^30" in gb.message
    times = c.check_sessions_per_memory(2**30 * per_session, per_session)  # multiplied
    assert not times and "나누세요" in times.message
    mib = c.check_sessions_per_memory(1024 / per_session, per_session)  # MiB, not bytes
    assert not mib and "per_session" in mib.message
    assert not c.check_sessions_per_memory("1.7M", per_session)
    assert not c.check_sessions_per_memory(..., per_session)


def test_login_order_rejects_the_traps():
    password_cookie = c.check_login_order(["C", "B", "E", "D", "I", "H", "A", "G", "F"])
    assert not password_cookie and "비밀번호" in password_cookie.message
    predictable = c.check_login_order(["C", "B", "J", "D", "H", "A", "G", "F"])
    assert not predictable and "CSPRNG" in predictable.message
    assert "리스트" in c.check_login_order("CBEDHAGF").message
