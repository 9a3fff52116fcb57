"""Grading a class: every learner of a roster, into one gradebook and a report per learner (make grade).

    read_roster(path)                  the roster's rows as Learner, or RosterError saying which row is wrong
    settings(learner, base)            the LAB_* (and, on AWS, credential) settings that learner's make check uses
    grade(learners, base, out, jobs)   grade them all; writes <out>/gradebook.csv and <out>/<learner>/check.{json,xml}

The roster is a CSV file with a header. Columns (only ``learner`` is required on the local target):

    learner    the learner's name (LAB_LEARNER): 1-30 lower-case letters, digits or '-'
    domain     their LAB_DOMAIN; on the local target the site is <learner>.<domain> (default contact.localhost)
    prefix     their LAB_PREFIX (default lab)
    email      their LAB_OWNER_EMAIL (default <learner>@example.com)
    account    AWS target: the learner's 12-digit account, which the kit refuses to leave (LAB_AWS_ACCOUNT)
    role_arn   AWS target: a role in that account for the grader to assume; the checks also write (a throw-away
               visitor, items, a queue): docs/instructors.md, "A class on AWS", lists the permissions

Local target: one local cloud serves the whole class, each learner in an account of their own (their access key
names it), so the learners are graded in threads of this process, ``jobs`` at a time. AWS target: the grader
assumes each learner's role, and that learner's make check runs in a process of its own with those credentials
and the same account guard as a learner's own.
"""

from __future__ import annotations

import csv
import json
import multiprocessing
import os
import re
import subprocess
import sys
import time
from collections.abc import Callable, Mapping
from concurrent.futures import ProcessPoolExecutor, ThreadPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path
from queue import Empty
from typing import Any

from labkit import config as _config
from labkit.errors import ConfigError, LabError

COLUMNS = ("learner", "domain", "prefix", "email", "account", "role_arn")
_ENV = {"domain": "LAB_DOMAIN", "prefix": "LAB_PREFIX", "email": "LAB_OWNER_EMAIL", "account": "LAB_AWS_ACCOUNT"}
_ROLE = re.compile(r"arn:aws[a-z-]*:iam::(\d{12}):role/[\w+=,.@/-]+")


class RosterError(LabError):
    pass


@dataclass(frozen=True)
class Learner:
    name: str
    row: int  # the roster's line number, for messages
    columns: dict[str, str] = field(default_factory=dict)  # the other columns given, by name


@dataclass
class Graded:
    learner: str
    outcome: str  # pass, fail, pending, or "error" when the learner could not be graded at all
    score: str = ""
    seconds: float = 0.0
    first_failure: str = ""  # "<check>: <hint>" of the first failed check, or the error
    statuses: dict[str, str] = field(default_factory=dict)  # check id → status


def read_roster(path: Path) -> list[Learner]:
    """The learners of a roster CSV, each row checked as config.load() would check its settings."""
    try:
        with open(path, newline="", encoding="utf-8-sig") as handle:
            rows = list(csv.DictReader(handle))
            header = [h.strip().lower() for h in (rows[0].keys() if rows else [])]
    except FileNotFoundError:
        raise RosterError(f"no roster at {path}: write a CSV file with a 'learner' column, one learner per row "
                          "(see docs/instructors.md)") from None
    except (OSError, UnicodeDecodeError, csv.Error) as exc:
        raise RosterError(f"cannot read the roster {path}: {exc}") from None
    if not rows:
        raise RosterError(f"the roster {path} names no learner: its first line is the header (learner,domain,…), "
                          "then one learner per line")
    if "learner" not in header:
        raise RosterError(f"the roster {path} has no 'learner' column (its header: {', '.join(header)})")
    unknown = [h for h in header if h and h not in COLUMNS]
    if unknown:
        raise RosterError(f"the roster {path} has columns the kit does not know: {', '.join(unknown)}; the columns "
                          f"are {', '.join(COLUMNS)}")
    learners: list[Learner] = []
    seen: dict[str, int] = {}
    for number, raw in enumerate(rows, start=2):
        row = {(k or "").strip().lower(): (v or "").strip() for k, v in raw.items()}
        name = row.pop("learner", "").lower()
        if not name and not any(row.values()):
            continue  # a blank line
        if not _config.LEARNER_NAME.fullmatch(name):
            raise RosterError(f"{path} line {number}: learner {name!r} cannot name a domain and an account: use "
                              "1-30 lower-case letters, digits or '-'")
        if name in seen:
            raise RosterError(f"{path} line {number}: learner {name!r} is already on line {seen[name]}")
        seen[name] = number
        learners.append(Learner(name, number, {k: v for k, v in row.items() if v}))
    return learners


