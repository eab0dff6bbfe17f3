"""Exercise checkers of notebook 03a (RESTful API design)."""

from __future__ import annotations

from sessionlab.exercises.base import CheckResult, is_blank, not_answered, result, table_mistakes

__all__ = [
    "check_status_codes",
    "check_retry_safe",
    "check_account_api",
    "check_etag_sequence",
    "STATUS_CASES",
    "EXERCISE_CASES",
    "RETRY_OPTIONS",
]

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


# Situations the notebook never printed (3.4 printed STATUS_CASES): numbered, so the learner types numbers.
# support/tests/exercises/test_ex03a.py sends each one to a real REST app and checks the code.
EXERCISE_CASES = {
    1: "로그인하지 않은 클라이언트가 GET /notes/todo",
    2: "가입(POST /users)할 때 비밀번호가 세 글자",
    3: "로그인(POST /sessions) 본문을 Content-Type: application/xml로 보냄",
    4: "bob이 alice의 메모 ID를 알아내 DELETE /notes/<그 ID>",
    5: "PUT /sessions/current (세션 자원은 GET·DELETE만 받음)",
    6: "carol이 가입한 직후, 다른 사람이 같은 이름 carol로 가입",
    7: "그사이 바뀐 메모에, 읽을 때 받은 옛 ETag를 If-Match에 실어 PUT",
}
_EXERCISE_CODES = {1: 401, 2: 422, 3: 415, 4: 404, 5: 405, 6: 409, 7: 412}

_STATUS_HINTS = {
    400: "문법이 틀린 본문",
    401: "누구인지 증명 못 함 (로그인하지 않음)",
    403: "누구인지는 알지만 권한 없음",
    404: "자원 없음. 남의 메모도 404: 403은 그 메모가 있다는 것(과 주인)을 알려 줍니다",
    405: "자원은 있지만 그 메서드는 안 됨 (응답의 Allow 헤더)",
    409: "현재 상태와 충돌",
    412: "조건부 요청(If-Match)의 조건이 거짓",
    415: "형식(media type)을 못 받음",
    422: "문법은 맞지만 내용이 규칙에 맞지 않음",
}


def check_status_codes(answer) -> CheckResult:
    """{situation number: status code} for every situation of ``EXERCISE_CASES``."""
    right = _EXERCISE_CODES
    problem, wrong = table_mistakes(
        answer,
        right,
        f"상황 번호 1~{len(right)}를 모두 키로, 상태 코드(숫자)를 값으로 쓰세요: {{1: 4xx, 2: ..., ...}}",
        same=lambda given, code: str(given).strip() == str(code),
    )
    if problem is not None:
        return problem
    return result(
        not wrong,
        f"{len(right)}개 상황 모두 맞습니다.",
        "다시 보세요: "
        + "; ".join(f"{k}번 → 힌트: {_STATUS_HINTS[right[k]]}" for k in wrong)
        + " (3.4의 표에서 원인마다 어떤 코드였는지 떠올려 보세요.)",
    )


RETRY_OPTIONS = {
    "A": 'PUT /notes/plan  {"text": "3시 회의"}',
    "B": 'POST /notes  {"text": "새 메모"}',
    "C": "DELETE /notes/plan",
    "D": "GET /notes/plan",
    "E": 'POST /payments  {"amount": 5000}',
    "F": 'PATCH /counters/visits  {"increment": 1}',
}
_RETRY_SAFE = {"A", "C", "D"}
_RETRY_HINTS = {
    "A": "A(PUT)는 같은 내용으로 덮어쓰므로 두 번 보내도 메모는 같습니다.",
    "B": "B(POST /notes)는 보낼 때마다 메모를 새로 만듭니다 (3.6에서 메모가 늘어남).",
    "C": "C(DELETE)는 두 번째 응답이 404라도 서버 상태(메모 없음)는 같습니다 (3.6).",
    "D": "D(GET)는 안전(safe)한 메서드라 상태를 바꾸지 않으니 몇 번을 보내도 같습니다.",
    "E": "E(POST /payments)를 다시 보내면 결제가 두 번 됩니다. 그래서 실무는 Idempotency-Key 헤더를 씁니다.",
    "F": "F(PATCH로 1 더하기)는 보낼 때마다 1씩 늘어납니다. PATCH는 멱등이 보장되지 않습니다.",
}


def check_retry_safe(answer) -> CheckResult:
    """Letters of ``RETRY_OPTIONS`` whose repeat leaves the server as one send would (RFC 9110 §9.2.2)."""
    if is_blank(answer):
        return not_answered()
    if isinstance(answer, str):
        picked = {ch for ch in answer.upper() if not ch.isspace() and ch not in ",;"}
    elif isinstance(answer, (set, list, tuple, frozenset)):
        picked = {str(a).strip().upper() for a in answer}
    else:
        return CheckResult(False, '고른 글자를 "ACD"처럼 문자열로 쓰세요.')
    unknown = sorted(picked - set(RETRY_OPTIONS))
    if unknown:
        return CheckResult(False, f"{', '.join(unknown)}: 글자는 A~F 가운데서 고르세요.")
    mistakes = sorted(picked ^ _RETRY_SAFE)
    return result(
        not mistakes,
        "A·C·D: PUT·DELETE·GET은 멱등이라 응답을 못 받았을 때 다시 보내도 됩니다 (그사이 다른 쓰기가 없을 때). "
        "POST와 이 PATCH는 보낼 때마다 상태가 바뀝니다.",
        "다시 보세요. "
        + " ".join(_RETRY_HINTS[k] for k in mistakes)
        + " 응답 코드가 아니라 서버 상태로 판단합니다.",
    )


