"""``python -m validators`` (make check): grade the deployment, print the table, write the reports.

Exit status: 0 every check passed (or was skipped), 1 a check failed (or a setting is wrong), 2 some are still
pending (run again later) or the target cannot be graded at all (no LAB_AWS_ACCOUNT, no credentials, another
account, the local cloud down): then one line says why and no report or gradebook row is written, since a table
of skips and a 0/N row would only hide that one cause.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from rich.console import Console
from rich.markup import escape

import labkit
from labkit import target
from labkit.config import PROJECT_ROOT

from . import ALL_LAYERS, OPTIONAL, run
from .report import print_table, write_all


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m validators", description="Grade a Serverless Lab Kit deployment")
    parser.add_argument("--layer", action="append", choices=list(ALL_LAYERS), help="a layer to check (repeatable; "
                        f"default: every core layer; the optional ones, {', '.join(OPTIONAL)}, only when named)")
    parser.add_argument("--learner", help="name in the reports (default: LAB_OWNER or the login name)")
    parser.add_argument("--out", type=Path, default=PROJECT_ROOT / "reports", help="where the reports go")
    args = parser.parse_args(argv)
    console = Console(highlight=False)
    errors = Console(stderr=True, highlight=False, soft_wrap=True)  # soft_wrap: one line, even at 80 columns
    try:
        cfg = labkit.load_config()
    except labkit.LabError as exc:
        errors.print(f"[bold red]error:[/bold red] {escape(str(exc))}")
        return 1
    try:
        target.check(cfg)  # the setup gate, before anything is graded
    except labkit.LabError as exc:
        errors.print(f"[bold red]error:[/bold red] {escape(str(exc))} (nothing graded, no report written)")
        return 2
    try:
        report = run(args.layer, cfg, learner=args.learner)
    except labkit.LabError as exc:
        errors.print(f"[bold red]error:[/bold red] {escape(str(exc))}")
        return 1
    gate = next((r for r in report.results if r.check == "setup.target" and r.status != "pass"), None)
    if gate:  # the target went away after the check above
        errors.print(f"[bold red]error:[/bold red] {escape(gate.hint)} (nothing graded, no report written)")
        return 2
    print_table(report, console)
    paths = write_all(report, args.out)
    console.print(f"Reports: {paths['json']}, {paths['junit']}, {paths['gradebook']}")
    if report.outcome == "fail":
        console.print("[bold red]Some checks failed:[/bold red] the hints say what to look at.")
        return 1
    if report.outcome == "pending":
        console.print("[yellow]Some checks are still pending[/yellow] (AWS is settling): run make check again.")
        return 2
    console.print(f"[green]All checks passed[/green] ({report.score}).")
    return 0


if __name__ == "__main__":
    sys.exit(main())
