"""Course map and the tour app of notebook 00."""

from sessionlab.labs.lab00 import NOTEBOOKS, course_map, environment


def test_course_map_marks_missing_notebooks_as_in_preparation(tmp_path):
    (tmp_path / "01_cookie_vs_session.ipynb").write_text("{}")
    table = course_map(tmp_path).data
    assert "[01_cookie_vs_session](01_cookie_vs_session.ipynb)" in table and "✅ 준비됨" in table
    assert table.count("🚧 준비 중") == len(NOTEBOOKS) - 1


def test_environment_reports_without_machine_paths():
    env = environment()
    assert "/" not in env["Redis"] and set(env) == {"Python", "Redis", "Chromium (브라우저 실험)"}
