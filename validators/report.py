"""A Report on screen (rich table) and on disk: JSON, JUnit XML (for CI dashboards), a CSV gradebook row."""

from __future__ import annotations

import csv
import json
import time
from pathlib import Path
from xml.etree import ElementTree as ET

from rich.console import Console
from rich.style import Style
from rich.table import Table
from rich.text import Text

from . import Report

EXPLAINED = 3  # entry addresses printed under a table: the first failures are the ones to fix first
STYLES = {"pass": "green", "fail": "bold red", "pending": "yellow", "skip": "dim", "blocked": "magenta"}


def print_table(report: Report, console: Console | None = None) -> None:
    console = console or Console(highlight=False)
    table = Table(title=f"{report.learner} · {report.target} · {report.region} · score {report.score}")
    # Check ids and statuses never wrap (a name cut in two cannot be searched for); observed and hint fold instead.
    table.add_column("check", no_wrap=True)
    table.add_column("status", no_wrap=True)
    table.add_column("observed", overflow="fold")
    table.add_column("hint", overflow="fold")
    for r in report.results:
        style = STYLES.get(r.status, "")
        # A row that did not pass links its check's name to the check's entry in the docs (explain.py): a click in
        # a notebook or a terminal that shows links; the lines under the table give the addresses for the others.
        name = Text(r.check, style=Style(link=r.doc)) if r.doc else r.check
        table.add_row(name, f"[{style}]{r.status}[/{style}]", r.observed.splitlines()[0] if r.observed else "",
                      r.hint if r.status != "pass" else "")
    console.print(table)
    explained = list(dict.fromkeys(r.doc for r in report.results if r.doc))
    for doc in explained[:EXPLAINED]:
        console.print(f"explained: {doc}", markup=False, soft_wrap=True)
    if len(explained) > EXPLAINED:
        console.print(f"… and {len(explained) - EXPLAINED} more on the same page", markup=False)


def write_json(report: Report, path: Path) -> None:
    path.write_text(json.dumps(report.as_dict(), indent=2) + "\n")


def write_junit(report: Report, path: Path) -> None:
    suite = ET.Element("testsuite", name=f"serverless-lab-kit.{report.learner}", tests=str(len(report.results)),
                       failures=str(report.counts.get("fail", 0)),
                       skipped=str(sum(report.counts.get(s, 0) for s in ("skip", "pending", "blocked"))),
                       timestamp=time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(report.started)))
    for r in report.results:
        case = ET.SubElement(suite, "testcase", classname=r.check.split(".")[0], name=r.check, time=str(r.seconds))
        if r.status == "fail":
            failure = ET.SubElement(case, "failure", message=r.hint or r.observed)
            failure.text = f"observed: {r.observed}\nexpected: {r.expected}\nhint: {r.hint}" + (
                f"\n{r.detail}" if r.detail else "")
        elif r.status in ("pending", "skip", "blocked"):
            ET.SubElement(case, "skipped", message=f"{r.status}: {r.hint or r.observed}")
    ET.indent(suite)
    ET.ElementTree(suite).write(path, encoding="utf-8", xml_declaration=True)


def append_gradebook(report: Report, path: Path) -> None:
    """One row per run: learner, when, target, score, then one column per check (its status)."""
    row = {"learner": report.learner, "graded_at": time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(report.started)),
           "target": report.target, "outcome": report.outcome, "score": report.score}
    row.update({r.check: r.status for r in report.results})
    rows: list[dict[str, str]] = []
    if path.exists():
        with open(path, newline="") as handle:
            rows = list(csv.DictReader(handle))
    rows.append(row)
    columns = list(dict.fromkeys(key for r in rows for key in r))  # checks added by later layers extend the header
    with open(path, "w", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=columns, restval="")
        writer.writeheader()
        writer.writerows(rows)


def write_all(report: Report, directory: Path) -> dict[str, Path]:
    directory.mkdir(parents=True, exist_ok=True)
    paths = {"json": directory / "check.json", "junit": directory / "check.xml",
             "gradebook": directory / "gradebook.csv"}
    write_json(report, paths["json"])
    write_junit(report, paths["junit"])
    append_gradebook(report, paths["gradebook"])
    return paths
