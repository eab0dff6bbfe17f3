"""Lab 04a (JWT vs session): token anatomy, costs measured in the same run, the comparison
table, and a widget to paste, decode, edit and re-verify a token.

Timing rule of the course: several interleaved rounds, the median, and only ratios
between things measured in the same run (other programs share this CPU).
"""

from __future__ import annotations

import html
import json
import statistics
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from sessionlab.labs.lab04a_view import yes_no
from sessionlab.web.tokens import (
    ALLOWED_ALGORITHMS,
    TokenError,
    TokenService,
    b64url_decode,
    b64url_encode,
    split_token,
)

__all__ = [
    "anatomy",
    "token_sizes",
    "time_ops",
    "quietest",
    "cost_ops",
    "plot_sizes",
    "plot_costs",
    "ComparisonTable",
    "comparison_table",
    "TokenPlayground",
    "mask",
    "copied_token_after_logout",
    "bad_tokens",
    "probe",
    "xss_report",
]


def mask(token: str, keep: int = 6) -> str:
    """A token shown without its random parts: first characters of each segment and lengths."""
    return ".".join(f"{seg[:keep]}…({len(seg)}자)" for seg in token.split("."))


def anatomy(token: str) -> list[dict]:
    """Each segment: its length, the base64url text, and what it decodes to (no key needed)."""
    names = ("header", "payload", "signature")
    out = []
    for name, seg in zip(names, token.split(".")):
        raw = b64url_decode(seg)
        decoded = json.loads(raw) if name != "signature" else f"<{len(raw)}바이트 이진값>"
        out.append({"part": name, "chars": len(seg), "bytes": len(raw), "decoded": decoded})
    return out


def token_sizes(service: TokenService, algs=ALLOWED_ALGORITHMS, **claims) -> dict[str, int]:
    """Length in characters (= bytes on the wire) of an access token per algorithm."""
    claims = claims or {"role": "user"}
    return {alg: len(service.issue("alice", alg=alg, **claims)) for alg in algs}


def time_ops(ops: dict, rounds: int = 9, seconds: float = 0.02) -> dict[str, float]:
    """Median µs per call of each op; rounds interleave the ops so load hits them alike.

    In every round each op runs about ``seconds`` (at least 3 calls): a 2 ms HTTP request
    a few times, a 0.1 µs dict lookup some 100,000 times. Every sample is long enough
    for the clock, and no op's sample takes far longer than the others'.
    """
    number = {name: _calls_for(fn, seconds) for name, fn in ops.items()}  # also the warm-up
    samples: dict[str, list[float]] = {name: [] for name in ops}
    for _ in range(rounds):
        for name, fn in ops.items():
            start = time.perf_counter()
            for _ in range(number[name]):
                fn()
            samples[name].append((time.perf_counter() - start) / number[name] * 1e6)
    return {name: statistics.median(v) for name, v in samples.items()}


def quietest(measure: Callable[[], dict[str, float]], by: str, runs: int = 3) -> dict[str, float]:
    """Of ``runs`` measurements, the one in which ``by`` (an op that only uses CPU) was fastest.

    Other programs on the machine slow a CPU-bound op such as a JWT verification, while a lookup
    that mostly waits for a network round trip hardly changes; a busy moment would shrink their
    ratio. The run is chosen by that load sign alone, never by the ratio asked about.
    """
    return min((measure() for _ in range(runs)), key=lambda found: found[by])


def _calls_for(fn, seconds: float) -> int:
    """How many calls of ``fn`` take about ``seconds``, from calling it for a quarter of that."""
    calls, start = 0, time.perf_counter()
    while calls < 3 or time.perf_counter() - start < seconds / 4:
        fn()
        calls += 1
    return max(3, round(seconds * calls / (time.perf_counter() - start)))


def cost_ops(service: TokenService, redis_store, http_url: str | None = None) -> dict:
    """The server-side check per request, each way: verify a JWT, look a session up in Redis, in a dict."""
    verifier = TokenService(service.keys).verifier  # no denylist: the pure signature + claims check
    tokens = {alg: service.issue("alice", alg=alg, role="user") for alg in ALLOWED_ALGORITHMS}
    sid = redis_store.create({"user": "alice", "role": "user"}).id
    local = {sid: {"user": "alice", "role": "user"}}
    ops: dict[str, Callable[..., object]] = {
        f"JWT {alg} 검증": (lambda t=t: verifier.verify(t)) for alg, t in tokens.items()
    }
    ops["Redis 세션 조회"] = lambda: redis_store.get(sid)
    ops["dict 조회 (프로세스 메모리)"] = lambda: local[sid]
    if http_url:
        import requests

        s = requests.Session()
        auth = {"Authorization": f"Bearer {tokens['HS256']}"}
        ops["HTTP 요청 1회 (참고)"] = lambda: s.get(f"{http_url}/me", headers=auth)
    return ops


