"""Notebook 99, section 5: statements interview answers often make, and what the course's experiments showed instead.

Each ``Correction`` names the notebook that shows it and a phrase of that notebook's own text (``marker``),
so a test can tell the experiment is still there. ``sessionlab.labs.lab99`` re-exports these names.
"""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["Correction", "CORRECTIONS", "corrections_table"]


@dataclass(frozen=True)
class Correction:
    """A statement interview answers often make, what the course's experiment shows instead, and where."""

    usual: str  # what a typical answer says
    shown: str  # what the experiment measured
    notebook: str  # the notebook that shows it
    marker: str  # a phrase of that notebook's own text, so a test can tell the section is still there


CORRECTIONS = [
    Correction(
        "세션 쿠키는 브라우저를 닫으면 지워진다.",
        "세션 복원(session restore)을 켠 Chromium은 세션 쿠키를 되살립니다. 브라우저가 정할 일이니 서버는 서버 쪽 만료로 세션을 끝내야 합니다.",
        "01_cookie_vs_session",
        "세션 복원",
    ),
    Correction(
        "쿠키는 4KB까지.",
        "RFC 6265(6.1)는 브라우저가 쿠키 하나에 적어도 4,096바이트, 도메인당 적어도 50개를 지원해야 한다(SHOULD)는 최소치만 정합니다. 실제 한계와 넘칠 때 무엇이 버려지는지는 브라우저가 정하며, 01에서 Chromium으로 측정합니다.",
        "01_cookie_vs_session",
        "RFC 6265",
    ),
    Correction(
        "Secure 쿠키는 HTTPS에서만 동작한다.",
        "localhost·127.0.0.1은 보안 컨텍스트라 http로도 Secure 쿠키가 저장되고, 다른 http 출처에서는 거부됩니다.",
        "01_cookie_vs_session",
        "Secure",
    ),
    Correction(
        "다른 사이트에 삽입된 위젯(iframe)도 SameSite=None; Secure만 붙이면 쿠키를 쓸 수 있다.",
        "강의의 Chromium(156) 기본 설정은 서드파티 쿠키를 막아 위젯 서버가 쿠키를 받지 못했습니다(기본값은 브라우저·설정마다 다릅니다). Partitioned(CHIPS) 쿠키는 최상위 사이트별로 따로 보관되어 같은 위젯도 다른 사이트 아래에서는 받지 못하고, 서드파티 쿠키를 허용하면 파티션 없는 쿠키가 사이트를 넘어 공유됩니다(추적).",
        "01_cookie_vs_session",
        "파티션 키(partition key)",
    ),
    Correction(
        "헤더가 너무 크면 431, URL이 너무 길면 431.",
        "표준은 긴 URL에 414, 큰 헤더에 431입니다. 서버마다 다르게 답하며(nginx·Apache는 400), 강의 서버가 실제로 무엇을 답하는지 측정합니다.",
        "01_cookie_vs_session",
        "414",
    ),
    Correction(
        "비밀번호 해시는 한 코어에서 느리면 충분하다.",
        "공격자는 GPU를 씁니다. OWASP 순서는 Argon2id, scrypt, bcrypt, PBKDF2이며, 메모리 하드(memory-hard) 함수가 왜 강한지 메모리 사용량으로 봅니다.",
        "02_session_login",
        "Argon2id",
    ),
    Correction(
        "브라우저는 다른 사이트의 폼 POST에도 쿠키를 붙인다.",
        "Chromium은 SameSite가 없는 쿠키를 Lax로 다룹니다. SameSite=None일 때만 붙으며, 서버는 CSRF 토큰과 함께 Origin·Sec-Fetch-Site를 확인합니다.",
        "02a_session_hijacking",
        "Sec-Fetch-Site",
    ),
    Correction(
        "계정 잠금이 무차별 대입을 막는다.",
        "계정별 잠금은 공격자가 아무 사용자나 잠글 수 있게 하고, 패스워드 스프레이·크리덴셜 스터핑은 막지 못합니다. 속도 제한, MFA, 유출 비밀번호 검사를 함께 씁니다.",
        "02a_session_hijacking",
        "스프레이",
    ),
    Correction(
        "세션 쿠키가 실린 요청은 스스로 완결된(self-contained) 요청이다.",
        "HTTP는 프로토콜로서 무상태이지만, REST의 무상태 제약은 요청이 필요한 상태를 모두 담으라는 것이라 서버 상태를 가리키는 세션 ID는 이를 만족하지 못합니다. 공유 저장소를 써도 같습니다.",
        "03_http_stateless",
        "Fielding",
    ),
    Correction(
        "같은 요청에는 같은 응답이 오니 캐시할 수 있다.",
        "응답은 자원의 현재 상태에 달려 있어 ETag 같은 검증자가 있습니다. 캐시 가능성은 Cache-Control로 정하며, 세션에 묶인 응답은 private·no-store가 없으면 공유 캐시가 다른 사용자에게 보여 줍니다.",
        "03_http_stateless",
        "private",
    ),
    Correction(
        "PUT·DELETE는 멱등하니 그냥 다시 보내도 안전하다.",
        "그 사이 다른 사람이 쓰지 않을 때만 그렇습니다. 갱신 손실은 If-Match와 412로 막습니다.",
        "03a_restful_api",
        "If-Match",
    ),
    Correction(
        "세션 Redis를 캐시와 같이 써도 된다.",
        "maxmemory-policy는 인스턴스 전체에 적용되고 volatile-* 정책은 TTL이 있는 세션도 지웁니다. 세션용 인스턴스를 따로 두거나 noeviction을 씁니다.",
        "03b_state_management",
        "volatile-lru",
    ),
    Correction(
        "Web Storage(localStorage)도 쿠키처럼 요청에 실려 서버로 간다.",
        "실제 Chromium이 보낸 요청에는 쿠키만 저절로 실렸고 localStorage 값은 한 번도 없었습니다. 페이지 스크립트가 직접 실어 보낼 때만 갑니다.",
        "03b_state_management",
        "Web Storage도 쿠키처럼 서버로 간다",
    ),
    Correction(
        "Bearer 토큰도 이미지 요청에 실린다.",
        "<img> 요청에는 Authorization 헤더가 실리지 않고 쿠키만 실립니다.",
        "04a_jwt_vs_session",
        "<img>",
    ),
    Correction(
        "JWT는 암호화되지 않는다.",
        "서명된 JWT(JWS)는 누구나 읽을 수 있습니다. 클레임을 숨겨야 하면 JWE(RFC 7516)를 씁니다.",
        "04a_jwt_vs_session",
        "JWE",
    ),
    Correction(
        "HttpOnly면 XSS로부터 세션이 안전하다.",
        "HttpOnly는 쿠키를 훔치는 것만 막습니다. 주입된 스크립트는 그 페이지에서 세션을 그대로 씁니다. localStorage의 토큰은 그대로 공격자 서버로 보내집니다.",
        "04a_jwt_vs_session",
        "HttpOnly",
    ),
    Correction(
        "IP 해시 로드 밸런싱은 서버 하나가 죽으면 대부분의 사용자가 옮겨 간다.",
        "nginx ip_hash는 죽은 서버의 사용자만 옮기고, 일관된 해싱(consistent hashing)은 서버를 더할 때도 조금만 옮깁니다. 해시값을 서버 수로 나누는 단순한 방식만 크게 흔들립니다.",
        "05_multi_server_sessions",
        "ip_hash",
    ),
    Correction(
        "세션 클러스터링은 Redis Cluster다.",
        "세션 클러스터링은 앱 서버끼리 세션을 복제하는 것(Tomcat DeltaManager·BackupManager, Spring Session·Hazelcast)이고, Redis Cluster는 중앙 저장소를 나누는 샤딩입니다.",
        "05_multi_server_sessions",
        "DeltaManager",
    ),
    Correction(
        "Redis WAIT를 쓰면 장애 조치 때 세션을 잃지 않는다.",
        "WAIT는 손실 가능성을 줄일 뿐 없애지 못합니다. 레플리카의 디스크가 아니라 메모리를 확인하고, 시간이 지나면 쓰기는 프라이머리에만 남습니다.",
        "05_multi_server_sessions",
        "WAIT",
    ),
]


def corrections_table(rows: list[Correction] | None = None) -> str:
    """The corrections as a Markdown table (흔한 답 | 실험이 보인 것 | 노트북)."""
    lines = ["| 흔한 면접 답 | 실험이 보인 것 | 노트북 |", "| --- | --- | --- |"]
    for c in rows if rows is not None else CORRECTIONS:
        lines.append(f"| {c.usual} | {c.shown} | `{c.notebook}` |")
    return "\n".join(lines)
