"""A lab's notebook as Markdown for its docs page: read-only, with the outputs of the solutions' run.

    render_lab(name)   docs/notebooks/<name>.ipynb (the solution as it ran: tools/docs_notebooks.py) as Markdown
    stale(name)        why that copy no longer shows solutions/<name>.ipynb (None when it does)

What a reader sees: the notebook's prose, one heading level down (the page has its own title, the notebook's H1);
each code cell as the student has it (an exercise reads ``# YOUR CODE HERE``), with the finished cell folded under
it ("Solution"); then the cell's outputs as the run left them: text, the checks' tables (rich's HTML), pictures.
Hidden tests are left out, as in the student's copy. Outputs are left out of the site's search: the run's ids and
addresses would crowd out the prose.
"""

from __future__ import annotations

import html
import re
from pathlib import Path

import nbformat
from nbformat import NotebookNode

from .preprocessors import RemoveHiddenTests
from .preprocessors.regions import MARKER, SOLUTION, replace_regions

ROOT = Path(__file__).resolve().parent.parent
EXECUTED = ROOT / "docs" / "notebooks"
SOLUTIONS = ROOT / "solutions"
ANSI = re.compile(r"\x1b\[[0-9;?]*[A-Za-z]")
LIST_ITEM = re.compile(r"^ {0,3}(?:[-*+]|\d+[.)])[ \t]")
HEADING = re.compile(r"^(#{1,5})(?=[ \t])", re.M)
FENCE = re.compile(r"^ {0,3}(```|~~~)")
# A link of the notebook's own to a file of the repository (``[app.py](../assets/lambda/app.py)``, from solutions/
# or labs/): on the docs site it leads to that file in the repository.
REPO_LINK = re.compile(r"\]\((?!https?:|mailto:|#)\.\./([^)\s]+)\)")
REPOSITORY = "https://github.com/serverless-lab-kit/serverless-lab-kit/blob/main/"  # mkdocs.yml's repo_url


class NotebookMissing(Exception):
    pass


def render_lab(name: str, executed: Path = EXECUTED, solutions: Path = SOLUTIONS) -> str:
    path = executed / f"{name}.ipynb"
    if not path.is_file():
        raise NotebookMissing(f"no executed copy of {name} in docs/notebooks/: run make docs-notebooks")
    problem = stale(name, executed, solutions)
    if problem:
        raise NotebookMissing(problem)
    nb = RemoveHiddenTests().preprocess(nbformat.read(path, as_version=4), str(path))
    parts = []
    for index, cell in enumerate(nb.cells):
        if cell.cell_type == "markdown":
            parts.append(_prose(cell.source, first=index == 0))
        elif cell.cell_type == "code" and cell.source.strip():
            parts.append(_code(cell, name, index))
    return "\n\n".join(p for p in parts if p) + "\n"


def stale(name: str, executed: Path = EXECUTED, solutions: Path = SOLUTIONS) -> str | None:
    """The executed copy shows a solution only while their cells are the same: an edited solution needs its run."""
    solution, copy = solutions / f"{name}.ipynb", executed / f"{name}.ipynb"
    if not solution.is_file():
        return f"docs/notebooks/{name}.ipynb has no solution in solutions/: delete it"
    ours = [c.source for c in nbformat.read(solution, as_version=4).cells]
    theirs = [c.source for c in nbformat.read(copy, as_version=4).cells]
    if ours != theirs:
        return (f"docs/notebooks/{name}.ipynb is stale: solutions/{name}.ipynb changed since it ran; "
                "run make docs-notebooks")
    return None


def _prose(source: str, *, first: bool) -> str:
    lines = source.split("\n")
    if first and lines and lines[0].startswith("# "):
        lines = lines[1:]  # the notebook's title is the page's
    out, fenced = [], False
    for line in lines:
        if FENCE.match(line):
            fenced = not fenced
        elif not fenced and LIST_ITEM.match(line) and out and out[-1].strip() and not LIST_ITEM.match(out[-1]) \
                and not out[-1].startswith(" "):
            out.append("")  # Jupyter starts a list right under a line of text; Python-Markdown needs a blank line
        out.append(line if fenced else REPO_LINK.sub(rf"]({REPOSITORY}\1)", HEADING.sub(r"#\1", line)))
    return "\n".join(out).strip()


def _code(cell: NotebookNode, name: str, index: int) -> str:
    student = _student_view(cell, name, index)
    parts = [_fenced(student, "python")]
    if student != cell.source:
        finished = "\n".join(line for line in cell.source.split("\n") if not _is_solution_marker(line))
        parts.append('??? success "Solution"\n\n' + _indent(_fenced(finished, "python")))
    parts.extend(filter(None, (_output(o) for o in cell.get("outputs", []))))
    return "\n\n".join(parts)


def _student_view(cell: NotebookNode, name: str, index: int) -> str:
    copy = nbformat.from_dict({"cell_type": "code", "source": cell.source, "metadata": {}, "outputs": [],
                               "execution_count": None})
    replace_regions(copy, SOLUTION, lambda indent, _: [f"{indent}# YOUR CODE HERE"], name, index)
    return copy.source


def _is_solution_marker(line: str) -> bool:
    marker = MARKER.match(line)
    return bool(marker and marker["kind"] == SOLUTION)


def _output(output: NotebookNode) -> str:
    kind = output.output_type
    if kind == "stream":
        return _text_output(output.text)
    if kind == "error":
        return _text_output("\n".join(output.traceback))
    data = output.get("data", {})
    if "image/png" in data:
        return f'<img class="nb-image" alt="" data-search-exclude src="data:image/png;base64,{"".join(data["image/png"].split())}">'
    if "image/svg+xml" in data:
        return f'<div class="nb-output nb-svg" data-search-exclude>{data["image/svg+xml"]}</div>'
    if "text/html" in data:
        return f'<div class="nb-output" data-search-exclude>\n{_one_block(data["text/html"])}\n</div>'
    if "text/plain" in data:
        return _text_output(data["text/plain"])
    return ""


def _text_output(text: str) -> str:
    text = ANSI.sub("", text).rstrip()
    if not text:
        return ""
    return f'<pre class="nb-output nb-text" data-search-exclude>{html.escape(text)}</pre>'


def _one_block(markup: str) -> str:
    """Raw HTML stays one block for Markdown only while it has no blank line: keep its line breaks, drop blank
    lines (outside <pre>, where they are content and become an escaped line break)."""
    def keep(match: re.Match) -> str:
        return match.group(0).replace("\n\n", "\n&#10;")
    markup = re.sub(r"<pre\b.*?</pre>", keep, markup, flags=re.S)
    return re.sub(r"\n\s*\n", "\n", markup).strip()


def _fenced(code: str, language: str) -> str:
    ticks = "````" if "```" in code else "```"
    return f"{ticks}{language}\n{code.rstrip()}\n{ticks}"


def _indent(text: str) -> str:
    return "\n".join(f"    {line}" if line else "" for line in text.split("\n"))
