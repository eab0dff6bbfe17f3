"""What an instructor runs: JupyterLab defaults, the Binder and nbgitpuller links, the student edition."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path
from urllib.parse import parse_qs, urlparse

import nbformat

ROOT = Path(__file__).resolve().parents[3]
sys.path.insert(0, str(ROOT / "tools"))
import binder_link  # noqa: E402
import html_edition  # noqa: E402
import lab_settings  # noqa: E402
import student_edition  # noqa: E402

sys.path.pop(0)


def test_lab_settings_silence_the_news_toast_with_values_jupyterlab_accepts(tmp_path):
    path = tmp_path / "share/jupyter/lab/settings/overrides.json"
    path.parent.mkdir(parents=True)
    path.write_text(json.dumps({"other": {"kept": True}}))
    written = json.loads(lab_settings.write_overrides(tmp_path).read_text())
    assert written["other"] == {"kept": True}
    assert written["@jupyterlab/translation-extension:plugin"] == {"locale": "ko_KR"}
    schema = json.loads(
        (
            Path(sys.prefix) / "share/jupyter/lab/schemas/@jupyterlab/apputils-extension/notification.json"
        ).read_text()
    )["properties"]
    news = written["@jupyterlab/apputils-extension:notification"]
    assert news["fetchNews"] in {choice["const"] for choice in schema["fetchNews"]["oneOf"]}
    assert news["fetchNews"] == "false" and news["checkForUpdates"] is False
    assert schema["checkForUpdates"]["type"] == "boolean"


def test_readme_badge_is_generated_from_the_one_repository_setting():
    assert binder_link.main(["--check-readme"]) == 0


def test_links_follow_the_repository_setting(tmp_path):
    (tmp_path / "pyproject.toml").write_text('[tool.sessionlab]\nrepository = "teacher/cookies"\n')
    s = binder_link.settings(tmp_path)
    assert "/v2/gh/teacher/cookies/main?" in binder_link.badge(**s)
    query = parse_qs(urlparse(binder_link.nbgitpuller_url("https://hub.school.kr/", **s)).query)
    assert query == {
        "repo": ["https://github.com/teacher/cookies"],
        "branch": ["main"],
        "urlpath": ["lab/tree/cookies/notebooks/00_start_here.ipynb"],
    }


def test_student_edition_drops_solutions_and_clears_exercises(tmp_path):
    written = student_edition.build(tmp_path / "edition")
    assert {p.name for p in written} == {p.name for p in (ROOT / "notebooks").glob("*.ipynb")}
    assert (tmp_path / "edition/Makefile").exists() and (tmp_path / "edition/support/sessionlab").is_dir()
    removed = 0
    for path in written:
        teacher = nbformat.read(ROOT / "notebooks" / path.name, as_version=4)
        student = nbformat.read(path, as_version=4)
        assert not any("solution" in c.source.lower() for c in student.cells if c.cell_type == "code"), (
            path.name
        )
        exercises = [c for c in student.cells if student_edition.is_exercise(c)]
        assert all(c.outputs == [] and "nbval-ignore-output" in c.metadata["tags"] for c in exercises)
        removed += len(teacher.cells) - len(student.cells)
        kept = [c.source for c in teacher.cells if not student_edition.is_solution(c)]
        assert [c.source for c in student.cells] == kept  # nothing else dropped or reordered
    assert removed >= 20  # the course has solutions to drop


def test_student_notebook_still_passes_nbval(nbval_command, tmp_path):
    student_edition.build(tmp_path / "edition")
    nb = tmp_path / "edition/notebooks/03_http_stateless.ipynb"  # four exercises, runs in seconds
    result = subprocess.run(nbval_command(nb, tmp_path), capture_output=True, text=True, timeout=300)
    assert result.returncode == 0, result.stdout[-2000:]


def test_html_edition_is_a_site_with_working_links(tmp_path):
    pages = html_edition.build(tmp_path, ["00_start_here", "05_multi_server_sessions"])
    assert {p.name for p in pages} == {
        "00_start_here.html",
        "05_multi_server_sessions.html",
        "glossary.html",
        "index.html",
    }
    assert (tmp_path / "images" / "devtools_cookies.png").is_file()  # pictures the pages show
    index = (tmp_path / "index.html").read_text(encoding="utf-8")
    assert all(f'href="{name}.html"' in index for name, _ in html_edition.NOTEBOOKS)  # table of contents
    for page in pages:
        text = page.read_text(encoding="utf-8")
        assert '.ipynb"' not in text and 'href="glossary.md"' not in text, page.name  # links go to pages
    multi = (tmp_path / "05_multi_server_sessions.html").read_text(encoding="utf-8")
    assert "로드 밸런서" in multi and 'class="mermaid"' in multi  # the diagram's source, drawn by mermaid.js
    assert "solution" not in multi.lower().split("<body")[1]  # solutions left out, as in the student edition
