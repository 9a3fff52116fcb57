"""``python -m tools.run_notebooks NOTEBOOK... [--timeout SECONDS] [--out DIR] [--cells SECONDS]``: run notebooks as
a learner would.

Each notebook runs top to bottom in a fresh python3 kernel whose working directory is the notebook's folder, in
the order given. The first failure stops the run, since later notebooks build on what earlier ones created. The
executed copy, secrets stripped, is written for reading afterwards under --out, in a folder named after the
notebook's own (reports/notebooks/solutions/01-s3.ipynb, reports/notebooks/labs/01-s3.ipynb), so that running a lab
never overwrites its solution's copy.

    run_all(paths, …)   the run, as a list of Outcome (failure, seconds, seconds per cell); bench/workshop.py uses it
    main()              the command line: one ✓ or ✗ line per notebook

A kernel takes about a second to start (ipykernel's imports), as long as some whole notebooks take to run: each
notebook's kernel is started while the notebook before it runs, and a finished one is shut down in the background.
Every notebook still gets a kernel of its own that has run nothing before it.
"""

from __future__ import annotations

import argparse
import asyncio
import glob
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path

# nbformat imports jsonschema, which imports rfc3987_syntax when it is installed (JupyterLab's dependencies bring it)
# for its "iri" format checks only, and that import builds a grammar: 1.5 s of every run's start, measured here. No
# notebook schema asks for that format, so a run does without it (set before nbformat is first imported; if it was
# imported already, nothing changes).
sys.modules.setdefault("rfc3987_syntax", None)  # type: ignore[arg-type]

from jupyter_client.manager import AsyncKernelManager
from nbclient import NotebookClient
from nbformat import NotebookNode
from rich.console import Console
from rich.text import Text
from traitlets.config import Config

from .notebooks import ROOT, display, first_line, read, render
from .preprocessors import NotebookError, StripSecrets
from .preprocessors.errors import cell_location

# Encrypt kernel traffic when the kernel supports it, which also spares each run a kernel warning about it.
KERNEL_CONFIG = Config({"KernelManager": {"transport_encryption": "auto"}})
# What nbclient passes to the kernels it starts itself: no IPython history database for a run like this.
KERNEL_ARGUMENTS = ["--HistoryManager.hist_file=:memory:"]


@dataclass
class Outcome:
    """How one notebook ran."""

    path: Path
    failure: str | None  # None if it ran through, else why not, as one line naming the cell
    seconds: float  # from taking its kernel (perhaps still starting) to its executed copy written
    cells: dict[int, float] = field(default_factory=dict)  # seconds of each code cell run, by index in nb.cells


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


def run_all(paths: list[Path], *, timeout: int = 600, out_dir: Path = ROOT / "reports" / "notebooks",
            report: Callable[[Outcome], None] = lambda outcome: None) -> list[Outcome]:
    """Run the notebooks at ``paths`` in order and return their outcomes, calling ``report`` with each as it comes;
    the first failure is the last outcome (the notebooks after it are not run)."""
    return asyncio.run(_run_all(paths, timeout, out_dir, report))


async def _run_all(paths: list[Path], timeout: int, out_dir: Path,
                   report: Callable[[Outcome], None]) -> list[Outcome]:
    outcomes: list[Outcome] = []
    stopping: list[asyncio.Task] = []
    upcoming = asyncio.ensure_future(_start_kernel(paths[0])) if paths else None
    try:
        for number, path in enumerate(paths):
            start = time.monotonic()
            kernel, upcoming = upcoming, None
            # The next notebook's kernel boots while this one runs (the first one boots alone).
            if number + 1 < len(paths):
                upcoming = asyncio.ensure_future(_start_kernel(paths[number + 1]))
            outcome = await _run_one(path, kernel, timeout, out_dir, stopping)
            outcome.seconds = time.monotonic() - start
            outcomes.append(outcome)
            report(outcome)
            if outcome.failure:
                break
    finally:
        if upcoming is not None:  # a failure stopped the run before that kernel's notebook
            stopping.append(asyncio.ensure_future(_stop_started(upcoming)))
        await asyncio.gather(*stopping, return_exceptions=True)
    return outcomes


async def _start_kernel(path: Path) -> AsyncKernelManager:
    km = AsyncKernelManager(kernel_name="python3", config=KERNEL_CONFIG)
    await km.start_kernel(cwd=str(path.parent), extra_arguments=KERNEL_ARGUMENTS)
    return km


