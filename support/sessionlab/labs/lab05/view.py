"""Lab 05's views: the interactive widget, the side-by-side comparison table and its plot.

All three read the strategy registry (``STRATEGIES``): the widget's choices, the
table's rows in registry order with each strategy's label, consistency and
store-node note. The small printers (``print_run``, ``print_remaps``, ``counts``)
turn one run's counts into aligned rows a learner can read, instead of raw dicts.
"""

from __future__ import annotations

import html
import unicodedata
from collections.abc import Iterable, Mapping
from typing import Any

from sessionlab.labs.lab05.lab import MultiServerLab
from sessionlab.labs.lab05.strategies import STRATEGIES

__all__ = [
    "lab_widget",
    "comparison",
    "print_table",
    "comparison_table",
    "Table",
    "plot_comparison",
    "aligned",
    "counts",
    "print_run",
    "print_remaps",
]


def lab_widget(lab: MultiServerLab, requests_per_click: int = 6):
    """Choose strategy and policy, log in, send requests, kill and restart servers; see each request.

    Returns an ipywidgets box; ``box.controls`` holds the controls by name (tests click them).
    """
    return _LabWidget(lab, requests_per_click).box


class _LabWidget:
    """The controls of ``lab_widget`` and what each click does to the lab."""

    def __init__(self, lab: MultiServerLab, requests_per_click: int):
        import ipywidgets as w

        from sessionlab.web.balancer import ALL_POLICIES

        self.lab, self.n = lab, requests_per_click
        options = [(s.label, key) for key, s in STRATEGIES.items()]
        self.state: dict[str, Any] = {"client": None, "rows": [], "note": ""}
        c = {
            "strategy": w.Dropdown(options=options, value="sticky", description="전략"),
            "policy": w.Dropdown(options=list(ALL_POLICIES), value="sticky", description="정책"),
            "apply": w.Button(description="적용하고 로그인", button_style="primary"),
            "send": w.Button(description=f"요청 {requests_per_click}번"),
            "health": w.Checkbox(value=True, description="헬스 체크(죽은 서버 제외)"),
            "toggles": [w.ToggleButton(value=True, description=f"{name} 켜짐") for name in lab.names],
            "view": w.HTML("<i>전략과 정책을 고르고 '적용하고 로그인'을 누르세요.</i>"),
            "state": self.state,
        }
        self.c = c
        c["apply"].on_click(self.on_apply)
        c["send"].on_click(self.on_send)
        for i, toggle in enumerate(c["toggles"]):
            toggle.observe(self.on_toggle(i), names="value")
        rows = [[c["strategy"], c["policy"]], [c["apply"], c["send"], c["health"]], c["toggles"]]
        self.box = w.VBox([*(w.HBox(row) for row in rows), c["view"]])
        self.box.controls = c

    def render(self) -> None:
        self.c["view"].value = _view_html(self.lab, self.state)

    def on_apply(self, _=None) -> None:
        self.lab.use(self.c["strategy"].value, self.c["policy"].value)
        for toggle in self.c["toggles"]:
            toggle.value = True
        client, r = self.lab.login(0)
        row = (r.headers.get("X-Served-By", "-"), r.status_code, r.status_code == 200)
        self.state.update(client=client, rows=[row], note="로그인: " + str(r.status_code))
        self.render()

    def on_send(self, _=None) -> None:
        if self.state["client"] is None:
            self.on_apply()
        for _ in range(self.n):
            r = self.lab.me(self.state["client"])
            self.state["rows"].append(
                (r.headers.get("X-Served-By", "-"), r.status_code, r.status_code == 200)
            )
        self.render()

    def on_toggle(self, i: int):
        def handler(change):
            lab = self.lab
            if lab.lb is None:
                return
            if change["new"] and not lab.running()[i]:
                lab.restart(i)
            elif not change["new"] and lab.running()[i]:
                lab.kill(i, health_check=self.c["health"].value)
            self.c["toggles"][i].description = f"{lab.names[i]} {'켜짐' if change['new'] else '꺼짐'}"
            self.render()

        return handler


