"""Check the course's Korean against its glossary (notebooks/glossary.md) and its writing rules.

Usage: python tools/vocabulary.py [notebooks/NN_name.ipynb ...]   (no argument: every notebook)
Exit 1 and a per-cell report when anything is found.

What it reads: markdown cells, and the text of stored outputs (stream text, text/plain,
text/markdown, text/html), since outputs are learner-facing too. Code cells' source is not read,
nor anything in backticks or fenced code blocks.

Rules (each a plain heuristic, tuned so that it rarely flags correct Korean):
  용어    a "쓰지 않는 말" of the glossary table, or "해시" alone (say which hash)
  문체    한다체 or 해요체 sentence endings in markdown (저장한다. / 저장해요.) - 합니다체 only
  라벨    the experiment label is "볼 것:" (not "무엇을 확인하나:", "무엇을 보나:", ...)
  진짜    "진짜" where "실제" is meant
  조사    a particle that does not fit how the preceding latin word or number is read (s1가 → s1이)
"""

from __future__ import annotations

import html
import json
import re
import sys
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
GLOSSARY = ROOT / "notebooks" / "glossary.md"

LABEL = "볼 것:"
OTHER_LABELS = ("무엇을 확인하나", "무엇을 보나", "무엇을 볼까", "확인할 것", "볼 점", "관찰할 것")

# "해시" alone is ambiguous; these neighbours say which hash is meant (see the glossary's 표기 규칙).
HASH_BEFORE = ("비밀번호 ", "느린 ", "솔트 ", "IP ", "Redis ", "redis ", "일관 ")
HASH_AFTER = (
    " 함수",
    "값",
    " 값",
    " 자료형",
    " 슬롯",
    " 분배",
    " 태그",
    " 정책",
    " 문자열",
    " 링",
    " 테이블",
    "하",
    "합",
    "한",
    "할",
    "함",
    "해",
    "했",
    "된",
    "되",
    "됩",
    "(hash",
)


@dataclass(frozen=True)
class Term:
    korean: str
    english: str
    banned: tuple[str, ...]


@dataclass(frozen=True)
class Finding:
    cell: int
    where: str  # "markdown" or "output"
    rule: str
    message: str
    excerpt: str

    def line(self) -> str:
        return f"  c{self.cell:<3} {self.where:<8} [{self.rule}] {self.message}  …{self.excerpt}…"


# --------------------------------------------------------------------------- glossary


def load_glossary(path: Path = GLOSSARY) -> list[Term]:
    """The rows of the glossary table: Korean term, English term, the words not to use."""
    terms = []
    for raw in path.read_text(encoding="utf-8").splitlines():
        if not raw.startswith("|"):
            continue
        cells = [c.strip() for c in raw.strip().strip("|").split("|")]
        if len(cells) != 5 or cells[0] in ("용어", "") or set(cells[0]) <= {"-", " "}:
            continue
        banned = tuple(b.strip() for b in cells[4].split(",") if b.strip() not in ("", "—", "-"))
        terms.append(Term(korean=cells[0], english=cells[1], banned=banned))
    return terms


# --------------------------------------------------------------------------- text preparation

FENCE = re.compile(r"```.*?(```|\Z)", re.S)
CODE_SPAN = re.compile(r"`[^`\n]*`")
LINK_TARGET = re.compile(r"\]\([^)]*\)")
TAG = re.compile(r"<[^>\n]*>")
QUOTED = re.compile(r"\"[^\"\n]*\"|“[^”\n]*”")


def _blank(match: re.Match[str]) -> str:
    return " " * len(match.group(0))


def prose(text: str) -> str:
    """Text with code replaced by `…` (fenced blocks by an empty line), link targets and bold marks dropped."""
    text = FENCE.sub("\n", text)
    text = CODE_SPAN.sub("`…`", text)
    text = LINK_TARGET.sub("]", text)
    return text.replace("**", "").replace("__", "")


def html_text(text: str) -> str:
    return html.unescape(TAG.sub(" ", text))


def _excerpt(text: str, start: int, end: int) -> str:
    return " ".join(text[max(0, start - 18) : end + 12].split())


# --------------------------------------------------------------------------- rule: 용어


