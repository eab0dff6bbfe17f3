import io
import sys
import warnings

from matplotlib import font_manager

from sessionlab.infra import plots


def test_hangul_is_drawn_with_the_bundled_korean_font():
    plt = plots.setup()
    assert "koreanize_matplotlib" not in sys.modules  # the fonts are found, not imported
    used = font_manager.findfont(font_manager.FontProperties(family=plt.rcParams["font.family"]))
    assert str(used) in {str(p) for p in plots.korean_font_files()}
    fig, ax = plt.subplots()
    ax.set_title("세션 저장소별 조회 시간")
    ax.plot([-1, 1])  # negative tick labels: the font has no U+2212, so an ASCII minus
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # matplotlib warns "Glyph ... missing from font(s)"
        fig.savefig(io.BytesIO(), format="png")
    plt.close(fig)
