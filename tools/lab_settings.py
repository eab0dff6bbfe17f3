"""Make JupyterLab open in Korean for this environment only (sys.prefix), never globally.

Writes <prefix>/share/jupyter/lab/settings/overrides.json, JupyterLab's documented place for
an environment's default settings. Run by `make setup` and by Binder's postBuild.
"""

import json
import sys
from pathlib import Path

path = Path(sys.prefix) / "share" / "jupyter" / "lab" / "settings" / "overrides.json"
path.parent.mkdir(parents=True, exist_ok=True)
settings = json.loads(path.read_text()) if path.exists() else {}
settings["@jupyterlab/translation-extension:plugin"] = {"locale": "ko_KR"}
path.write_text(json.dumps(settings, indent=2, ensure_ascii=False) + "\n")
print("JupyterLab 기본 언어: 한국어 (ko_KR)")