def _view_html(lab: MultiServerLab, state: dict) -> str:
    """The widget's view: strategy, policy, which servers run, the last 12 requests."""
    rows = "".join(
        f"<tr><td>{i}</td><td>{html.escape(s)}</td><td>{c}</td><td>{'살아 있음' if ok else '<b>잃음</b>'}</td></tr>"
        for i, (s, c, ok) in enumerate(state["rows"][-12:], start=max(1, len(state["rows"]) - 11))
    )
    up = " ".join(f"{n}:{'켜짐' if r else '꺼짐'}" for n, r in zip(lab.names, lab.running()))
    label = STRATEGIES[lab.strategy].label if lab.strategy in STRATEGIES else "-"
    return (
        f"<b>{html.escape(label)} / {lab.policy}</b> — {up}"
        f"<br>{html.escape(state['note'])}<table><tr><th>#</th><th>응답한 서버</th><th>상태</th>"
        f"<th>세션</th></tr>{rows}</table>"
    )


# --- readable rows ----------------------------------------------------------------------------


def _width(text: str) -> int:
    """Columns ``text`` takes in a monospace font (Hangul and other wide characters take two)."""
    return sum(2 if unicodedata.east_asian_width(ch) in ("W", "F") else 1 for ch in text)


def aligned(rows: Iterable[Iterable[Any]], sep: str = " | ") -> list[str]:
    """Rows of cells as lines whose columns line up (wide characters counted as two columns)."""
    table = [
        ["-" if c is None else (f"{c:.2f}" if isinstance(c, float) else str(c)) for c in r] for r in rows
    ]
    if not table:
        return []
    widths = [max(_width(r[i]) for r in table if i < len(r)) for i in range(max(map(len, table)))]
    lines = []
    for r in table:
        cells = [c + " " * (widths[i] - _width(c)) for i, c in enumerate(r)]
        lines.append(sep.join(cells).rstrip())
    return lines


def counts(counter: Mapping[Any, int], unit: str = "개") -> str:
    """``{'s1': 17, 's2': 16}`` as ``s1 17개, s2 16개`` (keys sorted)."""
    return ", ".join(f"{k} {v}{unit}" for k, v in sorted(counter.items(), key=lambda kv: str(kv[0])))


def print_run(run) -> None:
    """One scenario run (``RunResult``) as labelled rows: what was asked, what failed, what was lost."""
    rows = [
        ("전략", f"{STRATEGIES[run.strategy].label} (로드 밸런서 정책: {run.policy})"),
        ("로그인 성공", f"{run.logins_ok}/{run.users}명"),
        ("실패한 요청 (200이 아닌 응답)", f"{run.failed}/{run.requests}개"),
        ("서버가 죽기 전에 로그아웃된 사용자", f"{run.users_logged_out}명"),
        (
            f"{run.killed} 서버를 끈 뒤 잃은 세션",
            f"{run.lost_on_app_death}/{run.alive_before_kill}개"
            if run.alive_before_kill
            else "해당 없음 (서버를 끄기 전에 이미 모두 로그아웃)",
        ),
    ]
    if run.lost_on_store_death is not None:
        rows.append(
            ("저장소 노드가 죽은 뒤 잃은 세션", f"{run.lost_on_store_death}/{run.alive_before_store_death}개")
        )
    print("\n".join(aligned(rows, sep="  ")))


def print_remaps(remaps: Mapping[str, Any]) -> None:
    """The hash policies side by side: users moved and sessions lost when s2 is removed, when s4 is added."""
    head = [
        "정책",
        "s2의 사용자",
        "s2 제거: 옮겨 감",
        "s2 제거: 잃은 세션",
        "그중 다른 서버의 사용자",
        "s4 추가: 옮겨 감",
        "s4 추가: 잃은 세션",
    ]
    body = [
        [p, r.on_removed, r.removed_moved, r.removed_lost, r.removed_lost_others, r.added_moved, r.added_lost]
        for p, r in remaps.items()
    ]
    clients = {r.clients for r in remaps.values()}
    print(f"사용자 {'/'.join(map(str, sorted(clients)))}명 (단위: 명)")
    print("\n".join(aligned([head, *body])))


