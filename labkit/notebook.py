"""Notebook niceties: a LabError, or an exercise left as its stub, shows as one red line saying what to do, not as a
traceback."""

from __future__ import annotations

import sys
from typing import Any

from .errors import LabError

# What the stub of an unanswered exercise raises (NotImplementedError; tools/preprocessors/clear_solutions.py).
NOT_DONE = "is not done yet: see the Exercise"


def install_error_display() -> bool:
    """Register the one-line display in the running IPython kernel; False outside IPython."""
    # A running kernel has imported IPython already; importing it here would only slow every other importer of
    # labkit (the local cloud process among them) by ~0.1 s.
    ipython = sys.modules.get("IPython")
    if ipython is None:
        return False
    shell = ipython.get_ipython()
    if shell is None:
        return False

    def show(shell: Any, etype: type, value: BaseException, tb: Any, tb_offset: Any = None) -> None:
        if not isinstance(value, LabError) and NOT_DONE not in str(value):
            shell.showtraceback((etype, value, tb), tb_offset=tb_offset)  # a NotImplementedError of the learner's own
            return
        from rich.console import Console
        from rich.markup import escape

        # The message as written: no markup read into it, no number highlighting ("run notebook 02 first").
        Console(highlight=False).print(f"[bold red]{etype.__name__}:[/bold red] {escape(str(value))}")

    shell.set_custom_exc((LabError, NotImplementedError), show)
    return True