async def _stop_started(kernel: asyncio.Future) -> None:
    """Kill a kernel that ran nothing (its notebook was never run): it may still be booting, and the interrupt a
    graceful shutdown begins with would end it with a KeyboardInterrupt traceback on the terminal."""
    try:
        km = await kernel
    except Exception:  # it never started: nothing to stop
        return
    await _stop(km, None, now=True)


async def _stop(km: AsyncKernelManager, client: NotebookClient | None, *, now: bool = False) -> None:
    """Shut the kernel down as nbclient does for the kernels it starts itself (a shutdown request, then a kill)."""
    try:
        if client is not None and client.kc is not None:
            client.kc.stop_channels()
        if await km.is_alive():
            await km.shutdown_kernel(now=now)
    finally:
        await km.cleanup_resources()


async def _run_one(path: Path, kernel: asyncio.Future, timeout: int, out_dir: Path,
                   stopping: list[asyncio.Task]) -> Outcome:
    """Execute the notebook at ``path`` in the kernel ``kernel`` will give, write its stripped executed copy to
    ``executed_copy(path, out_dir)`` and hand the kernel to ``stopping``."""
    name = display(path)
    try:
        nb = read(path)
    except NotebookError as err:
        stopping.append(asyncio.ensure_future(_stop_started(kernel)))
        return Outcome(path, str(err), 0.0)
    try:
        km = await kernel
    except Exception as err:  # the kernel did not start
        return Outcome(path, f"{name}: {type(err).__name__}: {first_line(err)}", 0.0)
    started: list[int] = []  # indexes of the code cells started; the last one is where a failure happened
    began: dict[int, float] = {}
    cells: dict[int, float] = {}

    def cell_started(cell: NotebookNode, cell_index: int) -> None:
        started.append(cell_index)
        began[cell_index] = time.monotonic()

    def cell_done(cell: NotebookNode, cell_index: int, execute_reply: dict) -> None:
        cells[cell_index] = time.monotonic() - began[cell_index]

    client = NotebookClient(nb, km=km, timeout=timeout, kernel_name="python3", config=KERNEL_CONFIG,
                            resources={"metadata": {"path": str(path.parent)}},
                            on_cell_execute=cell_started, on_cell_executed=cell_done)
    failure = None
    try:
        await client.async_execute()
    except Exception as err:  # whatever stopped the notebook (error, timeout, dead kernel) is reported
        failure = _describe(err, nb, name, started[-1] if started else None)
        if started and started[-1] not in cells:
            cells[started[-1]] = time.monotonic() - began[started[-1]]
    finally:
        stopping.append(asyncio.ensure_future(_stop(km, client)))
    copy = executed_copy(path, out_dir)
    copy.parent.mkdir(parents=True, exist_ok=True)
    copy.write_bytes(render(StripSecrets().preprocess(nb, name)))
    return Outcome(path, failure, 0.0, cells)


def _describe(err: Exception, nb: NotebookNode, name: str, index: int | None) -> str:
    """``<notebook> cell N: <ExceptionName>: <message>``, from the cell's error output when it has one."""
    if index is None:  # the kernel did not answer
        return f"{name}: {type(err).__name__}: {first_line(err)}"
    cell = nb.cells[index]
    error = next((output for output in cell.get("outputs", []) if output.output_type == "error"), None)
    if error is None:  # a LabError shown as one line (labkit.notebook) leaves no error output; the reply names it
        error = err if getattr(err, "ename", None) else None
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
    parser.add_argument("--cells", type=float, metavar="SECONDS",
                        help="under each notebook, list its cells that ran longer than SECONDS (where the time goes)")
    args = parser.parse_args(argv)
    # Colour only on a terminal; no wrapping, so that each notebook stays on one line in logs.
    console = Console(highlight=False, soft_wrap=True)
    paths = expand(args.notebooks)
    if not paths:
        console.print(f"no notebooks to run: nothing matches {' '.join(args.notebooks)}", markup=False)
        return 1

    def report(outcome: Outcome) -> None:
        if outcome.failure:
            console.print(Text.assemble(("✗ ", "bold red"), outcome.failure))
        else:
            console.print(Text.assemble(("✓ ", "green"), f"{display(outcome.path)}  {outcome.seconds:.1f} s"))
        if args.cells is not None:
            for index, seconds in sorted(outcome.cells.items()):
                if seconds > args.cells:
                    console.print(f"    cell {index}  {seconds:.1f} s", markup=False)

    outcomes = run_all(paths, timeout=args.timeout, out_dir=args.out, report=report)
    if outcomes[-1].failure:
        if len(outcomes) < len(paths):
            console.print(f"not run: {', '.join(display(later) for later in paths[len(outcomes):])}", markup=False)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