def banned_terms(text: str, terms: list[Term]) -> list[tuple[str, str, str]]:
    found = []
    for term in terms:
        for bad in term.banned:
            for m in re.finditer(re.escape(bad), text):
                hint = f"'{bad}' → '{term.korean}' ({term.english})"
                found.append(("용어", hint, _excerpt(text, m.start(), m.end())))
    for m in re.finditer("해시", text):
        before, after = text[: m.start()], text[m.end() :]
        if before.endswith(HASH_BEFORE) or after.startswith(HASH_AFTER):
            continue
        if re.search(r"(의|[A-Za-z0-9]) ?$", before) or re.search(r"[가-힣]$", before):
            continue  # X의 해시, SHA-256 해시 (a hash of something named), 해시 inside a longer word
        hint = "'해시'만 쓰면 모호합니다 → 비밀번호 해시 / 해시값 / Redis 해시 자료형 / 해시 분배 / 해시 슬롯"
        found.append(("용어", hint, _excerpt(text, m.start(), m.end())))
    return found


# --------------------------------------------------------------------------- rule: 문체

HANDA = re.compile(r"([가-힣])다")
HAEYO = re.compile(r"([어아해돼봐워와줘져쳐겨려에예네군든서고데게지])요")
JYO = re.compile(r"[가-힣]죠")
NOT_HANDA = {"니", "마", "보", "시"}  # 습니다/입니다, 요청마다, X보다, 합시다


def _ends_sentence(rest: str) -> bool:
    """Whether the text after a 다/요/죠 ends the sentence (not 다고, 다는, 고치다 요점을, 담는다)라는)."""
    rest = rest.lstrip(")]*'’")
    if not rest.strip() or rest[0] in ".!?:":
        return True
    return rest[0].isspace() and rest.lstrip()[0] in "—–-→("


def register(text: str) -> list[tuple[str, str, str]]:
    """한다체 / 해요체 endings in markdown prose (tables skipped; quotes in "..." skipped)."""
    found = []
    for line in text.splitlines():
        stripped = line.strip()
        if stripped.startswith("|"):
            continue
        body = QUOTED.sub(_blank, line)
        for m in HANDA.finditer(body):
            if m.group(1) in NOT_HANDA or not _ends_sentence(body[m.end() :]):
                continue
            hint = f"'{m.group(1)}다' 한다체 → 합니다체 (예: 한다 → 합니다, 이다 → 입니다)"
            found.append(("문체", hint, _excerpt(body, m.start(), m.end())))
        for m in HAEYO.finditer(body):
            if not _ends_sentence(body[m.end() :]):
                continue
            hint = f"'{m.group(1)}요' 해요체 → 합니다체"
            found.append(("문체", hint, _excerpt(body, m.start(), m.end())))
        for m in JYO.finditer(body):
            if not _ends_sentence(body[m.end() :]):
                continue
            found.append(("문체", "'~죠' 해요체 → 합니다체", _excerpt(body, m.start(), m.end())))
    return found


# --------------------------------------------------------------------------- rules: 라벨, 진짜


def labels(text: str) -> list[tuple[str, str, str]]:
    pattern = re.compile("(" + "|".join(map(re.escape, OTHER_LABELS)) + r")\s*\??\s*[:：]")
    return [
        ("라벨", f"'{m.group(1)}:' → '{LABEL}'", _excerpt(text, m.start(), m.end()))
        for m in pattern.finditer(text)
    ]


def jinjja(text: str) -> list[tuple[str, str, str]]:
    return [
        ("진짜", "'진짜' → '실제' (예: 실제 서버, 실제 브라우저)", _excerpt(text, m.start(), m.end()))
        for m in re.finditer("진짜", text)
    ]


# --------------------------------------------------------------------------- rule: 조사

