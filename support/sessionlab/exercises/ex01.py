"""Exercise checkers of notebook 01 (cookies vs sessions)."""

from __future__ import annotations

from sessionlab.exercises.base import CheckResult, is_blank, not_answered, result


def check_lifetime(answer) -> CheckResult:
    """Exercise 1: which of the three Set-Cookie lines are session cookies? (a set of letters)"""
    if is_blank(answer):
        return not_answered()
    if isinstance(answer, str):
        answer = [answer]
    given = {str(a).strip().upper() for a in answer}
    if "B" in given:
        return CheckResult(
            False, "B에는 Max-Age=3600이 있어 1시간 동안 남는 영속 쿠키(persistent cookie)입니다."
        )
    if given == {"A"}:
        return CheckResult(
            False, "C도 보세요: HttpOnly·Secure·SameSite는 보안 속성일 뿐 수명을 정하지 않습니다."
        )
    return result(
        given == {"A", "C"},
        "A와 C에는 Expires도 Max-Age도 없으니 세션 쿠키입니다. B는 1시간 동안 남습니다.",
        "Expires나 Max-Age가 없는 줄을 찾아보세요. HttpOnly·Path는 수명과 상관없습니다.",
    )


FORGE_CHOICES = {
    "A": "서명 없는 `role=user` 쿠키에 역할을 담는 앱",
    "B": "`user.<서명>`처럼 서버의 비밀 키로 서명한 `role` 쿠키를 쓰는 앱",
    "C": 'Flask 기본 `session`을 쓰고, 비밀 키 `"dev"`를 공개 저장소의 코드에 적어 둔 앱',
    "D": "Flask 기본 `session`을 쓰고, 실행할 때마다 무작위 비밀 키를 만드는 앱",
    "E": "역할을 서버 세션에 저장하고 브라우저에는 세션 ID(`shop_sid`)만 주는 앱",
}
FORGEABLE = {"A", "C"}


def check_who_can_forge(answer) -> CheckResult:
    """Exercise 2: in which apps can a user become admin by editing his own cookie? (a set of letters)"""
    if is_blank(answer):
        return not_answered()
    if isinstance(answer, str):
        answer = [answer]
    given = {str(a).strip().upper() for a in answer}
    if not given <= set(FORGE_CHOICES):
        return CheckResult(False, 'A~E 가운데 글자를 집합으로 적으세요. 예: {"A"}')
    if "B" in given:
        return CheckResult(
            False, "B는 아닙니다: 서명한 쿠키의 user를 admin으로 바꾸자 서명이 맞지 않아 400이었습니다 (3.3)."
        )
    if "D" in given:
        return CheckResult(
            False, "D는 아닙니다: 추측한 키로 서명한 Flask session은 서버가 빈 세션으로 읽었습니다(401, 3.3)."
        )
    if "E" in given:
        return CheckResult(
            False,
            "E는 아닙니다: 역할은 서버에 있고 쿠키에는 아무 뜻 없는 세션 ID뿐이라 고칠 것이 없습니다. "
            "남의 세션 ID를 훔치는 것은 다른 공격입니다(02a).",
        )
    if "C" not in given:
        return CheckResult(
            False,
            "하나 더 있습니다: Flask session은 서명만 되어 있어, 비밀 키가 새면 누구나 새 쿠키를 서명합니다 "
            "(3.3의 '새어 나간 키로 위조' 200).",
        )
    return result(
        given == FORGEABLE,
        "A는 서버가 쿠키 값을 그대로 믿고, C는 공개된 키로 누구나 올바른 서명을 만들 수 있습니다. "
        "서명은 비밀 키가 비밀일 때만 위조를 막습니다.",
        "A도 보세요: 서명 없는 role=admin 쿠키로 관리자 페이지가 열렸습니다(200, 3.3).",
    )


def _extra_bytes(url: str, cookie_value_bytes: int) -> tuple[int, int]:
    """Measured on the lab server: (a request without the cookie, the bytes the cookie adds to it)."""
    from sessionlab.infra.wire import wire_bytes

    base = wire_bytes(url, "/echo")[0]
    return base, wire_bytes(url, "/echo", cookie="c=" + "x" * cookie_value_bytes)[0] - base


def check_bytes_for(
    answer,
    cookie_value_bytes: int,
    requests_count: int,
    measured_per_request: int | None = None,
    url: str | None = None,
) -> CheckResult:
    """Exercise 3: extra bytes ``requests_count`` requests carry for a cookie ``c`` of ``cookie_value_bytes``.

    The right answer is measured: pass ``url`` (the checker sends the request itself) or
    ``measured_per_request`` (the extra bytes one request carries, measured by the caller).
    """
    if is_blank(answer):
        return not_answered()
    try:
        given = int(answer)
    except (TypeError, ValueError):
        return CheckResult(False, "바이트 수를 정수로 적으세요.")
    base = None
    if url is not None:
        base, measured_per_request = _extra_bytes(url, cookie_value_bytes)
    if measured_per_request is None:
        raise ValueError("url 또는 measured_per_request가 필요합니다.")
    expected = measured_per_request * requests_count
    if given == expected:
        return CheckResult(
            True,
            f"맞습니다: HTTP/1.1에서 이 쿠키는 요청마다 {measured_per_request:,}바이트"
            f"(값 {cookie_value_bytes:,} + `Cookie: c=`와 줄바꿈)를 더하고, {requests_count:,}번이면 {expected:,}바이트입니다.",
        )
    if given == cookie_value_bytes * requests_count:
        return CheckResult(
            False,
            "쿠키 값만 셌습니다. HTTP/1.1 요청에는 값 말고도 헤더 이름 `Cookie: `, 쿠키 이름 `c=`, 줄바꿈 `\\r\\n`이 실립니다. "
            "3.5의 표에서 값 500바이트가 요청을 몇 바이트 늘렸는지 보세요.",
        )
    if given in (measured_per_request, cookie_value_bytes):
        return CheckResult(False, f"요청 1번 몫입니다. {requests_count:,}번 보내면 몇 배일까요?")
    if base is not None and given == (base + measured_per_request) * requests_count:
        return CheckResult(
            False,
            "요청 전체 크기를 곱했습니다. 쿠키가 없어도 가는 바이트는 빼고, 쿠키 때문에 '더' 싣는 양만 세세요.",
        )
    if abs(given - expected) <= 2 * requests_count:
        return CheckResult(
            False,
            "거의 맞습니다. 요청마다 몇 바이트가 모자라거나 남습니다: `Cookie: c=`의 글자 수와 줄바꿈 2바이트를 다시 세어 보세요.",
        )
    return CheckResult(
        False,
        "요청 하나가 쿠키 때문에 '더' 싣는 바이트(쿠키 값 + `Cookie: c=` + 줄바꿈)를 구해 요청 수를 곱해 보세요. "
        "요청 전체 크기가 아니라 늘어난 양입니다.",
    )