def settings(learner: Learner, base: Mapping[str, str]) -> dict[str, str]:
    """The environment of that learner's make check: ``base`` (the grader's) with the roster's columns."""
    env = {**base, "LAB_LEARNER": learner.name, "LAB_OWNER": learner.name}
    env.pop("LAB_OWNER_EMAIL", None)  # the grader's own address is not the learner's
    for column, variable in _ENV.items():
        if column in learner.columns:
            env[variable] = learner.columns[column]
    return env


def grade(learners: list[Learner], base: Mapping[str, str], out: Path, *, jobs: int = 8, processes: int = 1,
          progress: Callable[[Graded], None] = lambda graded: None) -> list[Graded]:
    """Grade every learner (``jobs`` at a time); write the gradebook and each learner's reports under ``out``.

    ``processes``: on the local target, the learners are shared among that many worker processes (each grading
    its share ``jobs // processes`` at a time in threads): one process is held to one core by Python's GIL, and a
    class's checks are mostly Python work (boto3, TLS, HTTP). On AWS each learner's check is a process already."""
    cfgs = {}
    for learner in learners:  # every row's settings checked before any grading starts
        try:
            cfgs[learner.name] = _config.load(settings(learner, base))
        except ConfigError as exc:
            raise RosterError(f"roster line {learner.row} ({learner.name}): {exc}") from None
    aws = any(not cfg.local for cfg in cfgs.values())
    if aws:
        for learner in learners:
            _aws_columns(learner, cfgs[learner.name])
    out.mkdir(parents=True, exist_ok=True)
    work = [(learner, cfgs[learner.name], settings(learner, base) if aws else None) for learner in learners]
    processes = max(1, min(processes, len(learners))) if not aws else 1
    if processes == 1:
        results = _grade_share(work, out, max(1, jobs), progress)
    else:
        results = _grade_in_processes(work, out, max(1, jobs // processes), processes, progress)
    by_name = {graded.learner: graded for graded in results}
    results = [by_name[learner.name] for learner in learners]
    write_gradebook(results, out / "gradebook.csv")
    return results


Work = list[tuple[Learner, _config.Config, "dict[str, str] | None"]]  # learner, config, AWS settings (or None)


def _grade_one(learner: Learner, cfg: _config.Config, env: dict[str, str] | None, out: Path) -> Graded:
    started = time.monotonic()
    directory = out / learner.name
    try:
        graded = _grade_aws(learner, env, directory) if env is not None else _grade_local(learner, cfg, directory)
    except LabError as exc:
        graded = Graded(learner.name, "error", first_failure=str(exc))
    graded.learner = learner.name  # the roster's name, whatever the report says
    graded.seconds = round(time.monotonic() - started, 2)
    return graded


def _grade_share(work: Work, out: Path, jobs: int, progress: Callable[[Graded], None]) -> list[Graded]:
    """Grade these learners in threads of this process, ``jobs`` at a time."""
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        futures = [pool.submit(_grade_one, learner, cfg, env, out) for learner, cfg, env in work]
        results = []
        for future in as_completed(futures):
            results.append(future.result())
            progress(results[-1])
    return results


_progress_queue: Any = None  # in a worker process: where each learner's result goes as soon as it is graded


def _worker_init(queue: Any) -> None:
    global _progress_queue
    _progress_queue = queue


def _grade_share_in_worker(work: Work, out: Path, jobs: int) -> int:
    return len(_grade_share(work, out, jobs, _progress_queue.put))


def _grade_in_processes(work: Work, out: Path, jobs: int, processes: int,
                        progress: Callable[[Graded], None]) -> list[Graded]:
    """Share the learners among worker processes (spawned: the grader's threads are not forked), every
    ``processes``-th learner to each; results come back through a queue as each learner is done."""
    context = multiprocessing.get_context("spawn")
    queue = context.Queue()
    results: list[Graded] = []
    with ProcessPoolExecutor(processes, mp_context=context, initializer=_worker_init, initargs=(queue,)) as pool:
        futures = [pool.submit(_grade_share_in_worker, work[n::processes], out, jobs) for n in range(processes)]
        while len(results) < len(work):
            try:
                results.append(queue.get(timeout=0.5))
            except Empty:
                failed = next((f for f in futures if f.done() and f.exception() is not None), None)
                if failed is not None:
                    raise LabError(f"a grading process failed: {failed.exception()}")
                continue
            progress(results[-1])
        for future in futures:
            future.result()
    return results


def _grade_local(learner: Learner, cfg: _config.Config, directory: Path) -> Graded:
    from . import run
    from .report import write_json, write_junit

    report = run(None, cfg, learner=learner.name)
    gate = next((r for r in report.results if r.check == "setup.target" and r.status != "pass"), None)
    if gate is not None:
        raise LabError(gate.hint or gate.observed)
    directory.mkdir(parents=True, exist_ok=True)
    write_json(report, directory / "check.json")
    write_junit(report, directory / "check.xml")
    return _graded(report.as_dict())


def _aws_columns(learner: Learner, cfg: _config.Config) -> None:
    role = learner.columns.get("role_arn", "")
    match = _ROLE.fullmatch(role)
    if match is None:
        raise RosterError(f"roster line {learner.row} ({learner.name}): the aws target needs a role_arn column "
                          "with the role to assume in the learner's account (arn:aws:iam::<account>:role/<name>)")
    if cfg.aws_account and match.group(1) != cfg.aws_account:
        raise RosterError(f"roster line {learner.row} ({learner.name}): role_arn is in account {match.group(1)} "
                          f"but the account column says {cfg.aws_account}")


def _grade_aws(learner: Learner, env: dict[str, str], directory: Path) -> Graded:
    """Assume the learner's role, then run make check in a process with those credentials: the learner's own
    account guard (LAB_AWS_ACCOUNT, from the account column or the role's ARN) applies unchanged."""
    import boto3
    from botocore.exceptions import BotoCoreError, ClientError

    role = learner.columns["role_arn"]
    env.setdefault("LAB_AWS_ACCOUNT", _ROLE.fullmatch(role).group(1))  # type: ignore[union-attr]
    try:
        credentials = boto3.client("sts").assume_role(RoleArn=role, RoleSessionName=f"lab-grade-{learner.name}",
                                                     DurationSeconds=900)["Credentials"]
    except (BotoCoreError, ClientError) as exc:
        raise LabError(f"cannot assume {role}: {exc}") from None
    env.pop("AWS_PROFILE", None)
    env.update(AWS_ACCESS_KEY_ID=credentials["AccessKeyId"], AWS_SECRET_ACCESS_KEY=credentials["SecretAccessKey"],
               AWS_SESSION_TOKEN=credentials["SessionToken"])
    directory.mkdir(parents=True, exist_ok=True)
    done = subprocess.run([sys.executable, "-m", "validators", "--learner", learner.name, "--out", str(directory)],
                          env=env, capture_output=True, text=True, timeout=900)
    report = directory / "check.json"
    if not report.exists() or done.returncode not in (0, 1, 2):
        raise LabError((done.stderr or done.stdout).strip().splitlines()[-1] if (done.stderr or done.stdout)
                       else f"make check ended with status {done.returncode}")
    (directory / "gradebook.csv").unlink(missing_ok=True)  # the class gradebook holds the row
    return _graded(json.loads(report.read_text()))


def _graded(report: dict[str, Any]) -> Graded:
    results = report["results"]
    failure = next((r for r in results if r["status"] == "fail"), None)
    return Graded(report["learner"], report["outcome"], report["score"],
                  first_failure=f"{failure['check']}: {failure['hint']}" if failure else "",
                  statuses={r["check"]: r["status"] for r in results})


def write_gradebook(results: list[Graded], path: Path) -> None:
    """One row per learner (this run's, replacing the file): name, outcome, score, first failure, every check."""
    checks = list(dict.fromkeys(check for graded in results for check in graded.statuses))
    with open(path, "w", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(["learner", "graded_at", "outcome", "score", "first_failure", *checks])
        stamp = time.strftime("%Y-%m-%d %H:%M:%S")
        for graded in results:
            writer.writerow([graded.learner, stamp, graded.outcome, graded.score, graded.first_failure,
                             *(graded.statuses.get(check, "") for check in checks)])


def main(argv: list[str] | None = None) -> int:
    import argparse

    from rich.console import Console
    from rich.markup import escape
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
    from rich.table import Table

    from labkit import target

    from .report import STYLES

    parser = argparse.ArgumentParser(prog="python -m validators.grade", description="Grade every learner of a roster")
    parser.add_argument("roster", type=Path, help="CSV file: a 'learner' column, optional " + ", ".join(COLUMNS[1:]))
    parser.add_argument("--out", type=Path, default=_config.PROJECT_ROOT / "reports" / "class",
                        help="where the gradebook and the learners' reports go (default reports/class)")
    parser.add_argument("--jobs", type=int, default=8, help="learners graded at once (default 8)")
    parser.add_argument("--processes", type=int, default=min(4, os.cpu_count() or 1),
                        help="local target: worker processes sharing the learners (default: the cores, at most 4)")
    args = parser.parse_args(argv)
    console, errors = Console(highlight=False), Console(stderr=True, highlight=False, soft_wrap=True)
    base = dict(os.environ)
    try:
        learners = read_roster(args.roster)
        cfg = _config.load(base)
        if cfg.local:
            target.check(cfg)  # the local cloud is up: else one line, not a gradebook of errors
    except LabError as exc:
        errors.print(f"[bold red]error:[/bold red] {escape(str(exc))} (nothing graded)")
        return 2
    started = time.monotonic()
    with Progress(TextColumn("grading"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                  console=console, transient=True) as bar:
        task = bar.add_task("grading", total=len(learners))
        try:
            results = grade(learners, base, args.out, jobs=args.jobs, processes=args.processes,
                            progress=lambda g: bar.advance(task))
        except LabError as exc:
            errors.print(f"[bold red]error:[/bold red] {escape(str(exc))} (nothing graded)")
            return 2
    table = Table(title=f"{len(results)} learners · {time.monotonic() - started:.1f} s")
    for column in ("learner", "outcome", "score", "first failure"):
        table.add_column(column, overflow="fold", no_wrap=column == "learner")
    for graded in results:
        style = STYLES.get(graded.outcome, "bold red")
        table.add_row(graded.learner, f"[{style}]{graded.outcome}[/{style}]", graded.score,
                      escape(graded.first_failure))
    console.print(table)
    console.print(f"Gradebook: {args.out / 'gradebook.csv'}; each learner's report: {args.out}/<learner>/check.json")
    return 0 if all(g.outcome == "pass" for g in results) else 1


if __name__ == "__main__":
    # Through the module's own name, so what worker processes are handed pickles as validators.grade.<name>.
    from validators.grade import main as _main

    sys.exit(_main())
