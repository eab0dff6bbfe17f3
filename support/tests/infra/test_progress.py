"""The progress bar ends as one line of text, in a terminal and in a stored notebook."""

from __future__ import annotations

import io

import nbformat
from nbclient import NotebookClient

from sessionlab.infra.progress import done_line, progress_bar


def test_done_line_reads():
    assert done_line("측정", 18, 18, 12.34) == "측정: 18/18 완료 (12.3초)"
    assert done_line("사전 공격", 618019, None, 2) == "사전 공격: 618,019 완료 (2.0초)"


def test_outside_a_notebook_it_counts_like_tqdm():
    with progress_bar(total=3, desc="측정", file=io.StringIO()) as bar:
        for _ in range(3):
            bar.update(1)
    assert bar.n == 3


def test_a_stored_notebook_keeps_the_finished_line_not_zero_percent():
    code = (
        "from sessionlab.infra.progress import progress_bar\n"
        "with progress_bar(total=4, desc='측정') as bar:\n"
        "    for _ in range(4):\n"
        "        bar.update(1)"
    )
    nb = nbformat.v4.new_notebook(cells=[nbformat.v4.new_code_cell(code)])
    NotebookClient(nb, timeout=60, kernel_name="python3").execute()
    texts = [o["data"]["text/plain"] for o in nb.cells[0].outputs if o["output_type"] == "display_data"]
    assert len(texts) == 1 and texts[0].startswith("측정: 4/4 완료 (")
    assert "0%" not in str(nb.cells[0].outputs)
