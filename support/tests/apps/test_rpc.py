"""sessionlab.apps.rpc: the RPC twin answers 200 to everything and deletes on GET, on purpose."""

from __future__ import annotations

from sessionlab.apps import rpc
from sessionlab.apps.rpc import create_rpc_app

USERS = {"alice": "alice-pass-1", "bob": "bob-pass-12"}
ALICE = {"username": "alice", "password": "alice-pass-1"}
FAST = 2**8  # these tests are about the calls, not the hash: a cheap scrypt (the notebook keeps the lab's)


def test_rpc_answers_200_even_for_errors_and_deletes_on_get():
    app = create_rpc_app(users=USERS, kdf_n=FAST)
    c = app.test_client()
    wrong = c.post("/api/login", json={"username": "alice", "password": "nope"})
    assert wrong.status_code == 200 and wrong.get_json() == {"ok": False, "error": "bad_credentials"}
    assert c.post("/api/getCurrentUser").get_json()["ok"] is False
    assert c.post("/api/saveNote", json={"id": "1", "text": "x"}).get_json()["ok"] is False
    assert c.post("/api/login", json=ALICE).get_json() == {"ok": True}
    assert c.post("/api/getCurrentUser").get_json() == {"ok": True, "user": "alice"}
    assert c.post("/api/saveNote", json={"id": "1", "text": "x"}).get_json()["ok"] is True
    crawler = app.test_client()
    assert crawler.get("/api/deleteNote?id=1").status_code == 200 and app.config["notes"] == {}
    assert crawler.get("/api/deleteNote?id=1").get_json()["ok"] is False
    assert c.post("/api/logout").get_json() == {"ok": True}
    assert c.post("/api/getCurrentUser").get_json()["ok"] is False


def test_one_scrypt_cost_for_stored_and_unknown_user_hashes(monkeypatch):
    """``kdf_n`` reaches every hash a login checks: else an unknown user would cost another time."""
    app = create_rpc_app(users=USERS, kdf_n=FAST)
    checked = []
    monkeypatch.setattr(rpc, "verify_password", lambda pw, stored: checked.append(stored) or False)
    app.test_client().post("/api/login", json={"username": "nobody", "password": "wrong"})
    stored = [*app.rpc_lab.hashes.values(), *checked]
    assert len(stored) == 3 and all(h.startswith(f"scrypt${FAST}$") for h in stored), stored