# --- the side-by-side table -------------------------------------------------------------------


def comparison(runs: dict, timings: dict | None = None) -> list[dict]:
    """One row per strategy: latency through the balancer (if measured), losses counted in the runs."""
    rows = []
    for key, s in STRATEGIES.items():
        run, t = runs.get(key), (timings or {}).get(key, {})
        if run is None:
            continue
        if run.alive_before_kill:
            app_death = f"{run.lost_on_app_death}/{run.alive_before_kill}"
        else:
            app_death = f"{run.users_logged_out}/{run.users}: 이미 로그아웃"
        if run.lost_on_store_death is not None:
            store_death = f"{run.lost_on_store_death}/{run.alive_before_store_death}"
        else:
            store_death = s.store_node
        rows.append(
            {
                "key": key,
                "전략": s.label,
                "중앙값 ms": t.get("median_ms"),
                "p99 ms": t.get("p99_ms"),
                "저장소 ms": t.get("store_ms"),
                "실패 요청": f"{run.failed}/{run.requests}",
                "앱 서버 죽음": app_death,
                "저장소 노드 죽음": store_death,
                "일관성": s.consistency,
            }
        )
    return rows


_HEADINGS = {
    "실패 요청": "실패한 요청",
    "앱 서버 죽음": "앱 서버가 죽을 때 잃은 세션",
    "저장소 노드 죽음": "저장소 노드가 죽을 때 잃은 세션",
}


class Table:
    """A table a notebook draws as a table (Markdown) and a terminal prints with aligned columns."""

    def __init__(self, head: list[str], rows: list[list[Any]]):
        self.head, self.rows = head, rows

    def _cell(self, c: Any) -> str:
        return "—" if c is None else (f"{c:.2f}" if isinstance(c, float) else str(c))

    def _repr_markdown_(self) -> str:
        lines = ["| " + " | ".join(self.head) + " |", "|" + "---|" * len(self.head)]
        lines += ["| " + " | ".join(self._cell(c).replace("|", "\\|") for c in r) + " |" for r in self.rows]
        return "\n".join(lines)

    def __repr__(self) -> str:
        return "\n".join(aligned([self.head, *self.rows]))


def comparison_table(rows: list[dict], timings: bool = True) -> Table:
    """The comparison rows as a ``Table`` (timings only when asked: they change from run to run)."""
    cols = ["전략", "중앙값 ms", "p99 ms", "저장소 ms"] if timings else ["전략"]
    cols += ["실패 요청", "앱 서버 죽음", "저장소 노드 죽음"] + ([] if timings else ["일관성"])
    return Table([_HEADINGS.get(c, c) for c in cols], [[row[c] for c in cols] for row in rows])


def print_table(rows: list[dict], timings: bool = True) -> None:
    """Show the comparison as a table: drawn in a notebook, aligned text in a terminal."""
    from IPython.display import display

    display(comparison_table(rows, timings))


def plot_comparison(plt, rows: list[dict]):
    """Median and p99 through the balancer per strategy, with the store's share of the median."""
    rows = [r for r in rows if r["중앙값 ms"] is not None]
    names = [r["key"] for r in rows]
    x = range(len(rows))
    fig, ax = plt.subplots(figsize=(9, 3.6))
    ax.bar(x, [r["중앙값 ms"] for r in rows], color="tab:blue", label="중앙값(median)")
    ax.bar(
        x,
        [r["저장소 ms"] for r in rows],
        color="tab:orange",
        width=0.5,
        label="그중 저장소 시간(Server-Timing)",
    )
    ax.plot(list(x), [r["p99 ms"] for r in rows], "k^", label="p99")
    ax.set_xticks(list(x), names, rotation=20)
    ax.set(ylabel="ms (로드 밸런서를 거친 GET /me)", title="전략별 지연 시간: 같은 실행 안에서 비교")
    ax.legend(fontsize=8)
    fig.tight_layout()
    return fig
