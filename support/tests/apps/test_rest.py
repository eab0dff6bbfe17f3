"""sessionlab.apps.rest: resources, status codes, problem+json, idempotency."""

from __future__ import annotations

import pytest

from sessionlab.apps.rest import (
    PROBLEM_BASE,
    PROBLEM_JSON,
    create_rest_app,
    new_token_service,
)

USERS = {"alice": "alice-pass-1", "bob": "bob-pass-12"}
FAST = 2**8  # these tests are about the API, not the hash: a cheap scrypt (the notebook keeps the lab's)


ALICE = {"username": "alice", "password": "alice-pass-1"}


@pytest.fixture(scope="module")
def tokens():
    return new_token_service()


@pytest.fixture()
def app(tokens):
    return create_rest_app(users=USERS, tokens=tokens, kdf_n=FAST)


@pytest.fixture()
def client(app):
    return app.test_client()


@pytest.fixture()
def alice(app):
    c = app.test_client()
    assert c.post("/sessions", json=ALICE).status_code == 201
    return c


def assert_problem(resp, status, slug=None):
    assert resp.status_code == status
    assert resp.headers["Content-Type"] == PROBLEM_JSON
    body = resp.get_json(force=True)
    assert body["status"] == status and body["title"] and body["detail"] and body["instance"]
    assert body["type"] == (PROBLEM_BASE + slug if slug else "about:blank")
    return body


# --- bad input: each a test, each problem+json ------------------------------------
@pytest.mark.parametrize(
    "content_type, data",
    [
        ("application/x-www-form-urlencoded", "username=alice&password=x"),
        ("text/plain", '{"username": "alice"}'),
        (None, ""),
    ],
)
def test_wrong_content_type_is_415(client, content_type, data):
    headers = {"Content-Type": content_type} if content_type else {}
    body = assert_problem(client.post("/sessions", data=data, headers=headers), 415, "unsupported-media-type")
    assert "application/json" in body["detail"]


@pytest.mark.parametrize("data", ["{username: alice", "", '{"a": 1', "\xff"])
def test_invalid_json_is_400(client, data):
    assert_problem(client.post("/sessions", data=data, content_type="application/json"), 400, "invalid-json")


@pytest.mark.parametrize(
    "payload, fields",
    [
        ({"username": "alice"}, ["password"]),
        ({}, ["username", "password"]),
        ({"username": "", "password": "x"}, ["username"]),
        ({"username": 42, "password": ["x"]}, ["username", "password"]),
    ],
)
def test_missing_or_wrong_fields_is_422(client, payload, fields):
    body = assert_problem(client.post("/sessions", json=payload), 422, "validation")
    assert [e["field"] for e in body["errors"]] == fields


def test_json_that_is_not_an_object_is_422(client):
    assert_problem(client.post("/sessions", json=["alice"]), 422, "validation")


@pytest.mark.parametrize("path", ["/nope", "/sessions/other", "/users/zed"])
def test_unknown_resource_is_404(client, path):
    assert_problem(client.get(path), 404, "not-found" if path.startswith("/users/") else None)


@pytest.mark.parametrize(
    "method, path, allow",
    [
        ("PATCH", "/sessions/current", "DELETE, GET, HEAD, OPTIONS"),
        ("GET", "/sessions", "OPTIONS, POST"),
        ("DELETE", "/users/alice", "GET, HEAD, OPTIONS"),
    ],
)
def test_wrong_method_is_405_with_a_sorted_allow_header(client, method, path, allow):
    resp = client.open(path, method=method)
    assert_problem(resp, 405)
    assert resp.headers["Allow"] == allow


def test_wrong_password_and_unknown_user_are_the_same_401(client):
    a = client.post("/sessions", json={"username": "alice", "password": "wrong"})
    b = client.post("/sessions", json={"username": "nobody", "password": "wrong"})
    assert assert_problem(a, 401, "bad-credentials") == assert_problem(b, 401, "bad-credentials")
    assert a.headers["WWW-Authenticate"].startswith("Bearer")


