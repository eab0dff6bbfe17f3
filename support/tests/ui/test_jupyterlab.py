"""The course as a learner meets it: JupyterLab in a real browser, Restart Kernel and Run All from the UI."""

from __future__ import annotations

import json
import time
from urllib.parse import unquote

import pytest
from jupyterlab_ui import (
    ROOT,
    last_code_cell_ran,
    look,
    open_notebook,
    run_all,
    run_all_but_cleanup,
    shut_down_kernel,
)

pytestmark = pytest.mark.ui

NOTEBOOKS = [
    "00_start_here.ipynb",
    "01_cookie_vs_session.ipynb",
    "02b_session_id_generation.ipynb",
    "99_interview_review.ipynb",
]


def stored_kinds(name: str) -> set[str]:
    """What the stored notebook shows: 'widget' and/or 'image' outputs (what the UI must render too)."""
    kinds = set()
    for cell in json.loads((ROOT / "notebooks" / name).read_text(encoding="utf-8"))["cells"]:
        for out in cell.get("outputs", []):
            data = out.get("data", {})
            kinds |= {"widget"} if "application/vnd.jupyter.widget-view+json" in data else set()
            kinds |= {"image"} if "image/png" in data else set()
    return kinds


@pytest.mark.parametrize("name", NOTEBOOKS)
def test_restart_and_run_all_from_the_ui(lab, page, name):
    open_notebook(page, lab, name)
    run_all(page)
    seen = look(page)
    assert seen["errors"] == [], f"{name}: cells {seen['errors']} show an error"
    assert seen["hangul_glyphs"], (
        f"Hangul draws as empty boxes in {seen['font']}: install a Korean font (fonts-nanum)"
    )
    assert seen["toasts"] == [], f"a pop-up covers the notebook: {seen['toasts']}"
    assert seen["widget_text"] == 0  # widgets drawn as widgets, not as 'HBox(children=…)' text
    kinds = stored_kinds(name)  # widget views and images are drawn a moment after the kernel is idle
    if "widget" in kinds:
        assert wait_for(lambda: look(page)["widgets"], until=lambda n: n > 0) > 0
    if "image" in kinds:
        assert wait_for(lambda: look(page)["images"], until=lambda n: n > 0) > 0
    assert look(page)["widget_text"] == 0


def test_the_quiz_reacts_to_a_click(lab, page):
    open_notebook(page, lab, "99_interview_review.ipynb")
    run_all(page)
    page.locator(".jupyter-widgets textarea").first.fill(
        "세션 ID는 쿠키로 오가고 상태는 서버 저장소에 있습니다."
    )
    page.get_by_role("button", name="채점하기").first.click()
    result = page.get_by_text("다룬 요점").first
    result.wait_for(timeout=15_000)  # the kernel scored the answer and the widget redrew
    assert "빠진 요점" in result.inner_text()


def test_shutting_the_kernel_down_before_the_last_cell_leaves_nothing_running(lab, page):
    # a copy of 00 under its own name: a fresh session, not the kernel an earlier test left open on 00
    name = lab.copy_notebook("00_start_here.ipynb", "00_shut_down_early.ipynb")
    open_notebook(page, lab, name)
    run_all_but_cleanup(page)  # a web server and a Redis are running now
    assert look(page)["errors"] == [] and not last_code_cell_ran(page)
    kernels = lab.kernels()
    running = wait_for(
        lambda: started_by_kernels(lab, kernels), until=lambda found: any("redis-server" in p for p in found)
    )
    assert any("redis-server" in p for p in running), (kernels, running, lab.processes(kernels))
    shut_down_kernel(page)
    left = wait_for(lambda: started_by_kernels(lab, kernels), until=lambda found: found == [])
    assert left == []  # no redis-server, no Chromium, nothing the labs started


def wait_for(measure, until, timeout_s: float = 15):
    """Measure until the condition holds or the time is up; the last measurement either way."""
    deadline = time.monotonic() + timeout_s
    found = measure()
    while not until(found) and time.monotonic() < deadline:
        time.sleep(0.5)
        found = measure()
    return found


def started_by_kernels(lab, kernels) -> list[str]:
    return [p for p in lab.processes(kernels) if "ipykernel_launcher" not in p]


def test_the_architecture_diagram_draws_with_korean_labels(lab, page):
    open_notebook(page, lab, "05_multi_server_sessions.ipynb")
    page.evaluate(  # bring the diagram's cell on screen: JupyterLab draws only what is near the view
        """() => { const nb = window.jupyterapp.shell.currentWidget.content; const cells = nb.model.cells;
          for (let i = 0; i < cells.length; i++)
            if (cells.get(i).sharedModel.getSource().includes('```mermaid')) return nb.scrollToItem(i); }"""
    )
    drawn = page.locator(
        ".jp-RenderedMermaid figure img"
    ).first  # JupyterLab draws it as an SVG image, offline
    drawn.wait_for(timeout=30_000)
    svg = unquote(drawn.get_attribute("src"))
    assert svg.startswith("data:image/svg+xml") and "<svg" in svg
    assert "로드 밸런서" in svg and "세션 저장소" in svg and "Load Balancer" not in svg
    assert drawn.bounding_box()["width"] > 300  # drawn at a readable size, not an error stub
