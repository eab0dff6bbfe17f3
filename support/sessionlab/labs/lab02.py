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
* ``text_table()``, ``yes_no()``, ``cookie_line()``, ``mib()`` — outputs a learner reads as a
  table or a sentence instead of a raw dict or a bare True/False.
"""

from __future__ import annotations

import functools
import hashlib
import json
import os
import statistics
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from urllib.parse import urlsplit

from sessionlab.apps.login import LOGIN_COOKIE
from sessionlab.infra.relay import Relay
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
    "kdf_peaks_mib",
    "login_timing",
    "lookup_costs",
    "session_memory",
    "show",
    "set_cookie_attributes",
    "session_record",
    "text_table",
    "yes_no",
    "cookie_line",
    "mib",
]


# --- what the network sees -----------------------------------------------------------


class WireTap(Relay):
    """Listen on 127.0.0.1, relay to ``target_url``, keep a copy of both directions."""

    def __init__(self, target_url: str):
        parts = urlsplit(target_url)
        assert parts.hostname is not None and parts.port is not None, target_url
        self.to_server = bytearray()
        self.to_client = bytearray()
        super().__init__(parts.hostname, parts.port, name="wiretap")

    def upstream(self, data: bytes) -> None:
        with self._lock:
            self.to_server.extend(data)

    def downstream(self, data: bytes) -> None:
        with self._lock:
            self.to_client.extend(data)

    def seen(self) -> bytes:
        """Every byte clients sent to the server so far."""
        with self._lock:
            return bytes(self.to_server)

    def clear(self) -> None:
        with self._lock:
            self.to_server.clear()
            self.to_client.clear()

    def stop(self) -> None:
        self.close()


# --- readable views ---------------------------------------------------------------------


def _mask_ids(value: str, names=(LOGIN_COOKIE,)) -> str:
    import re

    pattern = r"(?<![\w-])(" + "|".join(map(re.escape, names)) + r")=[^;,\s]+"
    return re.sub(pattern, r"\1=ID", value)


def show(response, title: str = "", mask=(LOGIN_COOKIE,)):
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


def set_cookie_attributes(response, name: str = LOGIN_COOKIE) -> dict:
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


def _display_width(text: str) -> int:
    """Columns ``text`` takes in a monospaced output (Hangul and other wide characters take two)."""
    import unicodedata

    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def text_table(rows: list[dict], right: tuple = ()) -> str:
    """``rows`` (dicts with the same keys) as an aligned plain-text table; columns in ``right`` align right."""
    if not rows:
        return "(없음)"
    keys = list(rows[0])
    cells = [[str(k) for k in keys]] + [[str(row[k]) for k in keys] for row in rows]
    widths = [max(_display_width(line[i]) for line in cells) for i in range(len(keys))]

    def fmt(line: list[str]) -> str:
        parts = []
        for key, text, width in zip(keys, line, widths):
            pad = " " * (width - _display_width(text))
            parts.append(pad + text if key in right else text + pad)
        return "  ".join(parts).rstrip()

    rule = "  ".join("-" * w for w in widths)
    return "\n".join([fmt(cells[0]), rule] + [fmt(line) for line in cells[1:]])


def yes_no(flag) -> str:
    """'예' or '아니요' for a measured boolean."""
    return "예" if flag else "아니요"


def cookie_line(attrs: dict) -> str:
    """The attributes ``set_cookie_attributes`` found, as they read in a ``Set-Cookie`` line."""
    names = {"httponly": "HttpOnly", "secure": "Secure", "path": "Path", "samesite": "SameSite"}
    names |= {"domain": "Domain", "expires": "Expires", "max-age": "Max-Age", "partitioned": "Partitioned"}
    parts = [names.get(k, k) if v is True else f"{names.get(k, k)}={v}" for k, v in attrs.items()]
    return "; ".join(parts) if parts else "(속성 없음)"


def mib(nbytes: float) -> float:
    """Bytes in MiB (2**20 bytes), the one memory unit notebooks 02 and 04 print."""
    return nbytes / 2**20


# --- measurements --------------------------------------------------------------------------


def hash_rates(seconds: float = 0.15, production: bool = True) -> dict[str, float]:
    """Guesses per second one CPU core gets, per hashing scheme (``production``: add OWASP's settings).

    0.15 s per scheme gives the same figures as 0.25 s within 3 % (finding 51); the slow
    schemes take longer anyway, as each needs its fastest of two calls or more.
    """
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


def kdf_peaks_mib(hashes: dict[str, tuple[str, dict]]) -> dict[str, float]:
    """``kdf_peak_mib`` for each ``label: (kind, params)``, the child processes side by side.

    Each peak is its own process's, so running them at once changes no figure, only the wait.
    """
    with ThreadPoolExecutor(max_workers=len(hashes) or 1) as pool:
        running = {
            label: pool.submit(kdf_peak_mib, kind, **params) for label, (kind, params) in hashes.items()
        }
        return {label: future.result() for label, future in running.items()}


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


def lookup_costs(
    stores: dict, n: int = 300, repeats: int = 5, requests: dict | None = None
) -> dict[str, float]:
    """Median µs of one ``touch`` (the per-request lookup) per store, and of each call in ``requests``.

    ``requests`` maps a name to a zero-argument call (a whole HTTP request, say). Every
    round times each store and each call in turn, so a busy moment on the machine slows
    them alike and the ratios stay fair.
    """
    ids = {
        name: [store.create({"user": f"u{i}", "role": "user"}).id for i in range(n)]
        for name, store in stores.items()
    }
    calls = {
        name: [functools.partial(store.touch, sid) for sid in ids[name]] for name, store in stores.items()
    }
    calls |= {name: [call] * n for name, call in (requests or {}).items()}
    runs: dict[str, list[float]] = {name: [] for name in calls}
    for _ in range(repeats):
        for name, todo in calls.items():
            start = time.perf_counter()
            for call in todo:
                call()
            runs[name].append((time.perf_counter() - start) / n * 1e6)
    for name, store in stores.items():
        for sid in ids[name]:
            store.delete(sid)
    return {name: statistics.median(v) for name, v in runs.items()}


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
    with r.pipeline(transaction=False) as cleanup:  # one round trip, not two per session
        for sid in ids:
            cleanup.delete(store.key(sid))
        cleanup.execute()
    json_bytes = len(json.dumps(data, ensure_ascii=False, separators=(",", ":")).encode())
    return {
        "n": n,
        "keys_created": len(ids),
        "per_session": (after - before) / n,
        "memory_usage": usage,
        "json_bytes": json_bytes,
    }
