"""The token labs' attacker server: a collector that keeps what arrives, and a cross-site page."""

from sessionlab.apps.token_attacker import create_token_attacker_app


def test_collect_keeps_json_and_text():
    app = create_token_attacker_app()
    client = app.test_client()
    assert (
        client.post("/collect", data='{"token": "a.b.c"}', headers={"Origin": "http://x"}).status_code == 204
    )
    client.post("/collect", data="not json")
    assert list(app.collected) == [
        {"body": {"token": "a.b.c"}, "origin": "http://x"},
        {"body": "not json", "origin": None},
    ]


def test_csrf_page_posts_to_the_target_only():
    client = create_token_attacker_app().test_client()
    form = client.get("/csrf?target=http://shop.test:8000&how=form").get_data(as_text=True)
    assert 'action="http://shop.test:8000/transfer"' in form and 'HOW = "form"' in form
    fetch = client.get("/csrf?target=http://shop.test:8000&how=fetch").get_data(as_text=True)
    assert "X-Requested-With" in fetch and "credentials: 'include'" in fetch and 'HOW = "fetch"' in fetch
    assert client.get("/csrf?target=javascript:alert(1)").status_code == 400
    assert client.get('/csrf?target=http://x"><script>').status_code == 400