def test_one_scrypt_cost_for_stored_signed_up_and_unknown_user_hashes(monkeypatch):
    """``kdf_n`` reaches every hash a login checks: else an unknown user would cost another time."""
    from sessionlab.apps import rest

    app = create_rest_app(users=USERS, kdf_n=FAST)
    client = app.test_client()
    assert client.post("/users", json={"username": "carol", "password": "carol-pass"}).status_code == 201
    checked = []
    monkeypatch.setattr(rest, "verify_password", lambda pw, stored: checked.append(stored) or False)
    client.post("/sessions", json={"username": "nobody", "password": "wrong"})
    stored = [*app.rest_lab.hashes.values(), *checked]
    assert len(stored) == 4 and all(h.startswith(f"scrypt${FAST}$") for h in stored), stored


# --- resources and status codes -----------------------------------------------------
def test_session_as_a_resource(client, app):
    login = client.post("/sessions", json=ALICE)
    assert login.status_code == 201 and login.headers["Location"] == "/sessions/current"
    cookie = login.headers["Set-Cookie"]
    assert cookie.startswith("rest_sid=") and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert client.get("/sessions/current").get_json() == {"user": "alice", "via": "session-cookie"}
    assert app.config["store"].count() == 1
    out = client.delete("/sessions/current")
    assert out.status_code == 204 and out.data == b"" and "Content-Type" not in out.headers
    assert app.config["store"].count() == 0
    assert_problem(client.get("/sessions/current"), 401, "unauthenticated")
    assert_problem(client.delete("/sessions/current"), 401, "unauthenticated")


def test_token_login_is_stateless_and_cannot_be_logged_out(client, app):
    issued = client.post("/tokens", json=ALICE)
    assert issued.status_code == 201 and issued.get_json()["token_type"] == "Bearer"
    bearer = {"Authorization": "Bearer " + issued.get_json()["access_token"]}
    assert app.config["store"].count() == 0  # nothing stored on the server
    assert client.get("/sessions/current", headers=bearer).get_json()["via"] == "bearer-token"
    assert_problem(client.delete("/sessions/current", headers=bearer), 404, "no-server-session")
    assert client.get("/sessions/current", headers=bearer).status_code == 200
    assert_problem(
        client.get("/sessions/current", headers={"Authorization": "Bearer not.a.jwt"}), 401, "unauthenticated"
    )


def test_token_works_on_another_instance_but_a_session_cookie_does_not(tokens, app):
    other = create_rest_app(users=USERS, tokens=tokens, kdf_n=FAST).test_client()
    mine = app.test_client()
    sid = mine.post("/sessions", json=ALICE).headers["Set-Cookie"].split(";")[0].split("=", 1)[1]
    other.set_cookie("rest_sid", sid)
    assert other.get("/sessions/current").status_code == 401
    token = mine.post("/tokens", json=ALICE).get_json()["access_token"]
    assert other.get("/sessions/current", headers={"Authorization": f"Bearer {token}"}).status_code == 200


def test_sign_up(client):
    created = client.post("/users", json={"username": "carol", "password": "carol-pass"})
    assert created.status_code == 201 and created.headers["Location"] == "/users/carol"
    assert client.get("/users/carol").status_code == 200
    assert client.post("/sessions", json={"username": "carol", "password": "carol-pass"}).status_code == 201
    assert_problem(
        client.post("/users", json={"username": "carol", "password": "another-pass"}), 409, "user-exists"
    )
    short = assert_problem(
        client.post("/users", json={"username": "dave", "password": "short"}), 422, "validation"
    )
    assert short["errors"][0]["field"] == "password"


def test_notes_need_login_and_belong_to_their_owner(app, alice):
    anonymous = app.test_client()
    assert_problem(anonymous.put("/notes/x", json={"text": "hi"}), 401, "unauthenticated")
    assert alice.put("/notes/x", json={"text": "hi"}).status_code == 201
    bob = app.test_client()
    bob.post("/sessions", json={"username": "bob", "password": "bob-pass-12"})
    assert_problem(bob.put("/notes/x", json={"text": "mine now"}), 404, "not-found")
    assert_problem(bob.delete("/notes/x"), 404, "not-found")
    assert alice.get("/notes/x").get_json()["text"] == "hi"


def test_put_and_delete_are_idempotent_post_is_not(app, alice):
    notes = app.config["notes"]
    codes = [alice.put("/notes/a", json={"text": "same"}).status_code for _ in range(3)]
    assert codes == [201, 200, 200] and list(notes) == ["a"]
    assert [alice.delete("/notes/a").status_code for _ in range(3)] == [204, 404, 404] and notes == {}
    ids = [alice.post("/notes", json={"text": "again"}).get_json()["id"] for _ in range(3)]
    assert len(set(ids)) == 3 and len(notes) == 3