_VERBS = (
    "login",
    "logout",
    "get",
    "delete",
    "remove",
    "withdraw",
    "change",
    "update",
    "create",
    "list",
    "leave",
)


def check_account_api(answer) -> CheckResult:
    """A design (no server): {"비밀번호 바꾸기": (method, path), "회원 탈퇴": (...), "내 메모 목록": (...)}."""
    if is_blank(answer):
        return not_answered()
    keys = ("비밀번호 바꾸기", "회원 탈퇴", "내 메모 목록")
    if (
        not isinstance(answer, dict)
        or set(answer) != set(keys)
        or not all(isinstance(v, tuple) and len(v) == 2 for v in answer.values())
    ):
        return CheckResult(
            False,
            '{"비밀번호 바꾸기": ("메서드", "/경로"), "회원 탈퇴": (...), "내 메모 목록": (...)} 모양으로 답하세요.',
        )
    design = {k: (str(m).strip().upper(), str(p).strip()) for k, (m, p) in answer.items()}
    verbs = [k for k, (_, path) in design.items() if any(v in path.lower() for v in _VERBS)]
    if verbs:
        return CheckResult(
            False,
            f"{', '.join(verbs)}: 경로에 동사를 쓰지 마세요. 동작은 메서드가 말하고, 경로는 자원(명사)입니다.",
        )
    if not all(path.startswith("/") for _, path in design.values()):
        return CheckResult(False, "경로는 /로 시작하게 쓰세요 (예: /users/me).")
    expected = {"비밀번호 바꾸기": {"PUT", "PATCH"}, "회원 탈퇴": {"DELETE"}, "내 메모 목록": {"GET"}}
    why = {
        "비밀번호 바꾸기": "이미 있는 자원(내 계정의 비밀번호)의 값을 바꾸는 것은 PUT(통째로 바꿈)이나 PATCH(일부만 바꿈)입니다.",
        "회원 탈퇴": "계정 자원을 없애는 것입니다. 3.1의 로그아웃이 세션 자원을 지운 것과 같은 메서드입니다.",
        "내 메모 목록": "읽기만 하는 요청은 안전한 메서드로 보냅니다. 상태를 바꾸지 않아 캐시·재시도가 됩니다.",
    }
    wrong = [k for k in keys if design[k][0] not in expected[k]]
    if wrong:
        return CheckResult(
            False, " ".join(f"{k}: {design[k][0]}보다 알맞은 메서드가 있습니다. {why[k]}" for k in wrong)
        )
    if "password" not in design["비밀번호 바꾸기"][1].lower() and design["비밀번호 바꾸기"][0] == "PUT":
        return CheckResult(
            False,
            "PUT은 경로가 가리키는 자원을 보낸 표현으로 통째로 바꿉니다. 계정 전체가 아니라 비밀번호만 바꾸려면 "
            "경로가 비밀번호를 가리키게 하거나(/users/me/password), PATCH를 쓰세요.",
        )
    return CheckResult(
        True,
        "자원 + 메서드: 예를 들어 PUT /users/me/password, DELETE /users/me, GET /notes (또는 GET /users/me/notes).",
    )


# Notebook 03a's fourth exercise: three requests after another tab changed the note (ETag "v1" → "v2").
def check_etag_sequence(answer) -> CheckResult:
    """(status of step 1, 2, 3) after another tab changed the note "v1" → "v2": a stale If-Match PUT, a GET, a fresh If-Match PUT."""
    if is_blank(answer):
        return not_answered()
    if not isinstance(answer, tuple) or len(answer) != 3:
        return CheckResult(False, "(상태 코드, 상태 코드, 상태 코드) 모양의 튜플 하나로 답하세요.")
    codes = tuple(str(a).strip() for a in answer)
    if codes[0] == "200":
        return CheckResult(
            False,
            '1번: If-Match의 "v1"은 지금 상태("v2")와 다릅니다. 서버가 200으로 받으면 다른 탭의 수정을 덮어쓴 것입니다.',
        )
    if codes[0] == "409":
        return CheckResult(
            False,
            "1번: 409 Conflict도 충돌에 쓰지만, 조건부 요청의 조건이 거짓일 때의 표준 코드는 따로 있습니다 (3.6).",
        )
    if codes[0] != "412":
        return CheckResult(False, "1번: 조건(If-Match)이 거짓일 때 서버가 답한 코드를 3.6에서 다시 보세요.")
    if codes[1] != "200":
        return CheckResult(
            False, "2번: 읽기(GET)는 조건이 없으니 그냥 성공합니다. 새 ETag를 받는 단계입니다."
        )
    if codes[2] != "200":
        return CheckResult(
            False,
            '3번: 방금 읽은 "v2"가 지금 상태와 같으니 조건이 참입니다. 이미 있는 메모를 바꾼 PUT의 코드는?',
        )
    return CheckResult(
        True,
        "412 → 200 → 200: 옛 ETag로는 덮어쓰지 못하고, 다시 읽은 뒤에야 바꿉니다 (갱신 손실 방지, RFC 9110 13.1.1).",
    )
