"""Exercise checkers of notebook 03a (RESTful API design)."""

from __future__ import annotations

from typing import Any

from sessionlab.exercises.base import CheckResult, is_blank, not_answered, result, table_mistakes

__all__ = ["check_status_codes", "check_idempotent", "check_session_api", "check_lost_update", "STATUS_CASES"]

STATUS_CASES = {
    "본문이 깨진 JSON": 400,
    "Content-Type이 text/plain": 415,
    "필수 필드(password) 누락": 422,
    "틀린 비밀번호": 401,
    "남의 메모를 PUT": 404,  # not 403: that would tell that the note exists (RFC 9110, 15.5.4)
    "없는 메모를 GET": 404,
    "PATCH /sessions/current": 405,
    "이미 있는 이름으로 가입": 409,
}
IDEMPOTENT = {"GET": True, "PUT": True, "DELETE": True, "POST": False, "PATCH": False}


def check_status_codes(answer) -> CheckResult:
    """{situation: status code} for every situation of ``STATUS_CASES``."""
    problem, wrong = table_mistakes(answer, STATUS_CASES, "STATUS_CASES의 상황 여덟 개를 모두 키로 쓰세요.")
    if problem is not None:
        return problem
    hints = {
        400: "문법이 틀린 본문",
        415: "형식(media type)을 못 받음",
        422: "문법은 맞지만 내용이 틀림",
        401: "누구인지 증명 못 함",
        403: "누구인지는 알지만 권한 없음",
        404: "자원 없음. 남의 메모도 404: 403은 그 메모가 있다는 것(과 주인)을 알려 줍니다",
        405: "자원은 있지만 그 메서드는 안 됨",
        409: "현재 상태와 충돌",
    }
    return result(
        not wrong,
        "여덟 상황 모두 맞습니다.",
        "다시 보세요: " + "; ".join(f"{k} → 힌트: {hints[STATUS_CASES[k]]}" for k in wrong),
    )


def check_idempotent(answer) -> CheckResult:
    """{method: is it idempotent?} for GET, PUT, DELETE, POST, PATCH (RFC 9110 §9.2.2)."""
    problem, wrong = table_mistakes(
        answer,
        IDEMPOTENT,
        f"메서드 {', '.join(IDEMPOTENT)}를 모두 키로 쓰세요.",
        same=lambda given, right: bool(given) is right,
    )
    if problem is not None:
        return problem
    return result(
        not wrong,
        "멱등(idempotent): 같은 요청을 여러 번 보내도 서버 상태가 한 번 보낸 것과 같다. GET·PUT·DELETE는 멱등, POST·PATCH는 보장되지 않습니다.",
        f"다시 보세요: {', '.join(wrong)}. 응답 코드가 아니라 '서버 상태'가 같은지로 판단합니다.",
    )


def check_session_api(answer) -> CheckResult:
    """{"로그인": (method, path), "내 정보": (...), "로그아웃": (...)} — tried against a real REST app."""
    if is_blank(answer):
        return not_answered()
    keys = ("로그인", "내 정보", "로그아웃")
    if (
        not isinstance(answer, dict)
        or set(answer) != set(keys)
        or not all(isinstance(v, tuple) and len(v) == 2 for v in answer.values())
    ):
        return CheckResult(
            False, '{"로그인": ("메서드", "/경로"), "내 정보": (...), "로그아웃": (...)} 모양으로 답하세요.'
        )
    verbs = [
        k
        for k, (_, path) in answer.items()
        if any(v in str(path).lower() for v in ("login", "logout", "get", "delete"))
    ]
    if verbs:
        return CheckResult(
            False,
            f"{', '.join(verbs)}: 경로에 동사를 쓰지 마세요. 동작은 메서드가 말하고, 경로는 자원(명사)입니다.",
        )
    from sessionlab.apps.rest import create_rest_app

    client = create_rest_app(users={"kim": "password-1234"}).test_client()
    expected = {"로그인": 201, "내 정보": 200, "로그아웃": 204}
    for key in keys:
        method, path = answer[key]
        kwargs: dict[str, Any] = (
            {"json": {"username": "kim", "password": "password-1234"}} if key == "로그인" else {}
        )
        got = client.open(str(path), method=str(method).upper(), **kwargs).status_code
        if got != expected[key]:
            return CheckResult(
                False, f"{key}: {method} {path} → 이 API는 {got}로 답했습니다 (기대: {expected[key]})."
            )
    return CheckResult(
        True,
        "세션을 자원으로: POST /sessions(201) → GET /sessions/current(200) → DELETE /sessions/current(204).",
    )


def check_lost_update(answer) -> CheckResult:
    """(request header that makes a PUT conditional on the ETag it read, status when that ETag is stale)."""
    if is_blank(answer):
        return not_answered()
    if not isinstance(answer, tuple) or len(answer) != 2:
        return CheckResult(False, '("헤더 이름", 상태 코드) 모양의 튜플로 답하세요.')
    header, status = str(answer[0]).strip().lower(), answer[1]
    if header == "if-none-match":
        return CheckResult(
            False,
            "If-None-Match는 '바뀌었으면 새로 달라'(캐시 재검증, 304)는 조건입니다. "
            "'내가 읽은 상태 그대로일 때만 바꿔라'는 조건의 헤더는?",
        )
    if header != "if-match":
        return CheckResult(
            False, "읽을 때 받은 ETag를 실어 조건을 거는 요청 헤더의 이름을 3.6에서 다시 보세요."
        )
    if status == 409:
        return CheckResult(
            False,
            "409 Conflict도 충돌에 쓰이지만, 조건부 요청의 조건이 거짓일 때 표준이 정한 코드는 따로 있습니다 "
            "(RFC 9110, 15.5.13).",
        )
    return result(
        status == 412,
        "If-Match + 412 Precondition Failed: 그사이 바뀐 자원을 덮어쓰지 않습니다(갱신 손실 방지, RFC 9110 13.1.1).",
        "조건(If-Match)이 거짓일 때 서버가 답한 상태 코드를 3.6에서 다시 보세요. 200이면 덮어쓴 것입니다.",
    )
