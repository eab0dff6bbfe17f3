"""Exercise checkers of notebook 03 (HTTP is stateless)."""

from __future__ import annotations

import json
import re

from sessionlab.exercises.base import CheckResult, is_blank, not_answered, result, table_mistakes

__all__ = [
    "check_policies_without_jar",
    "check_raw_visits_request",
    "check_cache_timeline",
    "check_cache_control",
    "NO_JAR_ANSWER",
    "TIMELINE_TIMES",
    "BROWSER_SECONDS",
]

# Exercise 1: a client WITHOUT a cookie jar calls the in-memory counter. Which policies count right?
# (support/tests/labs/test_lab03.py measures this key against the real balancer.)
NO_JAR_ANSWER = {"round_robin": False, "sticky": False, "hash": True}
NO_JAR_HINTS = {
    "round_robin": "round_robin은 요청마다 다음 서버로 보냅니다: 서버마다 자기 메모리만 셉니다.",
    "sticky": (
        "sticky는 첫 응답에 붙인 lb_server 쿠키를 클라이언트가 돌려보내야 같은 서버로 보냅니다. "
        "쿠키 저장소가 없으면 모든 요청이 '첫 요청'입니다 (3.4의 마지막 실험)."
    ),
    "hash": "hash는 쿠키가 아니라 클라이언트 주소의 해시값으로 서버를 고릅니다: 쿠키 저장소와 상관없습니다.",
}


def check_policies_without_jar(answer) -> CheckResult:
    """Which policies let the in-memory counter count 1, 2, 3, … for a client without a cookie jar?"""
    problem, wrong = table_mistakes(
        answer,
        NO_JAR_ANSWER,
        '정책 세 개를 키로 하는 dict로 답하세요. 예: {"round_robin": False, "sticky": True, "hash": True}',
        same=lambda given, right: bool(given) == right,
    )
    if problem is not None:
        return problem
    return result(
        not wrong,
        "쿠키 저장소가 없으면 hash만 맞습니다: sticky는 쿠키가 돌아와야 같은 서버로 보내고, "
        "hash는 클라이언트 주소만 봅니다.",
        "다시 보세요: " + " ".join(NO_JAR_HINTS[k] for k in wrong),
    )


# Exercise 2: write the raw bytes of a request that makes the lab server answer "visits": 42.
_REQUEST_LINE = re.compile(rb"^[A-Z]+ \S+ HTTP/1\.1$")


def check_raw_visits_request(answer) -> CheckResult:
    """A raw HTTP/1.1 request (bytes) after which the stateless counter answers 42. Tried on a real server."""
    if is_blank(answer):
        return not_answered()
    if isinstance(answer, str):
        answer = answer.encode("utf-8")
    if not isinstance(answer, bytes):
        return CheckResult(False, "요청은 bytes(또는 str)로 쓰세요.")
    if b"\r\n" not in answer:
        return CheckResult(False, "줄 끝은 \\n이 아니라 \\r\\n(CRLF)입니다. 요청 줄부터 다시 보세요.")
    if not _REQUEST_LINE.match(answer.split(b"\r\n", 1)[0]):
        return CheckResult(
            False, "첫 줄(요청 줄)은 `메서드 경로 HTTP/1.1` 모양이고 \\r\\n으로 끝나야 합니다."
        )
    if b"\r\nhost:" not in answer.lower():
        return CheckResult(False, "HTTP/1.1 요청에는 Host 헤더가 꼭 있어야 합니다 (RFC 9112, 3.2).")
    if not answer.endswith(b"\r\n\r\n"):
        return CheckResult(False, "헤더는 빈 줄(\\r\\n\\r\\n)로 끝나야 서버가 요청이 끝난 줄 압니다.")
    status, body = _live_answer(answer)
    if status == 405:
        return CheckResult(False, "405 Method Not Allowed: /visits는 POST만 받습니다 (3.8의 요청을 보세요).")
    if status == 404:
        return CheckResult(False, "404 Not Found: 경로를 다시 보세요. 무상태 카운터는 /visits입니다.")
    if status != 200:
        return CheckResult(False, f"실습 서버의 답: {status}. 요청 줄과 헤더를 다시 보세요.")
    visits = json.loads(body).get("visits")
    return result(
        visits == 42,
        "서버가 42로 답했습니다: 지금까지의 횟수(41)를 요청에 담았으니, 서버는 아무것도 기억하지 않고도 셉니다.",
        f"서버의 답은 {visits}입니다. 서버는 요청의 count에 1을 더할 뿐입니다: count에 얼마를 담아 보내야 할까요?",
    )


def _live_answer(answer: bytes) -> tuple[int, bytes]:
    from sessionlab.apps.http_basics import create_http_lab_app
    from sessionlab.infra.servers import serve
    from sessionlab.infra.wire import parse_raw_response, raw_http

    with serve(create_http_lab_app("check")) as server:
        if b"connection: close" not in answer.lower():
            answer = answer[:-2] + b"Connection: close\r\n\r\n"  # so the server closes after answering
        try:
            resp = parse_raw_response(raw_http(server.url, answer, timeout=3))
        except (OSError, ValueError, IndexError):
            return 0, b""
    return resp.status, resp.body


# Exercise 3: reads of /doc (max-age=60, with an ETag) at these seconds, through a browser-like cache.
TIMELINE_TIMES = [0, 50, 70, 100, 140]


