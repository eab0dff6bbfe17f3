"""Lab 04a in real Chromium: image requests, XSS exfiltration, cross-site posts (skipped without Chromium)."""

import pytest

from sessionlab import serve
from sessionlab.apps.token import create_token_app
from sessionlab.apps.token_attacker import create_token_attacker_app
from sessionlab.infra import browser
from sessionlab.labs.lab04a_browser import cross_site, img_report, page_report, xss_report
from sessionlab.web.tokens import TokenService, generate_keys

needs_chromium = pytest.mark.skipif(not browser.available(), reason="Chromium이 없음")


@pytest.fixture(scope="module")
def service():
    return TokenService(generate_keys())


def test_page_report_reads_the_pre_and_says_when_it_is_missing():
    assert page_report('<pre id="report">{"a": 1}</pre>') == {"a": 1}
    with pytest.raises(RuntimeError):
        page_report("<html></html>")
    with pytest.raises(RuntimeError):
        page_report('<pre id="report">실행 중…</pre>')


@needs_chromium
def test_img_carries_cookie_never_authorization(service):
    app = create_token_app(service)
    with serve(app) as srv:
        cookie, bearer = img_report(srv.url, "cookie"), img_report(srv.url, "bearer")
    assert cookie["img_loaded"] and bearer["fetch_me_status"] == 200 and not bearer["img_loaded"]
    pixels = [s for s in app.token_lab.seen if s["path"] == "/demo/pixel.gif"]
    assert [(s["cookie"], s["authorization"], s["status"]) for s in pixels] == [
        (True, False, 200),
        (False, False, 401),
    ]


@needs_chromium
def test_xss_steals_from_localstorage_not_from_httponly_cookie(service):
    app, thief = create_token_app(service), create_token_attacker_app()
    with serve(app) as srv, serve(thief) as evil:
        cookie = xss_report(srv.url, "cookie", attacker=evil.url)
        storage = xss_report(srv.url, "localStorage", attacker=evil.url)
    got = [c["body"]["token"] for c in thief.collected]
    assert got[0] == "" and service.verify(got[1])["sub"] == "alice"
    assert not cookie["cookie_readable"] and cookie["transfer_status"] == 200  # misuse still works
    assert storage["storage_readable"]


@needs_chromium
def test_reflected_cors_defeats_the_custom_header_check(service):
    thief = create_token_attacker_app()
    strict = create_token_app(service, cookie_samesite="None", cookie_secure=True)
    loose = create_token_app(service, cookie_samesite="None", cookie_secure=True, cors="reflect")
    with serve(thief) as evil, serve(strict) as shop1, serve(loose) as shop2:
        blocked = cross_site(shop1.port, evil.port, "fetch")
        allowed = cross_site(shop2.port, evil.port, "fetch")
    assert "blocked" in blocked["attack"] and [s["method"] for s in strict.token_lab.seen] == ["OPTIONS"]
    assert allowed["attack"]["status"] == 200
    post = [s for s in loose.token_lab.seen if s["method"] == "POST"]
    assert post and post[0]["cookie"] and post[0]["x_requested_with"] and post[0]["status"] == 200


@needs_chromium
def test_login_csrf_works_only_against_the_vulnerable_twin():
    from sessionlab.apps.token_attacker import ATTACKER_ACCOUNT
    from sessionlab.labs.lab04a_browser import login_csrf
    from sessionlab.web.tokens import VulnerableVerifier

    svc = TokenService(generate_keys())
    users = {"alice": ("alice-pw", "user"), ATTACKER_ACCOUNT[0]: (ATTACKER_ACCOUNT[1], "user")}
    with serve(create_token_attacker_app()) as evil:
        for verifier, expected in ((None, None), (VulnerableVerifier(svc.keys), "mallory")):
            app = create_token_app(svc, users=users, verifier=verifier)
            with serve(app) as shop:
                run = login_csrf(shop.port, evil.port)
            assert run["me"] == expected, run
            if expected is None:
                assert "cross_site" in run["login"], run


@needs_chromium
def test_an_injected_script_reads_a_fresh_token_from_refresh_only_on_the_vulnerable_twin(service):
    from sessionlab.infra.redis_servers import start_redis
    from sessionlab.web.tokens import VulnerableVerifier

    with start_redis(name=None) as store:
        svc = TokenService(service.keys, redis=store)
        for verifier, leaks in ((None, False), (VulnerableVerifier(svc.keys), True)):
            with serve(create_token_app(svc, verifier=verifier)) as srv:
                rep = xss_report(srv.url, "cookie")
            assert rep["refresh_status"] == 200 and rep["refresh_token_readable"] is leaks, rep
