"""Notebook 99 (전체 복습): the questions, the points an answer must hit, and a timed quiz widget.

``score_answer`` is a rough self-check, not a grader: it looks for each key point's
words (any of several phrasings) in the learner's answer and lists what is missing.
"""

from __future__ import annotations

import html
import random
import re
from dataclasses import dataclass, field

from sessionlab.labs.lab99_corrections import CORRECTIONS, Correction, corrections_table

__all__ = [
    "Question",
    "QUESTIONS",
    "Correction",
    "CORRECTIONS",
    "corrections_table",
    "score_answer",
    "score_text",
    "answer_sentences",
    "answers_markdown",
    "quiz_widget",
    "by_id",
]


@dataclass(frozen=True)
class Question:
    id: str
    notebook: str
    text: str
    points: dict[str, tuple[str, ...]]  # key point → words, any of which counts
    answer: str  # a 30-second model answer
    follow_ups: tuple[str, ...] = field(default=())
    spring: str = (
        ""  # the Spring names a Korean interviewer expects (the question notebook's "Spring에서는" note)
    )


QUESTIONS = [
    Question(
        "cookie-session",
        "01_cookie_vs_session",
        "쿠키와 세션의 차이에 대해 설명해주세요.",
        {
            "저장 위치": ("브라우저", "클라이언트"),
            "서버 저장": ("서버",),
            "세션 ID": ("세션 ID", "세션 아이디", "session id"),
            "수명": ("만료", "수명", "timeout", "제한 시간"),
            "변조·보안": ("변조", "수정", "서명", "위조"),
            "크기·전송": ("4KB", "4096", "모든 요청", "크기"),
        },
        "둘 다 무상태인 HTTP에 상태를 더하는 방법입니다. 쿠키는 데이터를 브라우저에 저장해 그 사이트로 가는 모든 요청에 실어 보내고, "
        "세션은 데이터를 서버에 두고 브라우저에는 세션 ID만 쿠키로 줍니다. 쿠키는 사용자가 수정할 수 있어 서명 없이는 믿을 수 없습니다. "
        "크기는 RFC 6265(6.1)가 브라우저에 쿠키 하나당 적어도 4,096바이트를 지원하라고(SHOULD) 정할 뿐이라 그보다 큰 쿠키는 기대하지 않고, "
        "실제 한계는 브라우저마다 다릅니다. 세션 쿠키를 언제 지울지도 브라우저가 정하므로(세션 복원을 켜면 되살아남), "
        "저라면 세션을 끝내는 일은 서버 쪽 만료 시간에 맡기겠습니다.",
        ("브라우저를 닫으면 세션이 끝나나요?", "Flask의 기본 session은 어디에 저장되나요?"),
        "세션 객체는 `HttpSession`, 세션 ID 쿠키는 `JSESSIONID`입니다. 유휴 만료는 `server.servlet.session.timeout`, "
        "쿠키 속성은 `server.servlet.session.cookie.http-only`·`secure`·`same-site`로 정합니다.",
    ),
    Question(
        "session-login",
        "02_session_login",
        "세션 방식의 로그인 과정에 대해 설명해 주세요.",
        {
            "HTTPS": ("HTTPS", "TLS"),
            "해시 검증": ("해시", "KDF", "scrypt", "bcrypt", "argon2"),
            "난수 세션 ID": ("난수", "CSPRNG", "secrets", "예측"),
            "Set-Cookie": ("Set-Cookie",),
            "자동 전송·조회": ("Cookie 헤더", "자동", "조회"),
            "만료·로그아웃": ("로그아웃", "만료", "삭제"),
        },
        "사용자가 HTTPS로 아이디와 비밀번호를 보내면, 서버는 저장해 둔 비밀번호 해시(솔트를 쓰는 느린 KDF: OWASP 권장 순서대로 Argon2id, scrypt, bcrypt, PBKDF2)와 상수 시간으로 비교합니다. 맞으면 CSPRNG로 "
        "세션 ID를 만들어 사용자 정보와 함께 서버 저장소에 두고 Set-Cookie로 보냅니다. 브라우저는 이후 요청마다 Cookie 헤더로 자동 전송하고, "
        "서버는 매 요청 저장소를 조회해 사용자를 식별합니다. 유휴·절대 만료 시간이 지나거나 로그아웃하면 서버 기록을 삭제합니다.",
        ("왜 SHA-256이 아니라 느린 KDF인가요?", "로그인 때 세션 ID를 왜 새로 만드나요?"),
        "비밀번호는 `BCryptPasswordEncoder`로 만들고, 알고리즘을 바꿀 여지를 두려면 `DelegatingPasswordEncoder`"
        "(`PasswordEncoderFactories.createDelegatingPasswordEncoder()`)를 씁니다. 세션을 Redis에 두려면 Spring Session"
        "(`spring-session-data-redis`, `@EnableRedisHttpSession`)을 씁니다.",
    ),
    Question(
        "hijacking",
        "02a_session_hijacking",
        "세션 하이재킹은 어떻게 막나요?",
        {
            "HttpOnly": ("HttpOnly",),
            "Secure·HTTPS": ("Secure", "HTTPS"),
            "SameSite·CSRF": ("SameSite", "CSRF"),
            "ID 재발급": ("재발급", "새로 발급", "고정", "fixation"),
            "만료": ("만료", "timeout", "유휴"),
            "재인증": ("재인증", "다시 인증", "비밀번호를 다시"),
        },
        "세션 ID가 곧 열쇠이므로 훔치기 어렵게, 훔쳐도 오래 못 쓰게 합니다. 쿠키에 HttpOnly(스크립트가 읽지 못함, 오용까지 막지는 못함), "
        "Secure(보안 연결로만 전송, HTTPS와 함께 HSTS), SameSite와 CSRF 토큰·Origin 검사(다른 사이트의 요청 차단)를 붙이고, 로그인할 때 ID를 재발급해 세션 고정을 막습니다. 유휴·절대 만료로 "
        "훔친 ID의 수명을 줄이고, 비밀번호 변경 같은 민감한 작업은 재인증을 요구합니다.",
        ("User-Agent나 IP에 세션을 묶으면 충분한가요?", "HttpOnly만 있으면 XSS가 안전한가요?"),
        "세션 고정은 `sessionManagement().sessionFixation().changeSessionId()`로, CSRF는 `CsrfFilter`"
        "(SPA라면 `CookieCsrfTokenRepository`)로 막고, 쿠키 속성은 `server.servlet.session.cookie.http-only`·`secure`·`same-site`로 "
        "정합니다.",
    ),
    Question(
        "session-id",
        "02b_session_id_generation",
        "세션 ID는 어떻게 안전하게 생성하나요?",
        {
            "CSPRNG": ("CSPRNG", "secrets", "암호학적", "urandom"),
            "엔트로피": ("엔트로피", "64비트", "64 비트", "비트"),
            "예측 불가": ("예측",),
            "순차·시간·random 금지": ("순차", "시간", "random", "메르센", "Mersenne"),
        },
        "운영체제의 암호학적 난수 생성기(CSPRNG, 파이썬은 secrets)로 만들고, OWASP 기준 최소 64비트 엔트로피를 둡니다(보통 128~256비트). "
        "순차 번호, 시각, 사용자+시각의 해시값, random 모듈(메르센 트위스터)은 출력 몇 개로 다음 값을 예측할 수 있어 안 됩니다.",
        ("엔트로피 64비트면 추측하는 데 얼마나 걸리나요?", "UUID v4는 세션 ID로 괜찮나요?"),
        "Tomcat은 `JSESSIONID`를 `SecureRandom`으로 만듭니다(`SessionIdGenerator`, 길이는 `sessionIdLength`). "
        "직접 만드는 토큰도 `java.security.SecureRandom`으로 만듭니다.",
    ),
    Question(
        "stateless",
        "03_http_stateless",
        "HTTP의 특성인 Stateless에 대해 설명해 주세요.",
        {
            "요청 독립": ("독립", "이전 요청"),
            "확장성": ("확장", "스케일", "어느 서버"),
            "신뢰성": ("실패", "영향"),
            "캐싱은 헤더로": ("Cache-Control", "ETag"),
            "비연결성": ("keep-alive", "연결"),
            "상태 유지 수단": ("쿠키", "세션", "토큰"),
        },
        "HTTP는 프로토콜 차원에서 무상태입니다. 각 요청은 이전 요청에 기대지 않고 독립적으로 해석되고, keep-alive로 연결을 재사용해도 "
        "요청끼리는 독립입니다. 그래서 어느 서버가 받아도 되어 확장이 쉽고, 서버가 상태를 갖지 않는 한 한 요청의 실패가 다음 요청에 번지지 "
        "않습니다(상태가 죽은 서버의 메모리에 있었다면 그 사용자의 다음 요청도 실패합니다). 로그인 같은 상태는 "
        "쿠키·세션·토큰으로 애플리케이션이 더합니다. 캐시는 무상태라서 저절로 되는 것이 아니라 Cache-Control과 ETag 같은 헤더로 정하며, "
        "세션 쿠키에 묶인 응답은 private나 no-store여야 합니다. 비연결성은 HTTP/1.0이 요청마다 연결을 닫던 방식이고, HTTP/1.1 keep-alive와 "
        "HTTP/2 다중화는 연결을 재사용하지만 무상태는 그대로입니다.",
        ("keep-alive 연결이면 상태가 있는 것 아닌가요?", "stateless와 connectionless는 같은가요?"),
        "세션을 쓰지 않는 API는 `SessionCreationPolicy.STATELESS`로 둡니다. 캐시 헤더는 `CacheControl`(`CacheControl.noStore()` 등)로 "
        "만들고, `ETag`와 `304`는 `ShallowEtagHeaderFilter`가 처리합니다.",
    ),
    Question(
        "rest",
        "03a_restful_api",
        "RESTful API는 어떻게 설계하나요?",
        {
            "자원·URI": ("자원", "리소스", "URI"),
            "메서드": ("GET", "POST", "PUT", "DELETE", "메서드"),
            "상태 코드": ("상태 코드", "201", "404", "401"),
            "무상태": ("무상태", "stateless"),
            "멱등성": ("멱등",),
        },
        "URI는 자원(명사)을 나타내고 행위는 HTTP 메서드로 표현합니다. 결과는 201·204·401·404 같은 상태 코드와 일관된 오류 형식"
        "(problem+json)으로 알리고, PUT·DELETE는 멱등하게 만들며, 다른 사람이 그 사이에 고칠 수 있으면 If-Match와 412로 갱신 손실을 막습니다. "
        "REST의 무상태 제약은 요청 하나가 이해에 필요한 상태를 모두 담는 것이라, 서버 세션을 가리키는 세션 ID는 (공유 Redis를 써도) 이를 "
        "만족하지 못합니다. 하이퍼미디어(HATEOAS)는 응답 속 링크로 클라이언트가 다음 동작을 찾게 하는 것입니다.",
        ("로그인을 REST 자원으로 표현하면?", "PATCH는 멱등한가요?"),
        "`@RestController`로 자원의 URL과 메서드를 매핑하고, 오류 본문은 `ProblemDetail`(RFC 9457, `application/problem+json`)로 통일합니다.",
    ),
    Question(
        "state-strategies",
        "03b_state_management",
        "웹 애플리케이션의 상태 관리 전략에는 무엇이 있나요?",
        {
            "URL·폼": ("URL", "쿼리", "hidden", "폼"),
            "쿠키·Web Storage": ("쿠키", "localStorage", "스토리지", "Web Storage"),
            "서버 세션": ("세션",),
            "DB·캐시": ("DB", "데이터베이스", "캐시", "Redis"),
            "토큰": ("토큰", "JWT"),
        },
        "클라이언트 쪽에는 URL·쿼리 파라미터, 숨은 폼 필드, 쿠키, Web Storage(localStorage·sessionStorage)가 있고, 서버 쪽에는 세션, "
        "데이터베이스, 캐시(Redis)가 있으며, 서명된 토큰(JWT)은 상태를 클라이언트가 들고 다니게 합니다. 누가 읽고 바꿀 수 있는지, 크기, 수명, "
        "매 요청 전송 여부로 골라 씁니다. 브라우저가 요청에 저절로 싣는 것은 쿠키뿐이고, Web Storage는 스크립트가 보낼 때만 갑니다. "
        "저라면 세션 ID는 HttpOnly 쿠키에, 세션 데이터는 Redis에, 오래 남을 데이터는 DB에 둡니다.",
        ("장바구니는 어디에 두시겠어요?", "localStorage에 토큰을 두면 왜 위험한가요?"),
        "서버 세션은 `HttpSession`과 `@SessionScope`, 여러 서버가 함께 쓰면 Spring Session + Redis(`@EnableRedisHttpSession`), "
        "캐시는 `@Cacheable`과 `RedisCacheManager`, 데이터베이스는 Spring Data JPA(`JpaRepository`)입니다.",
    ),
    Question(
        "session-vs-stateless",
        "04_session_vs_stateless",
        "Stateless의 의미를 살펴보면, 세션은 적절하지 않은 인증 방법 아닌가요?",
        {
            "두 가지 무상태": ("프로토콜", "REST"),
            "서버 상태": ("서버",),
            "필요성": ("장바구니", "로그인", "필요"),
            "비용·확장": ("메모리", "비용", "분산", "확장"),
            "JWT도 완전 무상태 아님": ("JWT", "토큰", "폐기", "블랙리스트", "denylist"),
        },
        "두 가지 무상태를 나눠야 합니다. HTTP 프로토콜은 세션을 써도 무상태입니다: 세션 ID가 쿠키에 실려 매 요청과 함께 오고, "
        "각 요청은 그것만으로 해석됩니다. 상태를 갖게 되는 것은 서버의 애플리케이션이고, 쿠키는 그 상태를 찾을 열쇠를 실어 나를 뿐입니다. "
        "그래서 요청이 이해에 필요한 상태를 모두 담으라는 REST의 무상태 제약(Fielding 5.1.3)은 만족하지 못하고, 공유 Redis도 어느 서버가 "
        "받아도 되게 할 뿐 제약을 만족시키지는 않습니다. 그래도 세션은 로그인·장바구니처럼 상태가 필요한 기능에 실용적이고 즉시 로그아웃이 "
        "되는 방법이며, 대가는 세션당 메모리와 공유 저장소입니다. JWT는 REST 제약에 더 가깝지만 로그아웃·폐기에는 결국 서버 상태"
        "(폐기 목록, denylist)가 필요합니다.",
        ("세션 100만 개면 메모리가 얼마나 드나요?",),
        "세션을 쓰지 않는 API는 `SessionCreationPolicy.STATELESS`, JWT 검증은 `oauth2ResourceServer().jwt()`, "
        "세션을 여러 서버가 함께 쓰는 방법은 Spring Session + Redis(키 `spring:session:sessions:<id>`)입니다.",
    ),
    Question(
        "jwt-vs-session",
        "04a_jwt_vs_session",
        "JWT와 세션을 비교해 주세요.",
        {
            "저장 위치": ("서버", "클라이언트"),
            "서명·암호화 아님": ("서명", "base64", "암호화"),
            "폐기 어려움": ("폐기", "로그아웃", "denylist", "블랙리스트"),
            "크기": ("크기", "바이트"),
            "만료·재발급": ("만료", "refresh", "리프레시"),
            "검증 비용": ("검증", "조회"),
        },
        "세션은 상태를 서버에 두고 짧은 ID만 오가며 로그아웃이 즉시 되지만, 요청마다 저장소까지 한 번 오가야 하고 저장소가 살아 있어야 "
        "합니다. JWT는 서명된 클레임을 클라이언트가 들고 다녀 서버가 요청마다 서명만 검증하면 되지만(저장소 대신 CPU), 서명된 JWT(JWS)는 "
        "base64url일 뿐이라 누구나 읽을 수 있고(클레임을 숨겨야 하면 암호화하는 JWE), 크기가 세션 ID보다 몇 배(수백 바이트) 커서 "
        "HTTP/1.1에서는 요청마다 그만큼 더 보내며, 만료 전 폐기에는 폐기 목록(denylist)이 필요합니다. 그래서 JWT를 쓴다면 저는 수명이 "
        "짧은 액세스 토큰과 회전하는 리프레시 토큰을 함께 쓰고, 둘을 typ(at+jwt)으로 구별해 검증합니다.",
        ("alg: none 공격이란?", "JWT를 어디에 저장하시겠어요?"),
        "`oauth2ResourceServer().jwt()`가 `NimbusJwtDecoder`로 서명을 검증하고, `JwtTimestampValidator`가 만료를 시계 오차 허용 "
        "60초(기본)로 검사합니다. 폐기 목록은 기본으로 없어서 `jti`를 Redis에서 확인하는 검증기를 직접 더합니다.",
    ),
    Question(
        "multi-server",
        "05_multi_server_sessions",
        "서버가 여러 대가 되면 세션을 어떻게 관리하나요?",
        {
            "중앙 저장소": ("Redis", "중앙", "공유 저장소"),
            "스티키 세션": ("sticky", "고정 세션", "스티키"),
            "복제": ("복제",),
            "DB": ("DB", "데이터베이스"),
            "JWT": ("JWT", "토큰"),
            "장애·일관성": ("장애", "일관성", "failover", "레플리카"),
        },
        "각 서버 메모리에 두면 로드 밸런서가 다른 서버로 보낼 때 세션을 잃습니다. 스티키 세션(sticky session)은 간단하고, 서버 하나가 "
        "죽으면 그 서버의 사용자만 영향을 받지만 그 사용자들은 로그아웃됩니다. 보통은 Redis 같은 중앙 저장소를 둡니다. 그러면 어느 서버든 "
        "답할 수 있는 대신 저장소가 모든 서버의 공통 의존성이 되어, 저장소가 죽으면 모든 사용자가 함께 영향을 받습니다. 그래서 레플리카로 "
        "장애에 대비하는데, 복제는 비동기라 장애 조치 때 마지막 쓰기를 잃을 수 있고 WAIT는 그 가능성을 줄일 뿐 없애지 못합니다. 그 밖에 DB 저장, 앱 서버끼리 세션을 복제하는 세션 클러스터링(Tomcat DeltaManager, "
        "Spring Session·Hazelcast; Redis Cluster는 중앙 저장소를 나누는 샤딩이라 다른 것입니다), JWT 같은 클라이언트 저장, Redis+DB 하이브리드를 "
        "요구에 따라 조합합니다.",
        ("Redis가 죽으면 어떻게 되나요?", "스티키 세션의 단점은?"),
        "Spring Session + Redis(`spring-session-data-redis`, `@EnableRedisHttpSession`, 키 `spring:session:sessions:<id>`, "
        "쿠키 `SESSION`)를 씁니다. 스티키 세션은 AWS ALB의 `AWSALB` 쿠키나 nginx `ip_hash`로 만듭니다.",
    ),
]


