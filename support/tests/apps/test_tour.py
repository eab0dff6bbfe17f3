"""sessionlab.apps.tour: the two-minute tour app counts visits per visitor in Redis."""

from sessionlab.apps.tour import create_tour_app
from sessionlab.infra.redis_servers import start_redis


def test_tour_app_counts_visits_per_visitor_cookie():
    with start_redis(name=None) as r:
        client = create_tour_app(r.client()).test_client()
        assert client.get("/hello").json["visits"] == 1
        assert client.get("/hello").json["visits"] == 2
        other = create_tour_app(r.client()).test_client()
        assert other.get("/hello").json["visits"] == 1
