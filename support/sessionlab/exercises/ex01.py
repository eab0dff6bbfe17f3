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


def check_forged_role(url: str, cookies) -> CheckResult:
    """Exercise 2: send ``cookies`` to /unsigned/admin on the lab server and see if they get in."""
    if is_blank(cookies):
        return not_answered()
    if not isinstance(cookies, dict):
        return CheckResult(False, '보낼 쿠키를 딕셔너리로 적으세요. 예: {"이름": "값"}')
    import requests

    resp = requests.get(
        url + "/unsigned/admin", cookies={str(k): str(v) for k, v in cookies.items()}, timeout=5
    )
    hint = "" if "role" in cookies else " 서버가 읽는 쿠키 이름은 role입니다."
    return result(
        resp.status_code == 200,
        "서명 없는 쿠키는 클라이언트가 마음대로 바꿀 수 있어서 관리자 페이지가 열렸습니다.",
        f"서버가 {resp.status_code}로 거절했습니다: {resp.json().get('error')}{hint}",
    )


def check_bytes_for(
    answer, cookie_value_bytes: int, requests_count: int, measured_per_request: int
) -> CheckResult:
    """Exercise 3: extra bytes ``requests_count`` requests carry for a cookie of ``cookie_value_bytes``."""
    if is_blank(answer):
        return not_answered()
    try:
        given = int(answer)
    except (TypeError, ValueError):
        return CheckResult(False, "바이트 수를 정수로 적으세요.")
    expected = measured_per_request * requests_count
    if given == cookie_value_bytes * requests_count:
        return CheckResult(
            False,
            f"쿠키 값만 셌습니다. HTTP/1.1 요청에는 `Cookie: c=`와 줄바꿈까지 실립니다: 측정값 {measured_per_request}바이트를 쓰세요.",
        )
    if given in (measured_per_request, cookie_value_bytes):
        return CheckResult(False, f"요청 1번 몫입니다. {requests_count}번 보내면 몇 배일까요?")
    return result(
        abs(given - expected) <= requests_count * 2,
        f"맞습니다: HTTP/1.1에서 요청마다 약 {measured_per_request}바이트, {requests_count}번이면 {expected}바이트입니다.",
        f"요청 하나가 더 싣는 바이트(측정값 {measured_per_request})에 요청 수를 곱해 보세요. 요청 전체 크기가 아니라 '더' 싣는 양입니다.",
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
    """Exercise 4: a Set-Cookie line for the session id that a sibling subdomain cannot toss over (3.8)."""
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
            False, "__Host- 쿠키에 Domain이 있으면 브라우저가 통째로 버립니다 (3.8에서 __Host-dom)."
        )
    if "secure" not in attributes:
        return CheckResult(False, "__Host- 쿠키는 Secure가 있어야 저장됩니다 (3.8에서 __Host-nosecure).")
    if attributes.get("path") != "/":
        return CheckResult(False, "__Host- 쿠키는 Path=/여야 저장됩니다 (3.8에서 __Host-subpath).")
    if "httponly" not in attributes:
        return CheckResult(
            False, "브라우저는 저장하겠지만, 세션 ID라면 스크립트가 읽지 못하게 HttpOnly도 붙이세요 (02a)."
        )
    return CheckResult(
        True,
        "__Host- 쿠키는 이 호스트에만 묶여 하위 도메인이 던진 쿠키로 덮어쓸 수 없고, HttpOnly로 스크립트도 읽지 못합니다.",
    )


def check_widget_cookie(answer) -> CheckResult:
    """Exercise 5: a Set-Cookie line for a widget embedded by other sites, kept when third-party cookies are blocked (3.9)."""
    if is_blank(answer):
        return not_answered()
    if not isinstance(answer, str) or "=" not in answer:
        return CheckResult(False, 'Set-Cookie 줄을 문자열로 적으세요. 예: "이름=값; 속성; 속성=값"')
    _, attributes = _cookie_attributes(answer)
    if "partitioned" not in attributes:
        return CheckResult(
            False,
            "서드파티 쿠키를 막는 브라우저에서는 SameSite=None; Secure만으로는 iframe 안의 위젯에 실리지 않습니다 "
            "(3.9의 fp·plain). Partitioned를 붙이세요.",
        )
    if "secure" not in attributes:
        return CheckResult(False, "Partitioned 쿠키와 SameSite=None 쿠키는 Secure가 있어야 저장됩니다.")
    if attributes.get("samesite", "").lower() != "none":
        return CheckResult(
            False,
            "다른 사이트 페이지 안의 iframe 요청은 사이트 간(cross-site) 요청이라 SameSite=Lax·Strict(적지 않으면 Lax) "
            "쿠키는 실리지 않습니다 (3.9의 laxchip). SameSite=None을 쓰세요.",
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
