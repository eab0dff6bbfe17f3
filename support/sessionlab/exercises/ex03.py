"""Exercise checkers of notebook 03 (HTTP is stateless)."""

from __future__ import annotations

from sessionlab.exercises.base import CheckResult, is_blank, not_answered, result, table_mistakes

__all__ = ["check_policies", "check_raw_request", "check_revalidation", "check_cache_control"]

POLICY_ANSWER = {"round_robin": False, "sticky": True, "hash": True}


def check_policies(answer) -> CheckResult:
    """Which policies let the in-memory counter count 1, 2, 3, … for one client?"""
    problem, wrong = table_mistakes(
        answer,
        POLICY_ANSWER,
        "정책 세 개(round_robin, sticky, hash)를 키로 하는 dict로 답하세요.",
        same=lambda given, right: bool(given) == right,
    )
    if problem is not None:
        return problem
    return result(
        not wrong,
        "같은 클라이언트를 늘 같은 서버로 보내는 정책(sticky, hash)에서만 메모리 카운터가 맞습니다.",
        f"다시 보세요: {', '.join(wrong)}. 요청이 매번 다른 서버로 가면 각 서버는 자기 메모리만 셉니다.",
    )


def check_raw_request(answer) -> CheckResult:
    """A raw HTTP/1.1 request (bytes) for GET /hello that the lab server answers with 200."""
    if is_blank(answer):
        return not_answered()
    if isinstance(answer, str):
        answer = answer.encode("utf-8")
    if not isinstance(answer, bytes):
        return CheckResult(False, "요청은 bytes(또는 str)로 쓰세요.")
    if not answer.startswith(b"GET /hello HTTP/1.1\r\n"):
        return CheckResult(False, "첫 줄(요청 줄)은 `GET /hello HTTP/1.1` 다음에 \\r\\n이어야 합니다.")
    if b"\r\nhost:" not in answer.lower():
        return CheckResult(False, "HTTP/1.1 요청에는 Host 헤더가 꼭 있어야 합니다 (RFC 9112).")
    if not answer.endswith(b"\r\n\r\n"):
        return CheckResult(False, "헤더는 빈 줄(\\r\\n\\r\\n)로 끝나야 서버가 요청이 끝난 줄 압니다.")
    return _live_check(answer)


def _live_check(answer: bytes) -> CheckResult:
    from sessionlab.apps.http_basics import create_http_lab_app
    from sessionlab.infra.servers import serve
    from sessionlab.infra.wire import parse_raw_response, raw_http

    with serve(create_http_lab_app("check")) as server:
        if b"connection: close" not in answer.lower():
            answer = answer[:-2] + b"Connection: close\r\n\r\n"  # so the server closes after answering
        try:
            resp = parse_raw_response(raw_http(server.url, answer, timeout=3))
        except (OSError, ValueError, IndexError) as exc:
            return CheckResult(False, f"서버가 제대로 답하지 않았습니다 ({type(exc).__name__}).")
    return result(
        resp.status == 200 and resp.body == b"hello",
        "실습 서버가 200 OK와 hello로 답했습니다.",
        f"실습 서버의 답: {resp.status}. 요청 줄과 헤더를 다시 보세요.",
    )


def check_revalidation(answer) -> CheckResult:
    """(request header that revalidates with an ETag, status code of the answer when unchanged)."""
    if is_blank(answer):
        return not_answered()
    if not isinstance(answer, tuple) or len(answer) != 2:
        return CheckResult(False, '("헤더 이름", 상태 코드) 모양의 튜플로 답하세요.')
    header, status = answer
    if str(header).lower() != "if-none-match":
        hint = (
            " (If-Modified-Since는 Last-Modified 날짜와 짝입니다.)"
            if str(header).lower() == "if-modified-since"
            else ""
        )
        return CheckResult(False, "ETag 값을 돌려보내는 요청 헤더의 이름을 다시 보세요." + hint)
    return result(
        status == 304,
        "If-None-Match → 304 Not Modified: 본문 없이 '가진 것을 그대로 쓰라'는 답입니다.",
        "바뀌지 않았을 때의 상태 코드는 200이 아닙니다: 본문을 다시 보내지 않는 코드입니다.",
    )


def check_cache_control(answer) -> CheckResult:
    """A ``Cache-Control`` value for a logged-in user's page behind a shared cache.

    Tried for real: a page that greets the user of its ``sid`` cookie is served with
    ``answer`` behind ``sessionlab.labs.lab03.SharedCache``; alice reads it, then bob.
    """
    if is_blank(answer):
        return not_answered()
    if not isinstance(answer, str) or not answer.strip():
        return CheckResult(False, 'Cache-Control 헤더의 값을 문자열로 쓰세요. 예: "max-age=60"')
    leaked = _bob_gets_alice(answer.strip())
    if leaked:
        return CheckResult(
            False,
            "공유 캐시가 bob에게 alice의 페이지(와 Set-Cookie)를 주었습니다. 신선도만 밝히면 공유 캐시는 "
            "쿠키와 상관없이 저장합니다(RFC 9111, 7.3). 공유 캐시에 저장을 금지하는 지시어는?",
        )
    directives = {d.strip().split("=")[0].lower() for d in answer.split(",")}
    if not directives & {"private", "no-store"}:
        hint = (
            " no-cache는 저장은 허용하고 쓸 때마다 재검증만 요구합니다(RFC 9111, 5.2.2.4)."
            if "no-cache" in directives
            else ""
        )
        return CheckResult(
            False,
            "이번 프록시는 저장하지 않았지만, 사용자별 응답이라고 밝힌 것은 아닙니다: "
            "private 또는 no-store를 쓰세요." + hint,
        )
    return CheckResult(
        True,
        f"'{answer.strip()}': 공유 캐시는 이 응답을 저장하지 않았고 bob은 자기 페이지를 받았습니다.",
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