def _barh(values: Mapping[str, float], label, color: str, xlabel: str, title: str, log: bool = False):
    """One labelled horizontal bar per entry, largest-first order kept as given."""
    from sessionlab.infra.plots import setup

    plt = setup()
    fig, ax = plt.subplots()
    names = list(values)
    bars = ax.barh(names, [values[n] for n in names], color=color)
    if log:
        from matplotlib.ticker import FuncFormatter

        ax.set_xscale("log")
        ax.xaxis.set_major_formatter(FuncFormatter(lambda v, _: f"{v:g}"))  # no mathtext minus sign
    for bar, n in zip(bars, names):
        ax.annotate(
            label(values[n]),
            (bar.get_width(), bar.get_y() + bar.get_height() / 2),
            va="center",
            ha="left",
            fontsize=9,
        )
    ax.set_xlabel(xlabel)
    ax.set_title(title)
    ax.invert_yaxis()
    fig.tight_layout()
    return fig


def plot_sizes(sizes: dict[str, int], title: str = "요청마다 실리는 인증 정보의 크기"):
    return _barh(sizes, lambda v: f"{v} B", "#10b981", "바이트 (요청 하나마다)", title)


def plot_costs(medians: dict[str, float], title: str = "요청 하나를 인증하는 서버 쪽 비용 (중앙값)"):
    return _barh(
        medians,
        lambda v: f"{v:,.2f} us" if v < 1 else f"{v:,.0f} us",
        "#6366f1",
        "마이크로초 us (로그 눈금)",
        title,
        log=True,
    )


@dataclass
class ComparisonTable:
    columns: list
    rows: list  # (label, [values...])

    def text(self) -> str:
        out = [" | ".join(["항목", *self.columns])]
        out += [" | ".join([label, *map(str, values)]) for label, values in self.rows]
        return "\n".join(out)

    __repr__ = text

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{html.escape(c)}</th>" for c in ["항목", *self.columns])
        body = "".join(
            "<tr>"
            + f"<td>{html.escape(label)}</td>"
            + "".join(f"<td>{html.escape(str(v))}</td>" for v in values)
            + "</tr>"
            for label, values in self.rows
        )
        return f"<table><tr>{head}</tr>{body}</table>"


def comparison_table(m: dict) -> ComparisonTable:
    """The JWT-vs-session table from measured values ``m`` (see the notebook's 3.x cells)."""

    def ratio(name):
        us, d = m["costs"][name], m["costs"]["dict 조회 (프로세스 메모리)"]
        return f"{us:,.0f} µs (dict 조회의 {us / d:,.0f}배)"

    cols = ["JWT (HS256)", "JWT (EdDSA)", "세션 ID + Redis"]
    rows = [
        ("요청마다 보내는 인증 값 (B)", [m["sizes"]["HS256"], m["sizes"]["EdDSA"], m["sid_len"]]),
        (
            "서버 쪽 확인 비용 (중앙값)",
            [ratio("JWT HS256 검증"), ratio("JWT EdDSA 검증"), ratio("Redis 세션 조회")],
        ),
        *(
            [
                (
                    "저장소까지 0.5 ms 왕복이 끼면",
                    [
                        "그대로 (저장소 없음)",
                        "그대로 (저장소 없음)",
                        f"{m['net']['Redis 조회 (+0.5 ms 왕복)']:,.0f} µs",
                    ],
                )
            ]
            if "net" in m
            else []
        ),
        ("확인에 필요한 서버 상태", ["키만", "공개 키만", "세션 저장소 (사용자마다)"]),
        ("클라이언트가 내용을 읽을 수 있나", [yes_no(m["readable"]), yes_no(m["readable"]), "아니요 (ID뿐)"]),
        (
            "로그아웃하면 바로 무효 (저장소 없이)",
            [yes_no(m["jwt_logout_without_state"]), yes_no(m["jwt_logout_without_state"]), "해당 없음"],
        ),
        (
            "로그아웃하면 바로 무효 (Redis 사용)",
            [
                yes_no(m["jwt_logout_with_denylist"]),
                yes_no(m["jwt_logout_with_denylist"]),
                yes_no(m["session_logout"]),
            ],
        ),
    ]
    return ComparisonTable(cols, rows)


