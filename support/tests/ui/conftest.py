"""UI tests: JupyterLab in headless Chromium (``make ui-test``; skipped without Chromium)."""

from __future__ import annotations

from pathlib import Path

import pytest
from jupyterlab_ui import LabServer

from sessionlab.infra.browser import find_chromium

SHOTS = Path(__file__).resolve().parents[3] / "dist" / "ui"  # screenshots: CI keeps them as artifacts


@pytest.fixture(scope="session")
def chromium():
    path = find_chromium()
    if path is None:
        pytest.skip(
            "Chromium이 없어 JupyterLab UI 테스트를 건너뜁니다 (CHROMIUM=/경로 또는 apt-get install chromium)."
        )
    return path


@pytest.fixture(scope="session")
def lab(chromium, tmp_path_factory):
    server = LabServer(tmp_path_factory.mktemp("jupyterlab"))
    yield server
    server.stop()


@pytest.fixture
def page(chromium, request):
    from playwright.sync_api import sync_playwright

    with sync_playwright() as p:
        browser = p.chromium.launch(executable_path=chromium, args=["--no-sandbox"])
        page = browser.new_page(viewport={"width": 1400, "height": 900}, locale="ko-KR")
        yield page
        SHOTS.mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(SHOTS / f"{request.node.name}.png"))
        browser.close()