VOWEL, RIEUL, CONSONANT = "vowel", "rieul", "consonant"
DIGIT_SOUND = {
    "0": CONSONANT,  # 영, and 10 십, 100 백, 1000 천, 10000 만
    "1": RIEUL,  # 일
    "2": VOWEL,  # 이
    "3": CONSONANT,  # 삼
    "4": VOWEL,  # 사
    "5": VOWEL,  # 오
    "6": CONSONANT,  # 육
    "7": RIEUL,  # 칠
    "8": RIEUL,  # 팔
    "9": VOWEL,  # 구
}
# Words read as words, not letter by letter, or whose last sound the rules below cannot decide.
WORDS = {
    "GET": CONSONANT,  # 겟
    "PUT": CONSONANT,  # 풋
    "SET": CONSONANT,  # 셋
    "HSET": CONSONANT,
    "IP": VOWEL,  # 아이피
    "PING": CONSONANT,  # 핑
    "PONG": CONSONANT,
    "app": CONSONANT,  # 앱
    "web": CONSONANT,  # 웹
}
PAIRS = {"가": "이", "는": "은", "를": "을", "와": "과", "로": "으로"}
AFTER_CONSONANT = {v: k for k, v in PAIRS.items()}
PARTICLE = re.compile(
    r"([A-Za-z0-9][A-Za-z0-9_.,+-]*)(으로|가|이|는|은|를|을|와|과|로)(?=[\s.,!?:;)\]'\"’”*…·/]|$)"
)
CODE_PARTICLE = re.compile(r"`([^`\n]+)`(으로|가|이|는|은|를|을|와|과|로)(?=[\s.,!?:;)\]'\"’”*…·/]|$)")


def _letter(ch: str, before: str) -> str | None:
    """How an acronym's last letter is read: L 엘, M 엠, N 엔; most letters end in a vowel."""
    ch = ch.upper()
    if ch == "L":
        return RIEUL
    if ch in "MN":
        return CONSONANT
    if ch == "R":
        return RIEUL if not before else None  # 알, but CLUSTER reads 클러스터
    if ch in "TKPCB" and before and before.upper() in "AEIOU":
        return None  # GET, HMAC, WEB: read as words
    if ch == "E":
        return _word_e(before.lower())
    if ch == "G" and before.upper() == "N":
        return None  # PING 핑 but CSPRNG 엔지
    if ch == "K" and before.upper() == "C":
        return None  # HPACK 팩
    return VOWEL


def _word_e(before: str) -> str | None:
    if before in ("n", "m"):
        return CONSONANT  # none, time
    if before == "l":
        return RIEUL  # file, table
    if before in ("p", "b", "h", "c", "") or not before:
        return None if before in ("p", "b", "") else VOWEL
    return VOWEL  # cookie, secure, site, code, cache, value


def final_sound(token: str) -> str | None:
    """How the last syllable of ``token`` sounds when a Korean reads it, or None when unsure."""
    m = re.search(r"[A-Za-z0-9]+$", token)
    if not m:
        return None
    word = m.group(0)
    if word in WORDS:
        return WORDS[word]
    if word[-1].isdigit():
        return DIGIT_SOUND[word[-1]]
    letters = re.search(r"[A-Za-z]+$", word)
    assert letters
    word = letters.group(0)
    if word in WORDS:
        return WORDS[word]
    upper = re.search(r"[A-Z]+$", word)
    if upper and (len(upper.group(0)) >= 2 or len(word) == 1):
        run = upper.group(0)
        before = run[-2] if len(run) >= 2 else ""
        return _letter(run[-1], before)
    if len(word) == 1:
        return _letter(word, "")
    if len(word) <= 2:
        return None  # me, up, ok: too short to tell a word from letters
    low = word.lower()
    last, before = low[-1], low[-2]
    if low.endswith("ng") or last in "mn":
        return CONSONANT
    if last == "l":
        return RIEUL
    if last in "aiouyrsxfhdg":
        return VOWEL
    if last == "e":
        return None if low.endswith("ate") else _word_e(before)  # state 스테이트 but private 프라이빗
    if last == "t":
        return VOWEL if before not in "aeiou" else None  # script, request / secret, set
    if last == "k":
        return VOWEL if before in "snrl" else None  # Flask, link / lock, stack
    if last == "p":
        return VOWEL if before in "lmrs" else None  # help, jump / app, step
    return None


