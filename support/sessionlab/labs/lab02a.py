"""Lab 02a (세션 하이재킹 방지): real-browser runs (script access, cross-site POST, SameSite) and the attack scoreboard.

The wire tap and readable views are ``lab02``'s; the apps are ``sessionlab.apps.login`` and ``apps.attacker``.
"""

from __future__ import annotations

from urllib.parse import quote


def browser_script_probe(app_url: str, username: str, password: str, tries: int = 4) -> dict | None:
    """Chromium logs in from page JavaScript and reports what ``document.cookie`` shows; None: no browser.

    ``app_url`` must serve the probe page: the ⚠️ VULNERABLE app does, any app does when served
    as ``attacker.with_script_probe(app)``.

    A run whose page dump came back empty or unfinished is inconclusive and repeated, never guessed.
    """
    from sessionlab.apps.attacker import parse_result
    from sessionlab.infra import browser

    if not browser.available():
        return None
    url = f"{app_url}/lab/script-probe?u={quote(username)}&p={quote(password)}"
    for _ in range(tries):
        shown = parse_result(browser.dump_dom(url))
        if isinstance(shown, dict) and "document_cookie" in shown:
            return shown
    raise RuntimeError(
        "브라우저 실험이 결론 없이 끝났습니다 (페이지 덤프가 비었습니다). 셀을 다시 실행하세요."
    )


def browser_cross_site_post(
    app, app_url: str, attacker_url: str, username: str, password: str, tries: int = 6
) -> dict | None:
    """Chromium logs in at ``app_url`` then opens the attacker's page (another site), which POSTs.

    ``app`` must be served as ``attacker.with_script_probe(app)`` (the lab harness that serves the
    probe page; this function allows the attacker's URL as the page's next stop).

    The server's own record of the POST decides (``app.lab.transfer_attempts``):
    {'transfer_happened', 'session_cookie_sent', 'status', 'sec_fetch_site', 'origin',
    'response' (what the browser showed, None when the dump raced the navigation)}.
    None without a browser. A run in which no POST reached the server is
    inconclusive and repeated, never guessed.
    """
    from sessionlab.apps.attacker import parse_result
    from sessionlab.infra import browser

    if not browser.available():
        return None
    cross = attacker_url.replace("127.0.0.1", "localhost").rstrip("/") + "/"
    harness = app.extensions.get("script_probe")
    if harness is None:
        raise ValueError(
            "앱을 with_script_probe(app)로 감싸서 띄우세요 (안전한 앱에는 실습용 경로가 없습니다)."
        )
    harness.allowed_next.add(cross)  # the probe page may move on to this attacker page, no other
    url = f"{app_url}/lab/script-probe?u={quote(username)}&p={quote(password)}&next={quote(cross)}"
    for _ in range(tries):
        seen = len(app.lab.transfer_attempts)
        transfers = len(app.lab.transfers)
        unsafe = len(app.lab.unsafe_requests)
        shown = parse_result(browser.dump_dom(url, budget_ms=3000))
        if len(app.lab.transfer_attempts) > seen:
            attempt = app.lab.transfer_attempts[seen]
            posted = [r for r in app.lab.unsafe_requests[unsafe:] if r["path"] == "/transfer"]
            return {
                "transfer_happened": len(app.lab.transfers) > transfers,
                "session_cookie_sent": attempt["session_cookie_sent"],
                "status": attempt["status"],
                "sec_fetch_site": attempt["sec_fetch_site"],
                "origin": posted[0]["origin"] if posted else None,
                "response": shown,
            }
    raise RuntimeError(
        "브라우저 실험이 결론 없이 끝났습니다 (POST가 서버에 닿지 않았습니다). 셀을 다시 실행하세요."
    )


def client_from(address: str):
    """A ``requests.Session`` whose connections leave from ``address`` (e.g. ``"127.0.0.2"``).

    Every 127.x.y.z is this machine, so a lab can show "another client address" (another user,
    an attacker, a botnet) to a server on 127.0.0.1 without leaving the machine: the server's
    ``request.remote_addr`` is ``address``. Only loopback addresses are accepted.
    """
    import ipaddress

    import requests
    from requests.adapters import HTTPAdapter

    if not ipaddress.ip_address(address).is_loopback:
        raise ValueError(f"실습은 이 컴퓨터 안에서만 합니다: {address}는 루프백(127.x.y.z) 주소가 아닙니다.")

    class _FromAddress(HTTPAdapter):
        def init_poolmanager(self, *args, **kwargs):
            kwargs["source_address"] = (address, 0)
            super().init_poolmanager(*args, **kwargs)

    session = requests.Session()
    session.mount("http://", _FromAddress())
    return session


