"""``python -m tools.run_notebooks NOTEBOOK... [--timeout SECONDS] [--out DIR]``: run notebooks as a learner would.

Each notebook runs top to bottom in a fresh python3 kernel whose working directory is the notebook's folder, in
the order given. The first failure stops the run, since later notebooks build on what earlier ones created. The
executed copy, secrets stripped, is written for reading afterwards under --out, in a folder named after the
notebook's own (reports/notebooks/solutions/01-s3.ipynb, reports/notebooks/labs/01-s3.ipynb), so that running a lab
never overwrites its solution's copy.
"""

from __future__ import annotations

import argparse
import glob
import sys
import time
from pathlib import Path

from nbclient import NotebookClient
from nbformat import NotebookNode
from rich.console import Console
from rich.text import Text
from traitlets.config import Config

from .notebooks import ROOT, display, first_line, read, render
from .preprocessors import NotebookError, StripSecrets
from .preprocessors.errors import cell_location


def expand(arguments: list[str]) -> list[Path]:
    """The notebooks to run, in argument order. A glob is expanded here too (it may come quoted); one that matched
    nothing, which the shell passes on unchanged, is dropped."""
    paths: list[Path] = []
    for argument in arguments:
        if "*" in argument:
            paths.extend(Path(match) for match in sorted(glob.glob(argument)))
        else:
            paths.append(Path(argument))
    return paths


def executed_copy(path: Path, out_dir: Path) -> Path:
    """Where the executed copy of the notebook at ``path`` goes: ``out_dir/<its folder's name>/<its name>``."""
    return out_dir / path.resolve().parent.name / path.name


def run(path: Path, timeout: int, out_dir: Path) -> str | None:
    """Execute the notebook at ``path`` and write its stripped executed copy to ``executed_copy(path, out_dir)``;
    return None if it ran through, else why it failed, as one line naming the cell."""
    name = display(path)
    nb = read(path)
    started: list[int] = []  # indexes of the cells started; the last one is where a failure happened
    client = NotebookClient(
        nb,
        timeout=timeout,
        kernel_name="python3",
        resources={"metadata": {"path": str(path.parent)}},
        # Encrypt kernel traffic when the kernel supports it, which also spares each run a kernel warning about it.
        config=Config({"KernelManager": {"transport_encryption": "auto"}}),
        on_cell_start=lambda cell, cell_index: started.append(cell_index),
    )
    failure = None
    try:
        client.execute()
    except Exception as err:  # whatever stopped the notebook (error, timeout, dead kernel) is reported
        failure = _describe(err, nb, name, started[-1] if started else None)
    copy = executed_copy(path, out_dir)
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes(render(StripSecrets().preprocess(nb, name)))
    return failure


def _describe(err: Exception, nb: NotebookNode, name: str, index: int | None) -> str:
    """``<notebook> cell N: <ExceptionName>: <message>``, from the cell's error output when it has one."""
    if index is None:  # the kernel did not start
        return f"{name}: {type(err).__name__}: {first_line(err)}"
    cell = nb.cells[index]
    error = next((output for output in cell.get("outputs", []) if output.output_type == "error"), None)
    ename, evalue = (error.ename, error.evalue) if error else (type(err).__name__, err)
    return ": ".join(part for part in (cell_location(name, index, cell), ename, first_line(evalue)) if part)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.run_notebooks",
                                     description="Run notebooks top to bottom; stop at the first failure.")
    parser.add_argument("notebooks", nargs="+", metavar="NOTEBOOK")
    parser.add_argument("--timeout", type=int, default=600, metavar="SECONDS",
                        help="the longest one cell may run (default: 600)")
    parser.add_argument("--out", type=Path, default=ROOT / "reports" / "notebooks", metavar="DIR",
                        help="where the executed copies go, in one folder per notebook folder "
                             "(default: reports/notebooks)")
    args = parser.parse_args(argv)
    # Colour only on a terminal; no wrapping, so that each notebook stays on one line in logs.
    console = Console(highlight=False, soft_wrap=True)
    paths = expand(args.notebooks)
    if not paths:
        console.print(f"no notebooks to run: nothing matches {' '.join(args.notebooks)}", markup=False)
        return 1
    for number, path in enumerate(paths, start=1):
        start = time.monotonic()
        try:
            failure = run(path, args.timeout, args.out)
        except NotebookError as err:
            failure = str(err)
        if failure:
            console.print(Text.assemble(("✗ ", "bold red"), failure))
            if number < len(paths):
                console.print(f"not run: {', '.join(display(later) for later in paths[number:])}", markup=False)
            return 1
        console.print(Text.assemble(("✓ ", "green"), f"{display(path)}  {time.monotonic() - start:.1f} s"))
    return 0


if __name__ == "__main__":
    sys.exit(main())