def _particle_problem(token: str, particle: str) -> str | None:
    sound = final_sound(token)
    if sound is None:
        return None
    if particle == "로" and sound == RIEUL:
        return None
    if particle == "으로" and sound == RIEUL:
        return "로"
    wants_consonant = particle in AFTER_CONSONANT
    if sound == VOWEL and wants_consonant:
        return AFTER_CONSONANT[particle]
    if sound in (CONSONANT, RIEUL) and not wants_consonant:
        return PAIRS[particle]
    return None


def particles(text: str, raw: str | None = None) -> list[tuple[str, str, str]]:
    """Particles after latin words and numbers in ``text`` (and after code spans of ``raw``)."""
    found = []
    for pattern, source in ((PARTICLE, text), (CODE_PARTICLE, raw)):
        if source is None:
            continue
        for m in pattern.finditer(source):
            token, particle = m.group(1), m.group(2)
            right = _particle_problem(token.rstrip(".,"), particle)
            if right is None or token[-1] in ".,":
                continue
            shown = token.split()[-1] if token.split() else token
            hint = f"'{shown}{particle}' → '{shown}{right}' (읽는 소리에 맞는 조사)"
            found.append(("조사", hint, _excerpt(source, m.start(), m.end())))
    return found


# --------------------------------------------------------------------------- cells and notebooks


def check_markdown(text: str, terms: list[Term]) -> list[tuple[str, str, str]]:
    plain = prose(text)
    return (
        banned_terms(plain, terms) + register(plain) + labels(plain) + jinjja(plain) + particles(plain, text)
    )


def check_output(text: str, terms: list[Term]) -> list[tuple[str, str, str]]:
    return banned_terms(text, terms) + jinjja(text) + particles(text)


def output_texts(cell: dict) -> list[tuple[str, bool]]:
    """(text, is_markdown) for every learner-visible text of a code cell's stored outputs."""
    texts = []
    for out in cell.get("outputs", []):
        if out.get("output_type") == "stream":
            texts.append(("".join(out.get("text", "")), False))
        data = out.get("data", {})
        for mime in ("text/plain", "text/markdown", "text/html"):
            if mime in data:
                body = "".join(data[mime]) if isinstance(data[mime], list) else str(data[mime])
                if mime == "text/html":
                    body = html_text(body)
                texts.append((body, mime == "text/markdown"))
    return texts


def check_notebook(path: Path, terms: list[Term] | None = None) -> list[Finding]:
    terms = load_glossary() if terms is None else terms
    nb = json.loads(Path(path).read_text(encoding="utf-8"))
    findings: list[Finding] = []
    for index, cell in enumerate(nb.get("cells", [])):
        seen: set[tuple[str, str, str]] = set()
        if cell.get("cell_type") == "markdown":
            hits = [("markdown", h) for h in check_markdown("".join(cell.get("source", "")), terms)]
        elif cell.get("cell_type") == "code":
            hits = []
            for body, is_markdown in output_texts(cell):
                text = prose(body) if is_markdown else body
                hits += [("output", h) for h in check_output(text, terms)]
        else:
            continue
        for where, (rule, message, excerpt) in hits:
            if (rule, message, excerpt) in seen:
                continue  # the same output as text/plain and text/html
            seen.add((rule, message, excerpt))
            findings.append(Finding(index, where, rule, message, excerpt))
    return findings


def report(path: Path, findings: list[Finding]) -> str:
    name = Path(path).name
    if not findings:
        return f"{name}: 문제 없음\n"
    counts: dict[str, int] = {}
    for f in findings:
        counts[f.rule] = counts.get(f.rule, 0) + 1
    summary = ", ".join(f"{rule} {n}" for rule, n in sorted(counts.items()))
    lines = [f"{name}: {len(findings)}건 ({summary})"]
    lines += [f.line() for f in findings]
    return "\n".join(lines) + "\n"


@lru_cache(maxsize=1)
def _default_terms() -> tuple[Term, ...]:
    return tuple(load_glossary())


def main(argv: list[str]) -> int:
    paths = [Path(a) for a in argv] or sorted((ROOT / "notebooks").glob("*.ipynb"))
    terms = list(_default_terms())
    bad = 0
    for path in paths:
        findings = check_notebook(path, terms)
        sys.stdout.write(report(path, findings))
        bad += bool(findings)
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
