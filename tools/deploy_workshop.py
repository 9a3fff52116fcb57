"""Build learners' deployments fast: the solution notebooks' code cells run in this process, without a kernel.

    deploy(settings)                   one learner: notebooks 00–10 with these LAB_* settings (raises DeployFailed)
    deploy_class(settings_list, jobs)  many learners, in ``jobs`` worker processes (one learner at a time in each,
                                       since labkit.activate() sets the process environment)
    python -m tools.deploy_workshop LEARNER...   the same from a shell (the local cloud's LAB_* settings apply)

This is what bench/grade and the class-grading tests build on: the same boto3 calls a learner's notebooks make,
some ten times cheaper than a kernel per notebook. Notebook 11 (a browser) and 12 (cleanup) are left out: the
journey layer checks 11's path without a browser.
"""

from __future__ import annotations

import contextlib
import io
import os
import sys
from collections.abc import Iterable, Mapping
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

from .notebooks import ROOT, read

CORE = tuple(f"{n:02d}-" for n in range(11))  # 00-setup … 10-sns


class DeployFailed(Exception):
    pass


def _notebooks() -> list[Path]:
    return [nb for nb in sorted((ROOT / "solutions").glob("*.ipynb")) if nb.name.startswith(CORE)]


def deploy(settings: Mapping[str, str]) -> str:
    """Run notebooks 00–10 for the learner these settings describe; returns the learner's name. A failing cell
    raises DeployFailed naming the notebook and cell, with the cell's output."""
    os.environ.update(settings)
    import labkit  # after the settings: the notebooks' labkit.activate() reads them

    labkit.activate()
    for path in _notebooks():
        namespace: dict[str, object] = {"__name__": "__main__"}
        for number, cell in enumerate(c for c in read(path).cells if c.cell_type == "code"):
            output = io.StringIO()
            try:
                with contextlib.redirect_stdout(output), contextlib.redirect_stderr(output):
                    exec(compile(cell.source, f"{path.name}[{number}]", "exec"), namespace)
            except BaseException as exc:  # noqa: BLE001 — a cell may raise anything, SystemExit included
                raise DeployFailed(f"{settings.get('LAB_LEARNER', '')}: {path.name} cell {number} failed: "
                                   f"{type(exc).__name__}: {exc}\n{output.getvalue()[-2000:]}") from None
    return settings.get("LAB_LEARNER", "")


def deploy_class(settings_list: Iterable[Mapping[str, str]], jobs: int = 2) -> list[str]:
    """Deploy every learner, ``jobs`` at a time, each in a process that builds one learner after another."""
    with ProcessPoolExecutor(max_workers=jobs, max_tasks_per_child=1) as pool:
        return list(pool.map(deploy, [dict(s) for s in settings_list]))


def main(argv: list[str] | None = None) -> int:
    learners = sys.argv[1:] if argv is None else argv
    if not learners:
        print("usage: python -m tools.deploy_workshop LEARNER... (builds each learner's site on the local cloud)")
        return 2
    base = {k: v for k, v in os.environ.items() if k.startswith("LAB_")}
    try:
        for name in deploy_class([{**base, "LAB_LEARNER": learner} for learner in learners]):
            print(f"✓ {name}")
    except DeployFailed as exc:
        print(f"error: {exc}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
