"""Tools of notebooks 02, 02a and 02b: a wire tap, measurements, real-browser runs, the scoreboard, a widget.

* ``WireTap(url)`` — a TCP relay in front of a lab server that keeps every byte
  it relays: what anyone on the network path sees when HTTP is not encrypted.
* ``hash_rates()``, ``kdf_peak_mib()``, ``login_timing()``, ``lookup_costs()``, ``session_memory()``
  — measurements (medians of several runs, peak memory of a child process) for the cost
  and security claims.
* ``browser_script_probe()``, ``browser_cross_site_post()``, ``browser_samesite_matrix()``
  — what a real headless Chromium does with the cookies (HttpOnly, SameSite); None when
  no browser.
* ``Scoreboard`` — attack × variant → succeeded / blocked, filled by the runs.
* ``entropy_widget()`` — session-id entropy and the expected time to guess one.
"""

from __future__ import annotations

import hashlib
import json
import os
import socket
import statistics
import subprocess
import sys
import threading
import time
from urllib.parse import quote, urlsplit

from sessionlab.web.passwords import (
    LAB_N,
    OWASP_ARGON2ID,
    OWASP_PBKDF2_SHA256_ITERATIONS,
    OWASP_SCRYPT,
    hash_password,
    hash_rate,
    verify_password,
)

__all__ = [
    "WireTap",
    "hash_rates",
    "kdf_peak_mib",
    "login_timing",
    "lookup_costs",
    "session_memory",
    "browser_script_probe",
    "browser_cross_site_post",
    "browser_samesite_matrix",
    "Scoreboard",
    "entropy_widget",
    "show",
    "set_cookie_attributes",
    "session_record",
]


# --- what the network sees -----------------------------------------------------------


class WireTap:
    """Listen on 127.0.0.1, relay to ``target_url``, keep a copy of both directions."""

    def __init__(self, target_url: str):
        parts = urlsplit(target_url)
        self.target = (parts.hostname, parts.port)
        self._listener = socket.create_server(("127.0.0.1", 0))
        self.port = self._listener.getsockname()[1]
        self.url = f"http://127.0.0.1:{self.port}"
        self.to_server = bytearray()
        self.to_client = bytearray()
        self._socks: list[socket.socket] = [self._listener]
        self._lock = threading.Lock()
        self._stopped = False
        threading.Thread(target=self._accept, name="sessionlab-wiretap", daemon=True).start()

    def _accept(self) -> None:
        while not self._stopped:
            try:
                client, _ = self._listener.accept()
                upstream = socket.create_connection(self.target, timeout=5)
            except OSError:
                return
            with self._lock:
                self._socks += [client, upstream]
            for src, dst, buf in ((client, upstream, self.to_server), (upstream, client, self.to_client)):
                threading.Thread(target=self._pump, args=(src, dst, buf), daemon=True).start()

    def _pump(self, src, dst, buf) -> None:
        try:
            while True:
                data = src.recv(65536)
                if not data:
                    break
                with self._lock:
                    buf.extend(data)
                dst.sendall(data)
        except OSError:
            pass
        finally:
            for s in (src, dst):
                try:
                    s.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass

    def seen(self) -> bytes:
        """Every byte clients sent to the server so far."""
        with self._lock:
            return bytes(self.to_server)

    def clear(self) -> None:
        with self._lock:
            self.to_server.clear()
            self.to_client.clear()

    def stop(self) -> None:
        self._stopped = True
        with self._lock:
            socks, self._socks = self._socks, []
        for s in socks:
            try:
                s.close()
            except OSError:
                pass

    def __enter__(self) -> WireTap:
        return self

    def __exit__(self, *exc) -> None:
        self.stop()


# --- readable views ---------------------------------------------------------------------


def _mask_ids(value: str, names=("sid",)) -> str:
    import re

    pattern = r"(?<![\w-])(" + "|".join(map(re.escape, names)) + r")=[^;,\s]+"
    return re.sub(pattern, r"\1=ID", value)


def show(response, title: str = "", mask=("sid",)):
    """``sessionlab.trace`` without the headers that change on every run, cookie values ``mask`` shown as ``ID``."""
    from sessionlab.infra.trace import trace

    exchange = trace(
        response,
        title=title,
        hide=("date", "server", "server-timing", "x-lab-variant", "cache-control", "connection"),
    )
    exchange.request_headers = [(k, _mask_ids(v, mask)) for k, v in exchange.request_headers]
    exchange.response_headers = [(k, _mask_ids(v, mask)) for k, v in exchange.response_headers]
    return exchange


