"""Course map and the tour app of notebook 00."""
from sessionlab.apps.tour import create_tour_app
from sessionlab.infra.redis_servers import start_redis
from sessionlab.labs.lab00 import NOTEBOOKS, course_map, environment


def test_course_map_marks_missing_notebooks_as_in_preparation(tmp_path):
    (tmp_path / "01_cookie_vs_session.ipynb").write_text("{}")
    table = course_map(tmp_path).data
    assert "[01_cookie_vs_session](01_cookie_vs_session.ipynb)" in table and "✅ 준비됨" in table
    assert table.count("🚧 준비 중") == len(NOTEBOOKS) - 1


def test_environment_reports_without_machine_paths():
    env = environment()
    assert "/" not in env["Redis"] and set(env) == {"Python", "Redis", "Chromium (브라우저 실험)"}


def test_tour_app_counts_visits_per_visitor_cookie():
    with start_redis(name=None) as r:
        client = create_tour_app(r.client()).test_client()
        assert client.get("/hello").json["visits"] == 1
        assert client.get("/hello").json["visits"] == 2
        other = create_tour_app(r.client()).test_client()
        assert other.get("/hello").json["visits"] == 1
