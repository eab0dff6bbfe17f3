"""Lab 04a, what the notebook shows: tokens shortened to what stays the same between runs,
``Set-Cookie`` lines from the wire, the claims of a token as a table, and 예/아니요 for measured
yes/no values (a bare True/False, a raw dict or a 600-character token does not read).
"""

from __future__ import annotations

from IPython.display import Markdown

__all__ = ["short_token", "set_cookie_lines", "md_table", "yes_no", "CLAIM_MEANINGS", "claims_table"]


def short_token(token: str, keep: int = 10) -> str:
    """A JWT cut to what stays the same between runs: the start of header and payload, and lengths.

    ``eyJhbGciOi…(62자).eyJpc3MiOi…(266자).서명(43자)``: the signature is random-looking, so only its length.
    """
    head, payload, sig = token.split(".")
    return f"{head[:keep]}…({len(head)}자).{payload[:keep]}…({len(payload)}자).서명({len(sig)}자)"


def set_cookie_lines(response, drop: tuple[str, ...] = ("expires",)) -> list[str]:
    """Each ``Set-Cookie`` of ``response`` (from the wire) as one short line: JWT values shortened,
    attributes that change every run (``Expires``: a date) left out."""
    lines = []
    for header in response.raw.headers.getlist("Set-Cookie"):
        pair, *attrs = [part.strip() for part in header.split(";")]
        name, _, value = pair.partition("=")
        shown = short_token(value) if value.count(".") == 2 else (value or '""')
        kept = [a for a in attrs if a.split("=")[0].lower() not in drop]
        lines.append(f"{name} = {shown}; {'; '.join(kept)}")
    return lines


def md_table(columns: list[str], rows: list[list]) -> Markdown:
    """A small Markdown table (JupyterLab draws it as a table; ``|`` in a value is escaped)."""

    def cell(v) -> str:
        return str(v).replace("|", "\\|")

    lines = ["| " + " | ".join(columns) + " |", "|" + "---|" * len(columns)]
    lines += ["| " + " | ".join(cell(v) for v in row) + " |" for row in rows]
    return Markdown("\n".join(lines))


def yes_no(flag: bool) -> str:
    """``예`` or ``아니요`` for a measured yes/no (a bare True/False does not read)."""
    return "예" if flag else "아니요"


# What each header field and claim of the course's access token means (for claims_table).
CLAIM_MEANINGS = {
    "alg": "서명 알고리즘",
    "kid": "서명 키의 ID (서버가 키를 고를 때 씀)",
    "typ": "토큰 종류",
    "iss": "발급자(issuer)",
    "aud": "대상(audience): 이 토큰을 받을 서비스",
    "sub": "사용자(subject)",
    "iat": "발급 시각 (Unix 시각, 초)",
    "nbf": "이 시각 전에는 무효 (not before)",
    "exp": "만료 시각",
    "jti": "토큰마다 다른 ID (폐기 목록의 키)",
    "role": "역할 (인가에 씀)",
    "fam": "토큰 계열 ID (한 번의 로그인에서 이어진 토큰들)",
}


def claims_table(header: dict, payload: dict) -> Markdown:
    """Header fields and claims as a table: what each holds and means; values that change every
    run (times, random ids) are described rather than printed."""
    rows = []
    for part, fields in (("header", header), ("payload", payload)):
        for name, value in fields.items():
            if name in ("iat", "nbf"):
                shown = "Unix 시각 (초)"
            elif name == "exp":
                shown = f"iat + {value - payload.get('iat', value)}초"
            elif name in ("jti", "fam"):
                shown = f"무작위 {len(str(value))}자"
            else:
                shown = f"`{value}`"
            rows.append([part, f"`{name}`", shown, CLAIM_MEANINGS.get(name, "")])
    return md_table(["부분", "이름", "값", "뜻"], rows)