def set_cookie_attributes(response, name: str = "sid") -> dict:
    """Attributes of the ``Set-Cookie`` line for ``name``: {'httponly': True, 'samesite': 'Lax', ...}."""
    raw = getattr(response.raw, "headers", None)
    lines = (
        raw.get_all("Set-Cookie")
        if raw is not None and hasattr(raw, "get_all")
        else [response.headers.get("Set-Cookie", "")]
    )
    for line in lines or []:
        if line and line.split("=", 1)[0].strip() == name:
            attrs = {}
            for part in line.split(";")[1:]:
                key, _, value = part.strip().partition("=")
                attrs[key.lower()] = value or True
            return attrs
    return {}


def session_record(store, sid: str) -> dict:
    """What the server keeps for ``sid``, with the secrets in it masked for display."""
    s = store.get(sid)
    if s is None:
        return {}
    data = {k: ("…" if k in ("csrf", "ua") else v) for k, v in s.data.items()}
    return {"data": data, "idle_timeout": s.idle_timeout, "absolute_timeout": s.absolute_timeout}


# --- measurements --------------------------------------------------------------------------


def hash_rates(seconds: float = 0.25, production: bool = True) -> dict[str, float]:
    """Guesses per second one CPU core gets, per hashing scheme (``production``: add OWASP's settings)."""
    salt = os.urandom(16)
    stored = hash_password("guess", n=LAB_N)
    rates = {
        "SHA-256": hash_rate(lambda: hashlib.sha256(salt + b"guess").digest(), seconds),
        "PBKDF2-SHA256 600k": hash_rate(
            lambda: hashlib.pbkdf2_hmac("sha256", b"guess", salt, OWASP_PBKDF2_SHA256_ITERATIONS),
            seconds,
            min_calls=2,
        ),
        f"scrypt n=2^{LAB_N.bit_length() - 1} (실습용)": hash_rate(
            lambda: verify_password("guess", stored), seconds, min_calls=3
        ),
    }
    if production:
        from argon2.low_level import Type, hash_secret_raw

        n, r, p = OWASP_SCRYPT["n"], OWASP_SCRYPT["r"], OWASP_SCRYPT["p"]
        rates[f"scrypt n=2^{n.bit_length() - 1} (OWASP)"] = hash_rate(
            lambda: hashlib.scrypt(b"guess", salt=salt, n=n, r=r, p=p, maxmem=2**28, dklen=32),
            seconds,
            min_calls=2,
        )
        a = OWASP_ARGON2ID
        rates["Argon2id m=19MiB t=2 (OWASP)"] = hash_rate(
            lambda: hash_secret_raw(
                b"guess", salt, a["time_cost"], a["memory_kib"], a["parallelism"], 32, Type.ID
            ),
            seconds,
            min_calls=2,
        )
    return rates


_PEAK_PROBE = """
import hashlib, json, resource, sys
kind, params = sys.argv[1], json.loads(sys.argv[2])
if kind == "argon2id":
    from argon2.low_level import Type, hash_secret_raw
def status(field):  # KiB, from Linux's /proc (VmHWM: this program's peak, VmRSS: now)
    with open("/proc/self/status") as f:
        return next(int(line.split()[1]) for line in f if line.startswith(field + ":"))
try:
    status("VmHWM")
    peak, now = (lambda: status("VmHWM")), (lambda: status("VmRSS"))
except (OSError, StopIteration):  # no /proc: ru_maxrss (may include the parent's size at fork)
    peak = now = lambda: resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
salt = b"s" * 16
before, peak_before = now(), peak()
if kind == "sha256":
    hashlib.sha256(salt + b"guess").digest()
elif kind == "pbkdf2":
    hashlib.pbkdf2_hmac("sha256", b"guess", salt, params["iterations"])
elif kind == "scrypt":
    hashlib.scrypt(b"guess", salt=salt, n=params["n"], r=params["r"], p=params["p"], maxmem=2**30, dklen=32)
elif kind == "argon2id":
    hash_secret_raw(b"guess", salt, params["time_cost"], params["memory_kib"], params["parallelism"], 32, Type.ID)
print(peak() - before if peak() > peak_before else 0)  # the start-up peak is not the hash's
"""


def kdf_peak_mib(kind: str, **params) -> float:
    """MiB by which one hash raises a fresh Python process's memory: its peak (Linux ``VmHWM``) minus resident before.

    ``kind``: ``sha256``, ``pbkdf2`` (``iterations``), ``scrypt`` (``n``, ``r``, ``p``) or
    ``argon2id`` (``memory_kib``, ``time_cost``, ``parallelism``). A child process, so the
    notebook's own peak does not hide the hash's.
    """
    if kind not in ("sha256", "pbkdf2", "scrypt", "argon2id"):
        raise ValueError(f"알 수 없는 해시 방식: {kind}")
    out = subprocess.run(
        [sys.executable, "-c", _PEAK_PROBE, kind, json.dumps(params)],
        capture_output=True,
        text=True,
        timeout=120,
        check=True,
    )
    return int(out.stdout.split()[-1]) / 1024


