"""Drive JupyterLab in headless Chromium as a learner would (Playwright, the system Chromium).

``LabServer`` starts ``jupyter lab`` on 127.0.0.1 with a token over a copy of the notebooks (so
autosave never touches the repository); ``run_all`` restarts the kernel and runs every cell from
the UI; ``look`` reports what the learner sees: errors, widgets, plots, Hangul, pop-ups.
"""

from __future__ import annotations

import os
import secrets
import shutil
import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import requests

ROOT = Path(__file__).resolve().parents[3]

CURRENT = "window.jupyterapp.shell.currentWidget"
KERNEL_IDLE = f"""() => {{ const w = window.jupyterapp && {CURRENT};
  const k = w && w.sessionContext && w.sessionContext.session && w.sessionContext.session.kernel;
  return !!k && k.status === 'idle'; }}"""
ALL_RAN = f"""() => {{ const w = {CURRENT}; const cells = w.content.model.cells;
  let code = 0, ran = 0, failed = false;
  for (let i = 0; i < cells.length; i++) {{ const c = cells.get(i); if (c.type !== 'code') continue;
    code++; if (c.executionCount !== null) ran++;
    for (let j = 0; j < c.outputs.length; j++) if (c.outputs.get(j).type === 'error') failed = true; }}
  return code > 0 && (ran === code || failed) && w.sessionContext.session.kernel.status === 'idle'; }}"""
ALL_BUT_LAST_RAN = f"""() => {{ const w = {CURRENT}; const cells = w.content.model.cells; const code = [];
  for (let i = 0; i < cells.length; i++) if (cells.get(i).type === 'code') code.push(cells.get(i));
  const above = code.slice(0, -1);
  return above.length > 0 && above.every(c => c.executionCount !== null)
    && w.sessionContext.session.kernel.status === 'idle'; }}"""
