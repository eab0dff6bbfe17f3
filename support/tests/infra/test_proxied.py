"""Lab apps through jupyter-server-proxy (JupyterHub, Binder): links, cookie paths, redirects, forms."""

from __future__ import annotations

import os
import re
import secrets
import signal
import subprocess
import sys
import time

import pytest
import requests

from sessionlab import serve
from sessionlab.apps.login import create_login_app
from sessionlab.infra.proxied import behind_proxy, link, public_url


def echo_cookie_app(environ, start_response):
    start_response("200 OK", [("Set-Cookie", "a=1; Path=/"), ("Set-Cookie", "b=2; Path=/refresh; HttpOnly")])
    return [environ["wsgi.url_scheme"].encode()]


def call(app, headers: dict) -> tuple[list[str], bytes]:
    seen = {}
    environ = {
        "wsgi.url_scheme": "http",
        **{"HTTP_" + k.upper().replace("-", "_"): v for k, v in headers.items()},
    }
    body = b"".join(app(environ, lambda status, hs, exc=None: seen.update(headers=hs)))
    return [v for k, v in seen["headers"] if k == "Set-Cookie"], body


def test_cookie_paths_and_scheme_follow_the_proxy_prefix():
    app = behind_proxy(echo_cookie_app)
    assert call(app, {}) == (["a=1; Path=/", "b=2; Path=/refresh; HttpOnly"], b"http")  # local: untouched
    cookies, scheme = call(app, {"X-Forwarded-Prefix": "/user/kim/proxy/8123", "X-Forwarded-Proto": "https"})
    assert cookies == ["a=1; Path=/user/kim/proxy/8123/", "b=2; Path=/user/kim/proxy/8123/refresh; HttpOnly"]
    assert scheme == b"https"  # the scheme the browser used: Origin checks compare like with like
    for hostile in ("/x;\r\nSet-Cookie: evil=1", "/a b", "relative"):
        assert call(app, {"X-Forwarded-Prefix": hostile})[0][0] == "a=1; Path=/"  # ignored, not echoed


def test_links_point_where_the_learners_browser_can_go(monkeypatch):
    monkeypatch.delenv("JUPYTERHUB_SERVICE_PREFIX", raising=False)
    assert public_url("http://127.0.0.1:8123", 8123, "/login") == "http://127.0.0.1:8123/login"
    monkeypatch.setenv("JUPYTERHUB_SERVICE_PREFIX", "/user/kim/")  # JupyterHub and Binder set it
    assert public_url("http://127.0.0.1:8123", 8123, "/login") == "/user/kim/proxy/8123/login"
    with serve(create_login_app(kdf_n=2**8), name=None) as srv:
        shown = link(srv, "/login")
        assert f'href="/user/kim/proxy/{srv.port}/login"' in shown._repr_html_()
        assert repr(shown).endswith(f"/user/kim/proxy/{srv.port}/login")


@pytest.fixture
def jupyter_server(tmp_path):
    """A real Jupyter Server with its token, on 127.0.0.1 (jupyter-server-proxy loads with it)."""
    token, port = secrets.token_hex(16), _free_port()
    args = [
        sys.executable,
        "-m",
        "jupyter",
        "server",
        "--no-browser",
        f"--port={port}",
        "--ServerApp.ip=127.0.0.1",
        f"--IdentityProvider.token={token}",
        f"--ServerApp.root_dir={tmp_path}",
    ]
    args += ["--allow-root"] if os.getuid() == 0 else []
    proc = subprocess.Popen(
        args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL, start_new_session=True
    )
    base = f"http://127.0.0.1:{port}"
    try:
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(base + "/api/status", params={"token": token}, timeout=2).ok:
                    break
            except requests.ConnectionError:
                time.sleep(0.3)
        yield base, token
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(30)


def _free_port() -> int:
    import socket

    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def test_the_login_app_works_through_the_real_proxy(jupyter_server):
    base, token = jupyter_server
    with serve(create_login_app(kdf_n=2**8), name=None) as srv:
        here = f"/proxy/{srv.port}"
        browser = requests.Session()
        browser.headers["Authorization"] = f"token {token}"  # the learner is logged in to Jupyter
        form = browser.get(f"{base}{here}/login", timeout=10)
        assert form.status_code == 200 and f'action="{here}/login"' in form.text  # the form posts back here
        assert {c.path for c in browser.cookies if c.name == "login_sid"} == {
            f"{here}/"
        }  # stays in its prefix
        csrf = re.search(r'name="csrf_token" value="([^"]+)"', form.text).group(1)
        done = browser.post(
            f"{base}{here}/login",
            allow_redirects=False,
            timeout=10,
            headers={"Origin": base},
            data={"username": "alice", "password": "wonderland-2026", "csrf_token": csrf},
        )
        assert done.status_code == 303 and done.headers["Location"] == f"{here}/"  # redirect kept the prefix
        me = browser.get(f"{base}{here}/me", timeout=10)
        assert me.status_code == 200 and me.json()["user"] == "alice"
        sent_to_jupyter = browser.get(f"{base}/api/status", timeout=10).request.headers.get("Cookie", "")
        assert "login_sid" not in sent_to_jupyter  # the session id never goes to Jupyter itself