def login_timing(url: str, known_user: str, rounds: int = 7) -> dict[str, list[float]]:
    """Seconds per failed login: a known user with a wrong password vs unknown users (interleaved)."""
    import requests

    out: dict[str, list[float]] = {"wrong_password": [], "unknown_user": []}
    with requests.Session() as http:
        for i in range(rounds):
            for kind, creds in (
                ("wrong_password", {"username": known_user, "password": f"bad-{i}"}),
                ("unknown_user", {"username": f"ghost-{i}", "password": f"bad-{i}"}),
            ):
                start = time.perf_counter()
                status = http.post(url + "/login", json=creds).status_code
                out[kind].append(time.perf_counter() - start)
                assert status == 401, status
    return out


def lookup_costs(stores: dict, n: int = 300, repeats: int = 5) -> dict[str, float]:
    """Median µs of one ``touch`` (the per-request lookup) per store."""
    out = {}
    for name, store in stores.items():
        ids = [store.create({"user": f"u{i}", "role": "user"}).id for i in range(n)]
        runs = []
        for _ in range(repeats):
            start = time.perf_counter()
            for sid in ids:
                store.touch(sid)
            runs.append((time.perf_counter() - start) / n * 1e6)
        out[name] = statistics.median(runs)
        for sid in ids:
            store.delete(sid)
    return out


def session_memory(store, n: int = 1000, data: dict | None = None) -> dict:
    """What ``n`` sessions cost a Redis server, measured: ``used_memory`` growth per session,
    ``MEMORY USAGE`` of one key (median of a sample) and the JSON the app thinks it stores.

    ``store`` is a ``RedisStore``; the sessions are deleted again afterwards.
    """
    r = store.redis
    data = data if data is not None else {"user": "alice", "csrf": "x" * 43, "auth_time": time.time()}
    before = int(r.info("memory")["used_memory"])
    ids = [store.create(data).id for _ in range(n)]
    after = int(r.info("memory")["used_memory"])
    usage = statistics.median(store.memory_usage(sid) for sid in ids[:: max(1, n // 50)])
    for sid in ids:
        store.delete(sid)
    json_bytes = len(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())
    return {
        "n": n,
        "keys_created": len(ids),
        "per_session": (after - before) / n,
        "memory_usage": usage,
        "json_bytes": json_bytes,
    }


# --- a real browser ---------------------------------------------------------------------


def browser_script_probe(app_url: str, username: str, password: str, tries: int = 4) -> dict | None:
    """Chromium logs in from page JavaScript and reports what ``document.cookie`` shows; None: no browser.

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


def _display_width(text: str) -> int:
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


# --- scoreboard ------------------------------------------------------------------------------


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
                    '<td style="color:#b91c1c">❌ 성공 (뚫림)</td>'
                    if row[v]
                    else '<td style="color:#047857">✅ 차단</td>'
                )
                for v in self.variants
            )
            rows.append(f"<tr><td>{_html.escape(attack)}</td>{cells}</tr>")
        return f"<table><tr><th>공격</th>{head}</tr>{''.join(rows)}</table>"

    def all(self, variant: str, succeeded: bool) -> bool:
        return bool(self.results) and all(row.get(variant) is succeeded for row in self.results.values())

    def __repr__(self) -> str:
        return self.table()


# --- widget -----------------------------------------------------------------------------------


def _human(seconds: float) -> str:
    for unit, size in (("년", 365 * 24 * 3600), ("일", 24 * 3600), ("시간", 3600), ("분", 60)):
        if seconds >= size:
            value = seconds / size
            return f"{value:.3g} {unit}" if value < 1e6 else f"{value:.2e} {unit}"
    return f"{seconds:.3g} 초"


def guess_time_text(bits: float, live_sessions: int, guesses_per_second: float) -> str:
    from sessionlab.web.ids import expected_guess_seconds

    seconds = expected_guess_seconds(bits, live_sessions, guesses_per_second)
    verdict = "✅ OWASP 기준(64비트 이상) 충족" if bits >= 64 else "❌ OWASP 기준(64비트) 미달"
    return f"엔트로피 {bits:.0f}비트 → 살아 있는 세션 하나를 맞히는 데 평균 {_human(seconds)} ({verdict})"


def entropy_widget():
    """Sliders: random bytes in the id, live sessions, attacker guesses per second → expected time."""
    import ipywidgets as w

    nbytes = w.IntSlider(value=8, min=1, max=32, description="난수 바이트")
    sessions = w.IntText(value=100_000, description="활성 세션 수")
    rate = w.IntText(value=10_000, description="초당 추측")
    out = w.HTML()

    def update(*_):
        out.value = guess_time_text(8 * nbytes.value, max(1, sessions.value), max(1, rate.value))

    for control in (nbytes, sessions, rate):
        control.observe(update, names="value")
    update()
    return w.VBox([nbytes, sessions, rate, out])