def check_cache_timeline(answer) -> CheckResult:
    """One letter per read: A (200, the whole body), B (from the cache, no request), C (304 revalidation)."""
    if is_blank(answer):
        return not_answered()
    if not isinstance(answer, str):
        return CheckResult(False, '읽기 다섯 번을 글자 다섯 개의 문자열로 답하세요. 예: "ABBBB"')
    given = answer.replace(" ", "").replace(",", "").upper()
    if len(given) != len(TIMELINE_TIMES) or set(given) - {"A", "B", "C"}:
        return CheckResult(False, "읽기 다섯 번에 A, B, C 가운데 한 글자씩, 모두 다섯 글자로 답하세요.")
    right = _timeline()
    if given == right:
        return CheckResult(
            True,
            f"{right}: 60초가 지나면 재검증(304)하고, 304를 받으면 그때부터 다시 60초 동안 신선합니다.",
        )
    i = next(k for k, (g, r) in enumerate(zip(given, right)) if g != r)
    t = TIMELINE_TIMES[i]
    if given[i] == "A":
        hint = "캐시에 ETag가 있으니 본문 전체를 다시 받지 않습니다: 신선하면 묻지 않고, 아니면 If-None-Match로 묻습니다."
    elif given[i] == "C" and right[i] == "B":
        hint = "304를 받은 순간 저장해 둔 응답은 다시 60초 동안 신선해집니다 (RFC 9111, 4.3.4)."
    else:
        hint = "max-age=60이 지나면 캐시는 요청 없이 쓰지 못하고 서버에 물어야 합니다."
    return CheckResult(False, f"{t}초의 읽기({i + 1}번째 글자)를 다시 보세요. {hint}")


def _timeline() -> str:
    from sessionlab.apps.http_basics import create_http_lab_app
    from sessionlab.infra.servers import serve
    from sessionlab.labs.lab03 import cache_timeline

    with serve(create_http_lab_app("check")) as server:
        return cache_timeline(server.url + "/doc", TIMELINE_TIMES)


# Exercise 4: a logged-in page the browser may reuse for 300 seconds, that no shared cache may store.
BROWSER_SECONDS = 300


def check_cache_control(answer) -> CheckResult:
    """A ``Cache-Control`` value for a logged-in user's page behind a shared cache.

    Tried for real: a page that greets the user of its ``sid`` cookie is served with
    ``answer`` behind ``sessionlab.labs.lab03.SharedCache``; alice reads it, then bob.
    The browser (a private cache) must be allowed to reuse it for ``BROWSER_SECONDS``.
    """
    if is_blank(answer):
        return not_answered()
    if not isinstance(answer, str) or not answer.strip():
        return CheckResult(False, 'Cache-Control 헤더의 값을 문자열로 쓰세요. 예: "max-age=60"')
    if _bob_gets_alice(answer.strip()):
        return CheckResult(
            False,
            "공유 캐시가 bob에게 alice의 페이지(와 Set-Cookie)를 주었습니다. 신선도만 밝히면 공유 캐시는 "
            "쿠키와 상관없이 저장합니다(RFC 9111, 7.3). 공유 캐시에 저장을 금지하는 지시어는?",
        )
    directives = dict(
        (d.split("=", 1) + [""])[:2] for d in (p.strip().lower() for p in answer.split(",")) if d
    )
    if "no-store" in directives:
        return CheckResult(
            False,
            "no-store는 브라우저도 저장하지 못하게 합니다: 그러면 300초 동안 다시 쓸 수 없습니다. "
            "공유 캐시만 막는 지시어는?",
        )
    if "private" not in directives:
        hint = (
            " no-cache는 저장은 허용하고 쓸 때마다 재검증만 요구합니다(RFC 9111, 5.2.2.4)."
            if "no-cache" in directives
            else ""
        )
        return CheckResult(
            False,
            "이번 프록시는 저장하지 않았지만, 사용자별 응답이라고 밝힌 것은 아닙니다: private을 쓰세요."
            + hint,
        )
    if directives.get("max-age") != str(BROWSER_SECONDS):
        return CheckResult(
            False,
            f"브라우저가 {BROWSER_SECONDS}초 동안 서버에 묻지 않고 다시 쓰려면 신선도(max-age)를 "
            f"{BROWSER_SECONDS}초로 밝혀야 합니다.",
        )
    return CheckResult(
        True,
        f"'{answer.strip()}': 공유 캐시는 저장하지 않았고 bob은 자기 페이지를 받았습니다. "
        f"브라우저(개인 캐시)는 {BROWSER_SECONDS}초 동안 다시 씁니다.",
    )


def _bob_gets_alice(cache_control: str) -> bool:
    import requests

    from sessionlab.infra.servers import serve
    from sessionlab.labs.lab03 import SharedCache

    def page(environ, start_response):
        cookie = environ.get("HTTP_COOKIE", "")
        user = cookie.split("sid=")[-1].split(";")[0] or "guest"
        start_response(
            "200 OK",
            [
                ("Content-Type", "text/plain; charset=utf-8"),
                ("Cache-Control", cache_control),
                ("Set-Cookie", f"sid={user}; HttpOnly; Path=/"),
            ],
        )
        return [f"{user}님의 페이지".encode()]

    with serve(page, name=None) as origin, serve(SharedCache(origin.url), name=None) as proxy:
        requests.get(proxy.url + "/me", cookies={"sid": "alice"}, timeout=5)
        bob = requests.get(proxy.url + "/me", cookies={"sid": "bob"}, timeout=5)
    return "alice" in bob.text