def by_id(qid: str) -> Question:
    return next(q for q in QUESTIONS if q.id == qid)


def answer_sentences(text: str) -> list[str]:
    """The answer cut into sentences (at '. ' and '.)' followed by a space), for a readable list."""
    parts = re.split(r"(?<=\.)\s+|(?<=\.\))\s+", text.strip())
    return [p for p in parts if p]


def answers_markdown(questions: list[Question] | None = None) -> str:
    """Every model answer as a short section: the answer one sentence a line, the follow-ups, the Spring names."""
    blocks = []
    for i, q in enumerate(questions if questions is not None else QUESTIONS, 1):
        lines = [f"#### {i}. {q.text} (`{q.notebook}`)", ""]
        lines += [f"- {sentence}" for sentence in answer_sentences(q.answer)]
        if q.follow_ups:
            lines += ["", "**꼬리 질문:** " + " · ".join(q.follow_ups)]
        if q.spring:
            lines += ["", "**Spring에서는:** " + q.spring]
        blocks.append("\n".join(lines))
    return "\n\n".join(blocks)


def score_text(result: dict) -> str:
    """A score_answer result as one line: '다룬 요점 2/6: a, b | 빠진 요점: c, d'."""
    total = len(result["covered"]) + len(result["missing"])
    return (
        f"다룬 요점 {len(result['covered'])}/{total}: {', '.join(result['covered']) or '없음'}"
        f" | 빠진 요점: {', '.join(result['missing']) or '없음'}"
    )