class TokenPlayground:
    """Paste a token, see its header and payload, edit the payload, verify again.

    Without a display (tests, scripts) it works the same through ``load``, ``edit``,
    ``verify``; in JupyterLab ``show()`` returns the ipywidgets view.
    """

    def __init__(self, verifier, token: str = ""):
        self.verifier = verifier
        self.token = token
        self.message = ""

    def decoded(self) -> tuple[dict, dict]:
        header, payload, _ = split_token(self.token)
        return header, payload

    def load(self, token: str) -> TokenPlayground:
        self.token = token.strip()
        return self

    def edit(self, payload: dict | None = None, **changes) -> str:
        """Replace payload claims and keep the old signature (what an attacker can do without the key)."""
        head, body, sig = self.token.split(".")
        current = json.loads(b64url_decode(body))
        new = {**(payload if payload is not None else current), **changes}
        self.token = f"{head}.{b64url_encode(json.dumps(new, separators=(',', ':'), ensure_ascii=False).encode())}.{sig}"
        return self.token

    def verify(self) -> str:
        try:
            claims = self.verifier.verify(self.token)
        except TokenError as exc:
            self.message = f"❌ 401 거부: {exc.code} — {exc.reason}"
        else:
            self.message = f"✅ 유효: sub={claims.get('sub')}, role={claims.get('role')}"
        return self.message

    def show(self):
        import ipywidgets as w

        box = w.Textarea(value=self.token, description="토큰", layout=w.Layout(width="100%", height="70px"))
        head = w.HTML()
        payload = w.Textarea(description="payload", layout=w.Layout(width="100%", height="110px"))
        result = w.HTML()
        decode_btn, resign_btn, verify_btn = (
            w.Button(description=d) for d in ("디코드", "payload 바꿔 붙이기 (서명 그대로)", "검증")
        )
        decode_btn.layout.width = verify_btn.layout.width = "90px"
        resign_btn.layout.width = "260px"

        def on_decode(_=None):
            try:
                self.load(box.value)
                h, p = self.decoded()
                head.value = f"<code>header: {html.escape(json.dumps(h, ensure_ascii=False))}</code>"
                payload.value = json.dumps(p, ensure_ascii=False, indent=1)
                result.value = ""
            except TokenError as exc:
                head.value = f"<span style='color:#b91c1c'>{html.escape(exc.reason)}</span>"

        def on_resign(_):
            try:
                self.edit(json.loads(payload.value))
                box.value = self.token
            except (ValueError, TokenError) as exc:
                result.value = f"<span style='color:#b91c1c'>JSON 오류: {html.escape(str(exc))}</span>"

        def on_verify(_):
            self.load(box.value)
            result.value = f"<b>{html.escape(self.verify())}</b>"

        decode_btn.on_click(on_decode)
        resign_btn.on_click(on_resign)
        verify_btn.on_click(on_verify)
        if self.token:
            on_decode()
        return w.VBox([box, w.HBox([decode_btn, resign_btn, verify_btn]), head, payload, result])


def copied_token_after_logout(url: str, user: str = "alice", password: str = "alice-pw"):
    """Log in, keep a copy of the access token (as a thief would), log out, replay the copy.

    Returns (logout response, replayed request's response)."""
    import requests

    s = requests.Session()
    s.post(f"{url}/login", json={"username": user, "password": password}, timeout=5)
    token = s.cookies["access_token"]  # the thief's copy of the (HttpOnly) cookie
    out = s.post(f"{url}/logout", headers={"Authorization": f"Bearer {token}"}, timeout=5)
    replay = requests.get(f"{url}/me", headers={"Authorization": f"Bearer {token}"}, timeout=5)
    return out, replay


def bad_tokens(service: TokenService) -> dict[str, str]:
    """One token per way a token can be wrong (each must be a 401 with its own reason)."""
    from sessionlab.labs.lab04a_attacks import forge_alg_none, tamper
    from sessionlab.web.tokens import encode_unsigned

    good = service.issue("alice", role="user")
    h, p, s = good.split(".")
    header, payload, sig = split_token(good)
    now = time.time()
    return {
        "두 부분뿐": f"{h}.{p}",
        "base64url 아님": f"{h}.@@@.{s}",
        "헤더가 JSON 아님": f"{b64url_encode(b'{nope')}.{p}.{s}",
        "모르는 alg (HS512)": encode_unsigned({**header, "alg": "HS512"}, payload, sig),
        "alg: none": forge_alg_none(good),
        "모르는 kid": encode_unsigned({**header, "kid": "k-999"}, payload, sig),
        "서명 불일치 (변조)": tamper(good, role="admin"),
        "만료됨": service.issue("alice", ttl=60, now=now - 3600),
        "아직 유효하지 않음 (nbf)": service.issue("alice", nbf=int(now) + 600),
        "다른 서비스용 (aud)": service.issue("alice", aud="billing-api"),
        "리프레시 토큰을 액세스 토큰으로": service.issue("alice", typ="refresh"),
    }


def probe(url: str, token: str, path: str = "/me") -> dict:
    """Send ``token`` as a Bearer token; the status, the refusal code, and the challenge header."""
    import requests

    r = requests.get(f"{url}{path}", headers={"Authorization": f"Bearer {token}"}, timeout=5)
    body = r.json() if r.headers.get("Content-Type", "").startswith("application/json") else {}
    return {
        "status": r.status_code,
        "code": body.get("code", ""),
        "reason": body.get("reason", ""),
        "www_authenticate": r.headers.get("WWW-Authenticate", ""),
    }


def xss_report(url: str, store: str, attacker: str | None = None) -> dict:
    """Load ``/demo/xss?store=...`` in real headless Chromium; what the injected script could do."""
    from sessionlab.labs import lab04a_browser

    return lab04a_browser.xss_report(url, store, attacker)
