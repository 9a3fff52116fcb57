"""``python -m tools.docs_notebooks [--all]`` (make docs-notebooks): refresh the notebooks the docs' lab pages show.

Every solutions/*.ipynb runs in order, 00 to 11, the optional labs (13 on), then 12, on a local cloud of its own (tools/fresh_cloud.py: nothing of
yours is touched, and 12 cleans that cloud up), as make demo runs them. The executed copies, secrets stripped, go
to docs/notebooks/, from which tools/docs_hooks.py renders each lab page's notebook. They are committed, so the
docs build needs no cloud; the build fails when a copy's code differs from its solution's (notebook_markdown.stale).
Only those copies, and missing ones, are replaced (every run differs in its ports, ids and times: replacing all would
change every file for nothing); --all replaces every copy.
"""

from __future__ import annotations

import argparse
import shutil
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.text import Text

from .fresh_cloud import fresh_cloud
from .notebook_markdown import EXECUTED, stale
from .notebooks import ROOT, display, workshop_order
from .run_notebooks import executed_copy, run_all

CELL_TIMEOUT = 300


def refresh(out_dir: Path = EXECUTED, report=None, every: bool = False) -> tuple[str | None, list[str]]:  # noqa: ANN001
    """Run every solution on a fresh cloud and keep the executed copies in ``out_dir`` of those that are stale or
    missing (``every``: of all); (the first failure or None, the names replaced). Nothing is replaced unless every
    notebook ran."""
    notebooks = workshop_order(list((ROOT / "solutions").glob("*.ipynb")))
    with tempfile.TemporaryDirectory() as work:
        with fresh_cloud(Path(work) / "state"):
            outcomes = run_all(notebooks, timeout=CELL_TIMEOUT, out_dir=Path(work) / "executed",
                               report=report)
        failure = next((o.failure for o in outcomes if o.failure), None)
        replaced = []
        if failure is None:
            out_dir.mkdir(parents=True, exist_ok=True)
            for notebook in notebooks:
                copy = out_dir / notebook.name
                if every or not copy.is_file() or stale(notebook.stem, out_dir, notebook.parent):
                    shutil.copyfile(executed_copy(notebook, Path(work) / "executed"), copy)
                    replaced.append(notebook.stem)
    return failure, replaced


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.docs_notebooks", description="Rerun every solution on a local cloud of its own; keep the executed copies the docs show.")
    parser.add_argument("--all", action="store_true", help="replace every copy, not only those that are stale")
    args = parser.parse_args(argv)
    console = Console(highlight=False)
    console.print("running every solution on a local cloud of its own (about 2 minutes) …")

    def report(outcome) -> None:  # noqa: ANN001 — run_notebooks.Outcome
        if not outcome.failure:
            console.print(Text.assemble(("✓ ", "green"), f"{display(outcome.path)}  {outcome.seconds:.1f} s"))

    failure, replaced = refresh(report=report, every=args.all)
    if failure:
        console.print(f"[red]✗[/red] {failure}: docs/notebooks/ is unchanged")
        return 1
    console.print(f"[green]✓[/green] {display(EXECUTED)} holds every solution as it ran; replaced: "
                  f"{', '.join(replaced) or 'none (all were current)'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