LOOK = f"""() => {{ const w = {CURRENT}; const cells = w.content.model.cells; const errors = [];
  for (let i = 0; i < cells.length; i++) {{ const c = cells.get(i); if (c.type !== 'code') continue;
    for (let j = 0; j < c.outputs.length; j++) {{ const o = c.outputs.get(j).toJSON();
      if (o.output_type === 'error') errors.push(i + ': ' + o.ename + ': ' + String(o.evalue).slice(0, 300)); }} }}
  const md = document.querySelector('.jp-RenderedMarkdown');
  const font = getComputedStyle(md || document.body).fontFamily;
  const draw = ch => {{ const cv = document.createElement('canvas'); cv.width = 48; cv.height = 48;
    const x = cv.getContext('2d'); x.font = '32px ' + font; x.fillText(ch, 4, 36); return cv.toDataURL(); }};
  return {{ errors, font,
    hangul_glyphs: draw('한') !== draw('글'),  // a missing font draws both as the same empty box
    widgets: document.querySelectorAll('.jp-OutputArea-output .jupyter-widgets').length,
    widget_text: (document.body.innerText.match(/[HV]Box\\(children=/g) || []).length,
    images: document.querySelectorAll('.jp-RenderedImage img').length,
    toasts: Array.from(document.querySelectorAll('.Toastify__toast')).map(t => t.innerText) }}; }}"""


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class LabServer:
    """``jupyter lab`` on 127.0.0.1 with a token, serving a copy of the course's notebooks."""

    def __init__(self, workdir: Path):
        self.root = workdir / "course"
        shutil.copytree(ROOT / "notebooks", self.root / "notebooks")
        self.port, self.token = free_port(), secrets.token_hex(16)
        self.url = f"http://127.0.0.1:{self.port}"
        args = [
            sys.executable,
            "-m",
            "jupyter",
            "lab",
            "--no-browser",
            f"--port={self.port}",
            "--ServerApp.ip=127.0.0.1",
            f"--IdentityProvider.token={self.token}",
            "--LabApp.expose_app_in_browser=True",
            f"--ServerApp.root_dir={self.root}",
        ]
        if os.getuid() == 0:
            args.append("--allow-root")  # containers; the token stays on
        self.log = open(workdir / "jupyterlab.log", "w")  # noqa: SIM115 (closed in stop)
        self.mark = f"SESSIONLAB_UI_RUN={secrets.token_hex(8)}"  # every process it starts inherits it
        env = {**os.environ, self.mark.split("=")[0]: self.mark.split("=")[1]}
        self.proc = subprocess.Popen(
            args, stdout=self.log, stderr=subprocess.STDOUT, start_new_session=True, env=env
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            try:
                if requests.get(self.url + "/api/status", params={"token": self.token}, timeout=2).ok:
                    return
            except requests.ConnectionError:
                pass
            time.sleep(0.3)
        self.stop()
        raise RuntimeError(f"JupyterLab did not start: see {workdir / 'jupyterlab.log'}")

    def processes(self, kernels: set[int] = frozenset()) -> list[str]:
        """Processes this JupyterLab's kernels started or are, the server itself excluded.

        Found by the mark in their environment, and redis-servers by their lab folder
        (``redis-<kernel pid>-…``): Redis rewrites its own environment area for its process title.
        """
        found = []
        for proc in Path("/proc").iterdir():
            if not proc.name.isdigit() or int(proc.name) == self.proc.pid:
                continue
            try:
                cmd = (proc / "cmdline").read_bytes().replace(b"\0", b" ").decode(errors="replace")
                marked = self.mark.encode() in (proc / "environ").read_bytes().split(b"\0")
                folder = os.path.basename(os.readlink(proc / "cwd"))
            except OSError:
                continue
            if marked or any(folder.startswith(f"redis-{pid}-") for pid in kernels):
                found.append(f"{proc.name} {cmd[:120]}")
        return found

    def kernels(self) -> set[int]:
        return {int(p.split()[0]) for p in self.processes() if "ipykernel_launcher" in p}

    def copy_notebook(self, name: str, new_name: str) -> str:
        """A copy of a course notebook in the lab's folder; opening it starts its own session."""
        shutil.copy(self.root / "notebooks" / name, self.root / "notebooks" / new_name)
        return new_name

    def notebook_url(self, name: str) -> str:
        return f"{self.url}/lab/tree/notebooks/{name}?token={self.token}"

    def stop(self) -> None:
        """SIGTERM to JupyterLab's process group: the server shuts its kernels down."""
        if self.proc.poll() is None:
            os.killpg(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(30)
            except subprocess.TimeoutExpired:
                os.killpg(self.proc.pid, signal.SIGKILL)
                self.proc.wait(10)
        self.log.close()


def open_notebook(page, lab: LabServer, name: str) -> None:
    """Open the notebook and wait until it is the current tab and its kernel is idle.

    JupyterLab restores the tabs an earlier page left open (the workspace lives on the server), so
    until the new tab takes over, the current widget can be another notebook with an idle kernel.
    """
    page.goto(lab.notebook_url(name))
    page.wait_for_function(
        f"""path => {{ const w = window.jupyterapp && {CURRENT};
          return !!w && !!w.context && w.context.path === path && ({KERNEL_IDLE})(); }}""",
        arg=f"notebooks/{name}",
        timeout=90_000,
        polling=500,
    )


def run_all(page, timeout_s: float = 300) -> None:
    """Clear the stored outputs, then Kernel → Restart Kernel and Run All Cells; wait until every cell ran.

    Clearing first sets every execution count to none, so "every cell has a count" means this run ran it
    (a run stopped by an error is done too: the error is then in ``look``).
    """
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.evaluate("() => { window.jupyterapp.commands.execute('notebook:restart-run-all'); }")
    page.locator(".jp-Dialog-button.jp-mod-accept").click(timeout=15_000)
    page.wait_for_function(ALL_RAN, timeout=timeout_s * 1000, polling=1000)


def look(page) -> dict:
    """What the learner sees now (see LOOK)."""
    return page.evaluate(LOOK)


def shut_down_kernel(page) -> None:
    """Kernel → Shut Down Kernel, as a learner closing up before the last cell."""
    page.evaluate("() => { window.jupyterapp.commands.execute('kernelmenu:shutdown'); }")
    accept = page.locator(".jp-Dialog-button.jp-mod-accept")
    if accept.count():
        accept.click(timeout=15_000)


def run_all_but_cleanup(page, timeout_s: float = 300) -> None:
    """Restart the kernel and run every cell above the last code cell (the cleanup cell), as a learner
    who stops before the end: Run → Run All Above, so the document itself is not changed."""
    page.evaluate("() => window.jupyterapp.commands.execute('notebook:clear-all-cell-outputs')")
    page.evaluate(
        f"async () => {{ await {CURRENT}.sessionContext.session.kernel.restart(); }}"
    )  # resolves once restarted
    page.wait_for_function(KERNEL_IDLE, timeout=90_000, polling=500)
    page.evaluate(
        f"""() => {{ const w = {CURRENT}; const m = w.content.model; let last = m.cells.length - 1;
          while (last > 0 && m.cells.get(last).type !== 'code') last--;
          w.content.activeCellIndex = last; window.jupyterapp.commands.execute('notebook:run-all-above'); }}"""
    )
    page.wait_for_function(ALL_BUT_LAST_RAN, timeout=timeout_s * 1000, polling=1000)


def last_code_cell_ran(page) -> bool:
    return page.evaluate(
        f"""() => {{ const m = {CURRENT}.content.model; let last = m.cells.length - 1;
          while (last > 0 && m.cells.get(last).type !== 'code') last--;
          return m.cells.get(last).executionCount !== null; }}"""
    )
