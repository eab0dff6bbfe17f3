"""trace: one exchange shown readably, cookies highlighted, HTML and text."""

import requests
from flask import Flask, make_response, request

from sessionlab import serve
from sessionlab.infra.trace import trace


def cookie_app():
    app = Flask("t")

    @app.post("/login")
    def login():
        resp = make_response(f"hi {request.form['user']}")
        resp.set_cookie("sid", "abc", httponly=True)
        resp.set_cookie("theme", "dark")
        return resp

    @app.get("/me")
    def me():
        return request.cookies.get("sid", "none")

    return app


def test_trace_shows_both_sides_with_cookies_marked():
    with serve(cookie_app()) as srv:
        s = requests.Session()
        login = s.post(srv.url + "/login?x=1", data={"user": "kim"})
        me = s.get(srv.url + "/me")
    text = trace(login, title="로그인").text()
    assert "POST /login?x=1 HTTP/1.1" in text and "user=kim" in text
    assert f"Host: 127.0.0.1:{srv.port}" in text
    assert "HTTP/1.1 200 OK" in text
    # each Set-Cookie line stays apart and is marked
    assert text.count("Set-Cookie:") == 2 and "Set-Cookie: sid=abc; HttpOnly; Path=/  ◀" in text
    me_text = trace(me).text()
    assert "Cookie: " in me_text and "◀" in me_text.split("응답")[0]
    html = trace(me)._repr_html_()
    assert "background:#fff3b0" in html and "&lt;" not in html.split("Cookie")[0][-5:]


def test_trace_hides_noise_and_truncates_and_escapes():
    app = Flask("t")

    @app.get("/")
    def big():
        return "<b>" + "x" * 2000

    with serve(app) as srv:
        resp = requests.get(srv.url)
    text = trace(resp).text()
    assert "Date:" not in text and "Server:" not in text
    assert "2003자 중 600자만 표시" in text
    assert "&lt;b&gt;" in trace(resp)._repr_html_()
