"""JupyterLab defaults for this environment only (sys.prefix), never globally.

Writes <prefix>/share/jupyter/lab/settings/overrides.json, JupyterLab's documented place for an
environment's default settings: Korean interface, and no "Jupyter news?" toast or update check on
first open (it covered the right edge of outputs). Run by `make setup` and by Binder's postBuild.
Usage: python tools/lab_settings.py [--prefix DIR]
"""

from __future__ import annotations

import json
import sys
from pathlib import Path

OVERRIDES = {
    "@jupyterlab/translation-extension:plugin": {"locale": "ko_KR"},
    "@jupyterlab/apputils-extension:notification": {"fetchNews": "false", "checkForUpdates": False},
}


def write_overrides(prefix: Path) -> Path:
    """Merge OVERRIDES into the environment's overrides.json (other keys are kept)."""
    path = prefix / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    settings = json.loads(path.read_text()) if path.exists() else {}
    settings.update(OVERRIDES)
    path.write_text(json.dumps(settings, indent=2, ensure_ascii=False) + "\n")
    return path


if __name__ == "__main__":
    args = sys.argv[1:]
    write_overrides(Path(args[args.index("--prefix") + 1]) if "--prefix" in args else Path(sys.prefix))
    print("JupyterLab 기본 설정: 한국어 (ko_KR), 뉴스 알림과 업데이트 확인 끔")
