"""A lab page's notebook (tools/notebook_markdown.py): the student's view, the folded solution, the outputs, and a
copy that no longer matches its solution refused."""

from __future__ import annotations

import re
from pathlib import Path

import nbformat
import pytest
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook, new_output

from tools.notebook_markdown import REPOSITORY, ROOT, NotebookMissing, render_lab, stale

EXERCISE = """bucket = "lab-site"
### BEGIN SOLUTION
s3.put_public_access_block(Bucket=bucket)
### END SOLUTION
print("done")"""


def _write(folder: Path, nb) -> None:
    folder.mkdir(exist_ok=True)
    nbformat.write(nb, folder / "01-s3.ipynb")


@pytest.fixture
def folders(tmp_path: Path) -> tuple[Path, Path]:
    solution = new_notebook(cells=[
        new_markdown_cell("# 01 · S3: a private home\n\nYou will:\n1. make it\n2. fill it\n\n## 1. Create it\n\n```python\n# a comment\n```"),
        new_code_cell(EXERCISE),
        new_code_cell("check()\n### BEGIN HIDDEN TESTS\nassert secret_check()\n### END HIDDEN TESTS"),
    ])
    executed = nbformat.from_dict(nbformat.reads(nbformat.writes(solution), as_version=4))
    executed.cells[1].outputs = [new_output("stream", name="stdout", text="done <ok>\n")]
    executed.cells[2].outputs = [new_output("display_data", data={"text/html": "<pre>row 1\n\nrow 2</pre>\n\n<p>x</p>",
                                                                   "text/plain": "table"}),
                                 new_output("display_data", data={"image/png": "iVBORw0KGgo=\n", "text/plain": "img"})]
    _write(tmp_path / "solutions", solution)
    _write(tmp_path / "executed", executed)
    return tmp_path / "executed", tmp_path / "solutions"


def test_the_reader_sees_the_students_cell_with_the_solution_folded_under_it(folders):
    page = render_lab("01-s3", *folders)
    student, _, rest = page.partition('??? success "Solution"')
    assert '```python\nbucket = "lab-site"\n# YOUR CODE HERE\nprint("done")\n```' in student
    assert "put_public_access_block" not in student
    assert '    ```python\n    bucket = "lab-site"\n    s3.put_public_access_block(Bucket=bucket)\n' in rest
    assert "BEGIN SOLUTION" not in page and "END SOLUTION" not in page


def test_hidden_tests_stay_hidden_and_the_title_is_the_pages(folders):
    page = render_lab("01-s3", *folders)
    assert "secret_check" not in page and "HIDDEN" not in page
    assert "# 01 · S3" not in page
    assert "\n### 1. Create it" in page  # one level down: the page's own sections are ##
    assert "```python\n# a comment\n```" in page  # a comment in fenced code is not a heading
    assert "You will:\n\n1. make it\n2. fill it" in page  # a list right under text, as Jupyter reads it


def test_outputs_are_shown_as_the_run_left_them(folders):
    page = render_lab("01-s3", *folders)
    assert '<pre class="nb-output nb-text" data-search-exclude>done &lt;ok&gt;</pre>' in page
    html = page[page.index('<div class="nb-output" data-search-exclude>'):]
    assert "row 1\n&#10;row 2" in html  # a blank line inside <pre> is content, kept without ending the block
    assert "</pre>\n<p>x</p>" in html
    assert '<img class="nb-image" alt="" data-search-exclude src="data:image/png;base64,iVBORw0KGgo=">' in page


def test_a_copy_that_no_longer_matches_its_solution_is_refused(folders):
    executed, solutions = folders
    assert stale("01-s3", executed, solutions) is None
    nb = nbformat.read(solutions / "01-s3.ipynb", as_version=4)
    nb.cells[1].source += "\nprint('more')"
    nbformat.write(nb, solutions / "01-s3.ipynb")
    with pytest.raises(NotebookMissing, match=r"01-s3.ipynb is stale: .*run make docs-notebooks"):
        render_lab("01-s3", executed, solutions)
    with pytest.raises(NotebookMissing, match="no executed copy of 02-acm"):
        render_lab("02-acm", executed, solutions)


def test_a_link_to_a_file_of_the_repository_leads_to_the_repository(folders):
    executed, solutions = folders
    for folder in folders:
        nb = nbformat.read(folder / "01-s3.ipynb", as_version=4)
        nb.cells[0].source += "\n\nThe handler is [app.py](../assets/lambda/app.py); see [above](#top)."
        nbformat.write(nb, folder / "01-s3.ipynb")
    page = render_lab("01-s3", executed, solutions)
    assert "[app.py](https://github.com/serverless-lab-kit/serverless-lab-kit/blob/main/assets/lambda/app.py)" in page
    assert "[above](#top)" in page
    repo_url = re.search(r"^repo_url: (\S+)$", (ROOT / "mkdocs.yml").read_text(), re.M).group(1)
    assert REPOSITORY == repo_url.rstrip("/") + "/blob/main/"
