"""Plot set-up for the labs: a Korean font that ships with pip, stable figure sizes.

matplotlib's default font has no Hangul, so Korean labels become empty boxes on
CI, Binder and most containers; the koreanize-matplotlib wheel bundles NanumGothic.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path
from typing import TYPE_CHECKING

import matplotlib

if TYPE_CHECKING:  # at run time ``plt`` comes from ``__getattr__`` below, after ``setup()``
    import matplotlib.pyplot as plt

__all__ = ["setup", "plt", "KOREAN_FONT", "korean_font_files"]

KOREAN_FONT = "NanumGothic"


def korean_font_files() -> list[Path]:
    """The NanumGothic files in the koreanize-matplotlib wheel, found without importing it.

    Importing it registers the same files, but first runs a version check through
    setuptools' distutils: about 0.1 s per kernel (benchmarks/README.md, finding 50).
    """
    spec = importlib.util.find_spec("koreanize_matplotlib")
    if spec is None or spec.origin is None:
        raise ModuleNotFoundError("koreanize-matplotlib이 없습니다: make setup으로 설치하세요.")
    return sorted((Path(spec.origin).parent / "fonts").glob("*.ttf"))


def setup():
    """Use a Korean font and a compact style; returns ``matplotlib.pyplot``."""
    import matplotlib.pyplot as plt
    from matplotlib import font_manager

    for path in korean_font_files():
        font_manager.fontManager.addfont(str(path))
    matplotlib.rcParams.update(
        {
            "font.family": [KOREAN_FONT],
            "figure.figsize": (7, 3.6),
            "figure.dpi": 90,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.unicode_minus": False,  # NanumGothic has no U+2212 minus sign
        }
    )
    return plt


def __getattr__(name):
    if name == "plt":
        return setup()
    raise AttributeError(name)