def _cookie_attributes(line: str) -> tuple[str, dict[str, str]]:
    """``"__Host-sid=abc; Secure; Path=/"`` → ``("__Host-sid", {"secure": "", "path": "/"})``."""
    text = line.strip()
    if text.lower().startswith("set-cookie:"):
        text = text.split(":", 1)[1].strip()
    first, *rest = [part.strip() for part in text.split(";")]
    name = first.split("=", 1)[0].strip()
    attributes = {}
    for part in rest:
        if part:
            key, _, value = part.partition("=")
            attributes[key.strip().lower()] = value.strip()
    return name, attributes


def check_host_cookie(answer) -> CheckResult:
    """Exercise 4: a Set-Cookie line for the session id that a sibling subdomain cannot toss over (section E of the deep dive)."""
    if is_blank(answer):
        return not_answered()
    if not isinstance(answer, str) or "=" not in answer:
        return CheckResult(False, 'Set-Cookie 줄을 문자열로 적으세요. 예: "이름=값; 속성; 속성=값"')
    name, attributes = _cookie_attributes(answer)
    if not name.startswith("__Host-"):
        return CheckResult(
            False,
            "이름에 접두사가 없으면 하위 도메인이 같은 이름의 쿠키를 Domain으로 던질 수 있습니다. __Host-로 시작하세요.",
        )
    if "domain" in attributes:
        return CheckResult(
            False, "__Host- 쿠키에 Domain이 있으면 브라우저가 통째로 버립니다 (더 깊이 E의 __Host-dom)."
        )
    if "secure" not in attributes:
        return CheckResult(False, "__Host- 쿠키는 Secure가 있어야 저장됩니다 (더 깊이 E의 __Host-nosecure).")
    if attributes.get("path") != "/":
        return CheckResult(False, "__Host- 쿠키는 Path=/여야 저장됩니다 (더 깊이 E의 __Host-subpath).")
    if "httponly" not in attributes:
        return CheckResult(
            False, "브라우저는 저장하겠지만, 세션 ID라면 스크립트가 읽지 못하게 HttpOnly도 붙이세요 (02a)."
        )
    return CheckResult(
        True,
        "__Host- 쿠키는 이 호스트에만 묶여 하위 도메인이 던진 쿠키로 덮어쓸 수 없고, HttpOnly로 스크립트도 읽지 못합니다.",
    )


def check_widget_cookie(answer) -> CheckResult:
    """Exercise 5: a Set-Cookie line for a widget embedded by other sites, kept when third-party cookies are blocked (section F of the deep dive)."""
    if is_blank(answer):
        return not_answered()
    if not isinstance(answer, str) or "=" not in answer:
        return CheckResult(False, 'Set-Cookie 줄을 문자열로 적으세요. 예: "이름=값; 속성; 속성=값"')
    _, attributes = _cookie_attributes(answer)
    if "partitioned" not in attributes:
        return CheckResult(
            False,
            "서드파티 쿠키를 막는 브라우저에서는 SameSite=None; Secure만으로는 iframe 안의 위젯에 실리지 않습니다 "
            "(더 깊이 F의 fp·plain). Partitioned를 붙이세요.",
        )
    if "secure" not in attributes:
        return CheckResult(False, "Partitioned 쿠키와 SameSite=None 쿠키는 Secure가 있어야 저장됩니다.")
    if attributes.get("samesite", "").lower() != "none":
        return CheckResult(
            False,
            "다른 사이트 페이지 안의 iframe 요청은 교차 사이트 요청(cross-site request)이라 SameSite=Lax·Strict(적지 않으면 Lax) "
            "쿠키는 실리지 않습니다 (더 깊이 F의 laxchip). SameSite=None을 쓰세요.",
        )
    if "httponly" not in attributes:
        return CheckResult(
            False, "브라우저는 저장하겠지만, 세션 ID라면 스크립트가 읽지 못하게 HttpOnly도 붙이세요 (02a)."
        )
    return CheckResult(
        True,
        "Partitioned 쿠키는 최상위 사이트별로 따로 보관되어 서드파티 쿠키가 막혀도 같은 사이트 안의 위젯에는 돌아오고, "
        "다른 사이트에 삽입된 같은 위젯과는 공유되지 않아 추적에 쓸 수 없습니다.",
    )
