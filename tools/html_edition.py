"""Build the readable static edition: every notebook with its stored outputs, as a small web site.

Usage: python tools/html_edition.py [OUT_DIR]   (default: dist/html; `make html`)
Nothing is executed: the site shows what `make execute` stored. Solutions are left out (as in the
student edition), links between notebooks point to the pages, the glossary becomes a page, and
``index.html`` is the table of contents. Mermaid diagrams are drawn by the reader's browser
(nbconvert's page loads mermaid.js for them).
"""

from __future__ import annotations

import html
import re
import shutil
import sys
from pathlib import Path

import nbformat
from nbconvert import HTMLExporter
from nbconvert.filters.markdown_mistune import markdown2html_mistune

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "tools"))
from student_edition import is_solution  # noqa: E402

sys.path.insert(0, str(ROOT / "support"))
from sessionlab.labs.lab00 import NOTEBOOKS  # noqa: E402

LOCAL_LINK = re.compile(r'href="(?!https?:|#|mailto:)([\w./-]+?)\.(ipynb|md)(#[^"]*)?"')
PAGE = """<!doctype html>
<html lang="ko"><head><meta charset="utf-8"><title>{title}</title>
<meta name="viewport" content="width=device-width, initial-scale=1">
<style>body{{font-family:system-ui,"Noto Sans KR","Nanum Gothic",sans-serif;max-width:60rem;margin:2rem auto;
padding:0 1rem;line-height:1.6}} table{{border-collapse:collapse}} td,th{{border:1px solid #ccc;padding:.3rem .6rem}}
</style></head><body>{body}</body></html>
"""


def page_links(text: str) -> str:
    """``href="02_session_login.ipynb#3"`` → ``href="02_session_login.html#3"`` (other sites untouched)."""
    return LOCAL_LINK.sub(lambda m: f'href="{m.group(1)}.html{m.group(3) or ""}"', text)


def notebook_page(path: Path) -> str:
    nb = nbformat.read(path, as_version=4)
    nb.cells = [c for c in nb.cells if not is_solution(c)]
    body, _ = HTMLExporter(template_name="lab").from_notebook_node(nb)
    return page_links(body)


def index_page() -> str:
    rows = "".join(
        f'<li><a href="{name}.html">{html.escape(name)}</a> — {html.escape(question)}</li>'
        for name, question in NOTEBOOKS
    )
    body = (
        "<h1>세션랩 (sessionlab): 쿠키·세션·JWT 면접 질문을 실험으로 배우는 강의</h1>"
        "<p>노트북을 실행한 결과를 그대로 보여 주는 읽기 전용 판입니다. 직접 실행하려면 README의 "
        "<code>make lab</code> 또는 Binder를 쓰세요. 정답 셀은 빠져 있습니다.</p>"
        f'<ol start="0">{rows}</ol><p><a href="glossary.html">용어집 (glossary)</a></p>'
    )
    return PAGE.format(title="세션랩 (sessionlab)", body=body)


def build(out: Path, names: list[str] | None = None) -> list[Path]:
    """Write the site into ``out``; returns the pages written."""
    out.mkdir(parents=True, exist_ok=True)
    written = []
    for name in names or [n for n, _ in NOTEBOOKS]:
        target = out / f"{name}.html"
        target.write_text(notebook_page(ROOT / "notebooks" / f"{name}.ipynb"), encoding="utf-8")
        written.append(target)
    if (ROOT / "notebooks" / "images").is_dir():  # pictures the notebooks' markdown shows
        shutil.copytree(ROOT / "notebooks" / "images", out / "images", dirs_exist_ok=True)
    glossary = markdown2html_mistune((ROOT / "notebooks" / "glossary.md").read_text(encoding="utf-8"))
    (out / "glossary.html").write_text(
        PAGE.format(title="용어집", body=page_links(glossary)), encoding="utf-8"
    )
    (out / "index.html").write_text(index_page(), encoding="utf-8")
    return [*written, out / "glossary.html", out / "index.html"]


if __name__ == "__main__":
    out = Path(sys.argv[1]) if len(sys.argv) > 1 else ROOT / "dist" / "html"
    pages = build(out)
    print(f"읽기 전용 판: {out / 'index.html'} (쪽 {len(pages)}개)")
