"""Waiting on a condition, bounded by a deadline, with a progress bar: the one retry loop of the kit.

    retry_until(description, attempt, deadline=…)   calls attempt() until it returns a value
    NotYet(reason)      raised by attempt: not ready, try again (the reason labels the bar)
    Fatal(reason)       raised by attempt: will never succeed, stop at once
    StillPending        raised by retry_until when the deadline passes on NotYet
"""

from __future__ import annotations

import io
import time
from collections.abc import Callable
from typing import Any, TypeVar

from .errors import LabError

T = TypeVar("T")
PROMPTNESS = 0.1  # a pause is at most this fraction of the time waited so far (once past ``backoff``)


class NotYet(Exception):
    """The condition does not hold yet; ``reason`` says what was seen."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class Fatal(LabError):
    """The condition can never hold (a missing resource, a rejected request): do not wait."""


class StillPending(LabError):
    def __init__(self, description: str, reason: str, waited: float) -> None:
        self.description, self.reason, self.waited = description, reason, waited
        super().__init__(f"{description}: still not done after {waited:.0f} s ({reason}); run the cell again to wait longer")


def retry_until(
    description: str,
    attempt: Callable[[], T],
    *,
    deadline: float = 60.0,
    backoff: float = 0.25,
    max_interval: float = 5.0,
    progress: bool = True,
    clock: Callable[[], float] = time.monotonic,
    sleep: Callable[[float], None] = time.sleep,
) -> T:
    """Call ``attempt`` until it returns. The first pauses last ``backoff``; later ones a tenth of the time waited so
    far, up to ``max_interval``.

    So a wait ends at most about 10 % after its condition starts to hold (pauses doubling from 0.25 s would first
    see a 10 s deploy done at 12.75 s), and a long wait on AWS still asks no more often than every ``max_interval``.

    Raises StillPending after ``deadline`` seconds of NotYet, or Fatal at once. With ``progress`` a rich bar shows
    the description, the elapsed time against the deadline and the latest NotYet reason.
    """
    start = clock()
    reason = "not tried yet"
    bar = _Bar(description, deadline) if progress else None
    try:
        while True:
            try:
                value = attempt()
            except NotYet as exc:
                reason = exc.reason
            else:
                if bar:
                    bar.done()
                return value
            elapsed = clock() - start
            if bar:
                bar.update(elapsed, reason)
            if elapsed >= deadline:
                raise StillPending(description, reason, elapsed)
            pause = min(max(backoff, elapsed * PROMPTNESS), max_interval)
            sleep(min(pause, max(0.0, deadline - elapsed)))
    finally:
        if bar:
            bar.close()


class _Bar:
    """A rich progress bar: live in a terminal, silent where output is not a terminal, and in a notebook one output
    redrawn in place, whose last state (done, or the reason it gave up) stays readable in the saved notebook."""

    def __init__(self, description: str, deadline: float) -> None:
        from rich.console import Console
        from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

        console = Console()
        # rich's own live display in Jupyter is an ipywidgets widget: without ipywidgets it warns instead, and with
        # it a saved notebook keeps only "Output()" unless the widget state was saved too.
        self._notebook = _Frame(console.width) if console.is_jupyter else None
        self._progress = Progress(
            TextColumn("[bold]{task.description}"),
            BarColumn(),
            TimeElapsedColumn(),
            TextColumn("{task.fields[reason]}"),
            console=console,
            auto_refresh=self._notebook is None,
            transient=False,
        )
        self._task = self._progress.add_task(description, total=deadline, reason="")
        if self._notebook:
            self._redraw()
        else:
            self._progress.start()

    def update(self, elapsed: float, reason: str) -> None:
        self._progress.update(self._task, completed=elapsed, reason=reason)
        self._redraw()

    def done(self) -> None:
        self._progress.update(self._task, completed=self._progress.tasks[0].total, reason="done")
        self._redraw()

    def close(self) -> None:
        if self._notebook:
            self._progress.stop_task(self._task)  # the elapsed time stays where the wait ended
            self._redraw()
        else:
            self._progress.stop()

    def _redraw(self) -> None:
        if self._notebook:
            self._notebook.show(self._progress.get_renderable())


class _Frame:
    """One notebook output showing a rich renderable, replaced in place on each ``show`` (a display id)."""

    def __init__(self, width: int) -> None:
        self._width = width
        self._handle: Any = None

    def show(self, renderable: Any) -> None:
        from IPython.display import display
        from rich.console import Console
        from rich.jupyter import JUPYTER_HTML_FORMAT

        record = Console(file=io.StringIO(), record=True, width=self._width, force_jupyter=False,
                         force_terminal=True, color_system="truecolor")
        record.print(renderable)
        bundle = {
            "text/plain": record.export_text(clear=False),
            "text/html": record.export_html(inline_styles=True, code_format=JUPYTER_HTML_FORMAT),
        }
        if self._handle is None:
            self._handle = display(bundle, raw=True, display_id=True)
        else:
            self._handle.update(bundle, raw=True)
