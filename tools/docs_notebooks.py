"""``python -m tools.docs_notebooks`` (make docs-notebooks): refresh the notebooks the docs' lab pages show.

Every solutions/*.ipynb runs in order, 00 to 12, on a local cloud of its own (tools/fresh_cloud.py: nothing of
yours is touched, and 12 cleans that cloud up), as make demo runs them. The executed copies, secrets stripped, go
to docs/notebooks/, from which tools/docs_hooks.py renders each lab page's notebook. They are committed, so the
docs build needs no cloud; the build fails when a copy's code differs from its solution's (notebook_markdown.stale).
"""

from __future__ import annotations

import shutil
import sys
import tempfile
from pathlib import Path

from rich.console import Console
from rich.text import Text

from .fresh_cloud import fresh_cloud
from .notebook_markdown import EXECUTED
from .notebooks import ROOT, display
from .run_notebooks import executed_copy, run_all

CELL_TIMEOUT = 300


def refresh(out_dir: Path = EXECUTED, report=None) -> str | None:  # noqa: ANN001 — run_all's callback
    """Run every solution on a fresh cloud and keep the executed copies in ``out_dir``; the first failure, or
    None. Nothing is replaced unless every notebook ran."""
    notebooks = sorted((ROOT / "solutions").glob("*.ipynb"))
    with tempfile.TemporaryDirectory() as work:
        with fresh_cloud(Path(work) / "state"):
            outcomes = run_all(notebooks, timeout=CELL_TIMEOUT, out_dir=Path(work) / "executed",
                               report=report)
        failure = next((o.failure for o in outcomes if o.failure), None)
        if failure is None:
            out_dir.mkdir(parents=True, exist_ok=True)
            for notebook in notebooks:
                shutil.copyfile(executed_copy(notebook, Path(work) / "executed"), out_dir / notebook.name)
    return failure


def main() -> int:
    console = Console(highlight=False)
    console.print("running every solution on a local cloud of its own (about 2 minutes) …")

    def report(outcome) -> None:  # noqa: ANN001 — run_notebooks.Outcome
        if not outcome.failure:
            console.print(Text.assemble(("✓ ", "green"), f"{display(outcome.path)}  {outcome.seconds:.1f} s"))

    failure = refresh(report=report)
    if failure:
        console.print(f"[red]✗[/red] {failure}: docs/notebooks/ is unchanged")
        return 1
    console.print(f"[green]✓[/green] {display(EXECUTED)} holds every solution as it ran")
    return 0


if __name__ == "__main__":
    sys.exit(main())
