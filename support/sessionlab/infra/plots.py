"""Plot set-up for the labs: a Korean font that ships with pip, stable figure sizes.

matplotlib's default font has no Hangul, so Korean labels become empty boxes on
CI, Binder and most containers; koreanize-matplotlib bundles NanumGothic.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

import matplotlib

if TYPE_CHECKING:  # at run time ``plt`` comes from ``__getattr__`` below, after ``setup()``
    import matplotlib.pyplot as plt

__all__ = ["setup", "plt"]


def setup():
    """Use a Korean font and a compact style; returns ``matplotlib.pyplot``."""
    import koreanize_matplotlib  # noqa: F401  (sets the font on import)
    import matplotlib.pyplot as plt

    matplotlib.rcParams.update(
        {
            "figure.figsize": (7, 3.6),
            "figure.dpi": 90,
            "axes.grid": True,
            "grid.alpha": 0.3,
            "axes.unicode_minus": False,
        }
    )
    return plt


def __getattr__(name):
    if name == "plt":
        return setup()
    raise AttributeError(name)