def test_post_never_overwrites_a_note_made_with_put(app, alice):
    alice.put("/notes/n1", json={"text": "put"})
    made = alice.post("/notes", json={"text": "post"}).get_json()
    assert made["id"] != "n1" and app.config["notes"]["n1"]["text"] == "put"


def test_if_match_prevents_a_lost_update(alice):
    created = alice.put("/notes/plan", json={"text": "v1"})
    seen = created.headers["ETag"]
    assert alice.get("/notes/plan").headers["ETag"] == seen
    other_writer = alice.put("/notes/plan", json={"text": "v2"}, headers={"If-Match": seen})
    assert other_writer.status_code == 200 and other_writer.headers["ETag"] != seen
    stale = alice.put("/notes/plan", json={"text": "v1 edited"}, headers={"If-Match": seen})
    assert stale.status_code == 412 and stale.content_type == PROBLEM_JSON
    assert stale.get_json()["current_etag"] == other_writer.headers["ETag"]
    assert alice.get("/notes/plan").get_json()["text"] == "v2"
    assert alice.delete("/notes/plan", headers={"If-Match": seen}).status_code == 412
    assert alice.delete("/notes/plan", headers={"If-Match": "*"}).status_code == 204
    assert alice.put("/notes/plan", json={"text": "x"}, headers={"If-Match": "*"}).status_code == 412


def test_without_if_match_a_blind_put_overwrites(alice):
    alice.put("/notes/plan", json={"text": "v1"})
    alice.put("/notes/plan", json={"text": "v2"})
    assert alice.put("/notes/plan", json={"text": "v1 edited"}).status_code == 200
    assert alice.get("/notes/plan").get_json()["text"] == "v1 edited"


# --- what the API must not leak (HARDENING 13) -------------------------------------------
@pytest.mark.parametrize(
    ("method", "path", "body"),
    [
        ("POST", "/sessions", ALICE),
        ("GET", "/sessions/current", None),
        ("PUT", "/notes/x", {"text": "hi"}),
        ("GET", "/notes/x", None),
        ("GET", "/notes/missing", None),
    ],
)
def test_personal_answers_are_never_stored_by_a_cache(alice, method, path, body):
    alice.put("/notes/x", json={"text": "hi"})
    resp = alice.open(path, method=method, json=body)
    assert resp.status_code < 500 and resp.headers.get("Cache-Control") == "no-store"


def test_another_users_note_looks_exactly_like_a_missing_one(app, alice):
    alice.put("/notes/x", json={"text": "secret"})
    bob = app.test_client()
    bob.post("/sessions", json={"username": "bob", "password": "bob-pass-12"})
    for method in ("GET", "PUT", "DELETE"):
        theirs = bob.open("/notes/x", method=method, json={"text": "mine"} if method == "PUT" else None)
        missing = bob.open("/notes/nothing-here", method="GET")
        assert theirs.status_code == 404 == missing.status_code
        assert "alice" not in theirs.get_data(as_text=True)
        assert set(theirs.get_json()) == set(missing.get_json())
    assert alice.get("/notes/x").get_json()["text"] == "secret"


def test_posted_note_ids_cannot_be_guessed(alice):
    ids = [alice.post("/notes", json={"text": "t"}).get_json()["id"] for _ in range(3)]
    assert len(set(ids)) == 3
    assert all(len(i) >= 22 for i in ids)  # 16 random bytes or more (secrets.token_urlsafe)
    assert not any(i in ("n1", "n2", "n3", "1", "2", "3") for i in ids)


def test_the_session_cookie_can_be_secure(tokens):
    plain = (
        create_rest_app(users=USERS, tokens=tokens, kdf_n=FAST).test_client().post("/sessions", json=ALICE)
    )
    secure = create_rest_app(users=USERS, tokens=tokens, cookie_secure=True, kdf_n=FAST).test_client()
    cookie = secure.post("/sessions", json=ALICE).headers["Set-Cookie"]
    assert "; Secure" in cookie and "HttpOnly" in cookie
    assert "Secure" not in plain.headers["Set-Cookie"]
