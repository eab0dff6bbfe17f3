"""Print the Binder badge and an nbgitpuller link for this course's repository.

The repository lives in one place, ``[tool.sessionlab] repository`` in pyproject.toml.
Usage: python tools/binder_link.py [--hub https://hub.example.edu] [--check-readme]
``--check-readme`` fails if README.md's badge points anywhere else.
"""

from __future__ import annotations

import sys
import tomllib
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parents[1]
START = "notebooks/00_start_here.ipynb"


def settings(root: Path = ROOT) -> dict:
    table = tomllib.loads((root / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["sessionlab"]
    owner_name = table["repository"]
    if owner_name.count("/") != 1:
        raise SystemExit(f"[tool.sessionlab] repository는 'owner/name' 꼴이어야 합니다: {owner_name!r}")
    return {"repository": owner_name, "branch": table.get("branch", "main")}


def binder_url(repository: str, branch: str) -> str:
    return f"https://mybinder.org/v2/gh/{repository}/{branch}?urlpath={quote('lab/tree/' + START, safe='')}"


def badge(repository: str, branch: str) -> str:
    return f"[![Binder](https://mybinder.org/badge_logo.svg)]({binder_url(repository, branch)})"


def nbgitpuller_url(hub: str, repository: str, branch: str) -> str:
    """A link that clones (or updates) the course into each learner's home on a JupyterHub."""
    name = repository.split("/")[1]
    query = urlencode(
        {"repo": f"https://github.com/{repository}", "branch": branch, "urlpath": f"lab/tree/{name}/{START}"}
    )
    return f"{hub.rstrip('/')}/hub/user-redirect/git-pull?{query}"


def main(argv: list[str]) -> int:
    s = settings()
    if "--check-readme" in argv:
        expected = badge(s["repository"], s["branch"])
        if expected not in (ROOT / "README.md").read_text(encoding="utf-8"):
            print(f"README.md의 Binder 배지가 pyproject.toml과 다릅니다. 이 줄로 바꾸세요:\n{expected}")
            return 1
        return 0
    hub = argv[argv.index("--hub") + 1] if "--hub" in argv else "https://hub.example.edu"
    print("Binder 배지 (README.md 맨 위):\n" + badge(s["repository"], s["branch"]))
    print("\nJupyterHub용 nbgitpuller 링크 (hub 주소는 --hub로):\n" + nbgitpuller_url(hub, **s))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