SAMESITE_RUNS = {  # label the site records → (which server, path)
    "same-site": ("site", "/same"),
    "cross-site-post": ("other", "/post"),
    "cross-site-link": ("other", "/link"),
    "cross-site-img": ("other", "/img"),
}


def browser_samesite_matrix(site_app, site_url: str, other_url: str, tries: int = 3) -> dict | None:
    """One Chromium profile gets the four SameSite cookies of ``site_url``, then reaches the site
    from itself and from ``other_url`` (another site): label → what the site's server recorded
    (``create_samesite_site``'s ``app.seen``). None without a browser; a load that left no record
    is repeated, never guessed.
    """
    from sessionlab.infra import browser

    if not browser.available():
        return None
    bases = {"site": site_url.rstrip("/"), "other": other_url.rstrip("/")}
    out: dict[str, dict] = {}
    with browser.Profile() as profile:
        profile.dump_dom(bases["site"] + "/set")
        for label, (where, path) in SAMESITE_RUNS.items():
            for _ in range(tries):
                before = len(site_app.seen)
                profile.dump_dom(bases[where] + path, budget_ms=3000)
                got = [r for r in site_app.seen[before:] if r["label"] == label]
                if got:
                    out[label] = got[0]
                    break
            else:
                raise RuntimeError(
                    f"브라우저 실험이 결론 없이 끝났습니다 ({label} 요청이 서버에 닿지 않았습니다). 셀을 다시 실행하세요."
                )
    return out


def yn(value: bool) -> str:
    """'예' / '아니요' for a measured yes-or-no, so an output reads as a sentence, not ``True``."""
    return "예" if value else "아니요"


def names(items) -> str:
    """A measured list shown as words: ``"lax, none"``, or ``"(없음)"`` when empty."""
    items = list(items)
    return ", ".join(str(i) for i in items) if items else "(없음)"


def _display_width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


class Scoreboard:
    """attack × variant → True (the attack succeeded) / False (blocked), from the runs themselves."""

    def __init__(self, variants=("VULNERABLE", "secure")) -> None:
        self.variants = tuple(variants)
        self.results: dict[str, dict[str, bool]] = {}

    def record(self, attack: str, variant: str, succeeded: bool) -> bool:
        self.results.setdefault(attack, {})[variant] = bool(succeeded)
        return bool(succeeded)

    def table(self) -> str:
        """Plain-text table, padded by display width (Hangul takes two columns)."""

        def pad(text: str, width: int) -> str:
            return text + " " * max(0, width - _display_width(text))

        first = max([_display_width(a) for a in self.results] + [8]) + 2
        lines = [pad("공격", first) + "".join(pad(v, 14) for v in self.variants).rstrip()]
        for attack, row in self.results.items():
            cells = ["—" if v not in row else ("성공 (뚫림)" if row[v] else "차단") for v in self.variants]
            lines.append((pad(attack, first) + "".join(pad(c, 14) for c in cells)).rstrip())
        return "\n".join(lines)

    def _repr_html_(self) -> str:
        import html as _html

        head = "".join(f"<th>{_html.escape(v)}</th>" for v in self.variants)
        rows = []
        for attack, row in self.results.items():
            cells = "".join(
                "<td>—</td>"
                if v not in row
                else (
                    '<td style="color:#b91c1c"><b>성공 (뚫림)</b></td>'
                    if row[v]
                    else '<td style="color:#047857">차단</td>'
                )
                for v in self.variants
            )
            rows.append(f"<tr><td>{_html.escape(attack)}</td>{cells}</tr>")
        return f"<table><tr><th>공격</th>{head}</tr>{''.join(rows)}</table>"

    def all(self, variant: str, succeeded: bool) -> bool:
        return bool(self.results) and all(row.get(variant) is succeeded for row in self.results.values())

    def __repr__(self) -> str:
        return self.table()
