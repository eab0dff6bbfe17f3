"""The secure token app under concurrency, outages and an idle user (the HARDENING issue).

Real parallel requests (threads) against a real server on 127.0.0.1 and a real Redis,
bounded in count and time.
"""

import threading
import time  # noqa: F401  (used by later tests)

import pytest
import requests

from sessionlab import serve
from sessionlab.apps.token import create_token_app
from sessionlab.web.tokens import TokenService, generate_keys

BURST = 40  # parallel requests per burst: enough to interleave, few enough to stay quick


@pytest.fixture(scope="module")
def service(redis_server):
    return TokenService(generate_keys(), redis=redis_server.client())


@pytest.fixture(scope="module")
def app_url(service):
    with serve(create_token_app(service), name="test-token-hardening", threads=16) as srv:
        yield srv.url


def login(url, user="alice", password="alice-pw", **extra):
    r = requests.post(f"{url}/login", json={"username": user, "password": password, **extra}, timeout=5)
    assert r.status_code == 200, r.text
    return r


def burst(n, call):
    """``call()`` from ``n`` threads released together; the results in thread order."""
    gate = threading.Barrier(n, timeout=10)
    results: list = [None] * n

    def run(i):
        gate.wait()
        try:
            results[i] = call()
        except Exception as exc:  # recorded, so the test shows it
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=30)
    return results


def test_parallel_reuse_of_one_refresh_token_lets_exactly_one_through_and_revokes_the_family(
    app_url, service
):
    for _round in range(3):  # a race shows up only sometimes: a few rounds, each bounded
        refresh = login(app_url, mode="bearer").json()["refresh_token"]
        results = burst(
            BURST,
            lambda token=refresh: requests.post(
                f"{app_url}/refresh", json={"refresh_token": token}, timeout=10
            ),
        )
        statuses = [getattr(r, "status_code", r) for r in results]
        winners = [r for r in results if getattr(r, "status_code", None) == 200]
        assert len(winners) == 1, statuses
        assert statuses.count(401) == BURST - 1, statuses
        new = winners[0].json()
        # The family is revoked: the winner's fresh pair is refused as well.
        me = requests.get(
            f"{app_url}/me", headers={"Authorization": f"Bearer {new['access_token']}"}, timeout=5
        )
        assert me.status_code == 401 and me.json()["code"] == "revoked", me.text
        again = requests.post(f"{app_url}/refresh", json={"refresh_token": new["refresh_token"]}, timeout=5)
        assert again.status_code == 401, again.text


def test_reuse_detection_is_atomic_with_the_rotation_it_races(service):
    """Service level, many rounds: a loser's revocation must also catch the winner's fresh tokens.

    On the old code the winner recorded its new jtis *after* the rotation script, so a
    loser revoking the family in between missed them and the winner's access token lived on.
    """
    from sessionlab.web.tokens import TokenError

    for _round in range(8):
        pair = service.login("alice")

        def call(token=pair.refresh):
            try:
                return service.refresh(token)
            except TokenError as exc:
                return exc.code

        results = burst(60, call)
        winners = [r for r in results if not isinstance(r, str)]
        assert len(winners) == 1, results
        assert sorted(set(r for r in results if isinstance(r, str))) <= ["refresh_reused", "revoked"]
        with pytest.raises(TokenError, match="revoked"):
            service.verify(winners[0].access)
