"""Lab 03 (HTTP is stateless): a tiny browser-like HTTP cache and the balancer-policy experiment.

Raw-socket HTTP is ``sessionlab.infra.wire``; the app is ``sessionlab.apps.http_basics``.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass, field
from urllib.parse import urlsplit

from sessionlab.infra.wire import parse_raw_response, raw_http
from sessionlab.web.balancer import POLICIES

__all__ = ["MiniCache", "visit_answers", "policy_table", "policy_widget"]


# --- a browser-like cache in 30 lines ----------------------------------------------
@dataclass
class MiniCache:
    """Cache-Control max-age and ETag revalidation, the way a browser uses them.

    ``get(url)`` answers from the cache while the copy is fresh (no request at all),
    revalidates with ``If-None-Match`` once it is stale (a 304 carries no body), and
    counts the bytes each answer needed on the wire. ``clock`` can be a fake one.
    """

    clock: Callable[[], float] = time.monotonic
    entries: dict[str, dict] = field(default_factory=dict)
    log: list = field(default_factory=list)  # (how, wire bytes)

    def get(self, url: str) -> bytes:
        entry = self.entries.get(url)
        if entry and self.clock() < entry["fresh_until"]:
            self.log.append(("캐시 (요청 없음)", 0))
            return entry["body"]
        parts = urlsplit(url)
        headers = f"If-None-Match: {entry['etag']}\r\n" if entry else ""
        request = f"GET {parts.path} HTTP/1.1\r\nHost: {parts.netloc}\r\n{headers}Connection: close\r\n\r\n"
        resp = parse_raw_response(raw_http(url, request.encode()))
        if resp.status == 304:
            self.log.append(("304 재검증", resp.wire_bytes))
        else:
            self.log.append((f"{resp.status} 전체 응답", resp.wire_bytes))
            entry = {"body": resp.body, "etag": resp.header("ETag")}
        assert entry is not None  # a 304 only answers our If-None-Match, sent when there was an entry
        max_age = int((resp.header("Cache-Control") or "max-age=0").split("max-age=")[-1].split(",")[0])
        entry["fresh_until"] = self.clock() + max_age
        self.entries[url] = entry
        return entry["body"]


# --- the balancer experiment -----------------------------------------------------
def visit_answers(lb, policy: str, path: str = "/memory-visits?user=kim", n: int = 6, session=None):
    """Send ``n`` POSTs through ``lb`` under ``policy``; return [(server, visits), ...]."""
    import requests

    lb.policy = policy
    own = session is None
    http = session or requests.Session()
    try:
        answers = []
        for _ in range(n):
            r = http.post(lb.url + path, timeout=5)
            answers.append(
                (r.json()["server"], r.json()["visits"])
                if r.ok
                else (r.headers.get("X-Served-By"), r.status_code)
            )
        return answers
    finally:
        if own:
            http.close()


def policy_table(answers) -> str:
    rows = [f"{i + 1:>4}   {server:<6} {visits}" for i, (server, visits) in enumerate(answers)]
    return "요청  서버   방문 횟수(서버가 답한 값)\n" + "\n".join(rows)


def policy_widget(lb, path: str = "/memory-visits?user=kim", n: int = 6):
    """A dropdown of policies and a button that sends ``n`` requests through ``lb``."""
    import ipywidgets as w

    choice = w.Dropdown(options=list(POLICIES), value=lb.policy, description="정책")
    button = w.Button(description=f"요청 {n}개 보내기", button_style="primary")
    out = w.Output()

    def send(_=None):
        with out:
            out.clear_output()
            answers = visit_answers(lb, choice.value, path, n)
            print(policy_table(answers))
            right = [v for _, v in answers] == [answers[0][1] + i for i in range(n)]
            print(
                "✅ 1, 2, 3, … 차례대로 셉니다"
                if right
                else "❌ 방문 횟수가 틀렸습니다: 서버마다 따로 셉니다"
            )

    button.on_click(send)
    return w.VBox([w.HBox([choice, button]), out])
