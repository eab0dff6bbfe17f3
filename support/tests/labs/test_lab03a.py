"""Lab 03a: the one-line summary of an HTTP answer that the notebook's tables print."""

import requests

from sessionlab import serve
from sessionlab.apps.rest import create_rest_app
from sessionlab.labs.lab03a import brief


def test_brief_shows_status_media_type_and_compact_json():
    with serve(create_rest_app(), name="t-brief") as srv:
        missing = brief(requests.get(srv.url + "/users/nobody", timeout=5))
        deleted = requests.delete(srv.url + "/sessions/current", timeout=5)
    assert missing.startswith("404 NOT FOUND | application/problem+json | {")
    assert '"status": 404' in missing
    assert brief(deleted).split(" | ")[0] in {"401 UNAUTHORIZED", "204 NO CONTENT"}


def test_brief_says_when_there_is_no_body():
    with serve(create_rest_app(), name="t-brief") as srv:
        s = requests.Session()
        s.post(srv.url + "/sessions", json={"username": "alice", "password": "wonderland-2026"}, timeout=5)
        gone = s.delete(srv.url + "/sessions/current", timeout=5)
    assert gone.status_code == 204 and brief(gone).endswith("| (본문 없음)")


def test_yn_reads_as_korean():
    from sessionlab.labs.lab03a import yn

    assert (yn(True), yn(False), yn([])) == ("예", "아니요", "아니요")