def score_answer(question: Question | str, text: str) -> dict:
    """Which key points ``text`` mentions: {'covered': [...], 'missing': [...], 'ratio': float}."""
    q = by_id(question) if isinstance(question, str) else question
    low = (text or "").lower()
    covered = [p for p, words in q.points.items() if any(w.lower() in low for w in words)]
    missing = [p for p in q.points if p not in covered]
    return {"covered": covered, "missing": missing, "ratio": len(covered) / len(q.points)}


TIMER_HELP = "타이머 단추: 왼쪽부터 시작 · 멈춤 · 처음으로 · 반복"


def quiz_widget(seconds: int = 30, seed: int | None = None):
    """A timed self-quiz: pick a question, answer before the timer runs out, see what you missed."""
    import ipywidgets as w

    rng = random.Random(seed)
    state = {"q": rng.choice(QUESTIONS)}
    question = w.HTML()
    timer = w.Play(value=0, min=0, max=seconds, interval=1000, description="타이머", tooltip=TIMER_HELP)
    timer_help = w.Label(TIMER_HELP)  # the Play buttons are icons only: say what they do
    left = w.IntProgress(value=seconds, min=0, max=seconds, description="남은 시간")
    box = w.Textarea(
        placeholder="여기에 답을 적어 보세요 (말로 하듯이).", layout=w.Layout(width="100%", height="120px")
    )
    check = w.Button(description="채점하기", button_style="primary")
    new = w.Button(description="다른 질문")
    out = w.HTML()

    def show(q):
        question.value = f"<h4>{q.text}</h4><small>노트북: {q.notebook}</small>"
        box.value, out.value, timer.value = "", "", 0

    def on_tick(change):
        left.value = seconds - change["new"]

    def on_check(_):
        q = state["q"]
        s = score_answer(q, box.value)
        missing = ", ".join(s["missing"]) or "없음"
        follow = "".join(f"<li>{f}</li>" for f in q.follow_ups)
        out.value = (
            f"<p>다룬 요점 {len(s['covered'])}/{len(q.points)} · 빠진 요점: <b>{missing}</b></p>"
            f"<details><summary>모범 답안 보기</summary><p>{q.answer}</p></details>"
            f"<p>꼬리 질문:</p><ul>{follow}</ul>"
            + (f"<p><b>Spring에서는:</b> {html.escape(q.spring)}</p>" if q.spring else "")
        )

    def on_new(_):
        state["q"] = rng.choice([q for q in QUESTIONS if q is not state["q"]])
        show(state["q"])

    timer.observe(on_tick, names="value")
    check.on_click(on_check)
    new.on_click(on_new)
    show(state["q"])
    ui = w.VBox([question, w.HBox([timer, timer_help, left]), box, w.HBox([check, new]), out])
    ui.score = on_check  # for tests: run the check without a click
    ui.next_question = on_new
    ui.answer_box = box
    ui.result = out
    ui.state = state
    return ui
