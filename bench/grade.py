"""Grading a class on one local cloud (make grade), against one learner's make check, in one run.

A run starts a local cloud of its own (``python -m labkit up``: its own state directory and free loopback ports),
builds LEARNERS deployments on it through the workshop's public APIs (tools.deploy_workshop: the solution
notebooks' boto3 calls, each learner in an account of their own), then measures:

    baseline   ``python -m validators`` (make check) for the first learner: one learner graded alone
    grade      ``python -m validators.grade ROSTER`` (make grade) for all of them

``--runs`` timings of each, at most 3 (the build is done once); medians are reported, with the ratio of the class's
grading to one learner's. Goal (issue: the whole journey and its grading): 50 learners graded in 30 s or less on
the project's 2-core machine; here that is grade_s, reported beside the ratio since other machines differ.
"""

from __future__ import annotations

import json
import os
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

from tools.fresh_cloud import cloud_settings, environment, labkit_command

from .workshop import ROOT

LEARNERS = 50
GOAL_SECONDS = 30
MAX_RUNS = 3
TIMEOUT = 600


def _timed(command: list[str], **env: str) -> tuple[float, int, str]:
    start = time.monotonic()
    done = subprocess.run(command, cwd=ROOT, timeout=TIMEOUT, capture_output=True, text=True,
                          env={**os.environ, **env})
    return time.monotonic() - start, done.returncode, (done.stderr or done.stdout).strip()[-800:]


def run(runs: int = 5, learners: int = LEARNERS) -> dict:
    sys.path.insert(0, str(ROOT))
    from tools.deploy_workshop import deploy_class

    names = [f"learner{n:02d}" for n in range(learners)]
    with tempfile.TemporaryDirectory() as work_dir:
        work = Path(work_dir)
        roster = work / "roster.csv"
        roster.write_text("learner\n" + "".join(f"{name}\n" for name in names))
        settings = {**cloud_settings(work / "state"), "LAB_CLOUDFRONT_DEPLOY_SECONDS": "1"}  # building is not timed
        with environment(settings):
            labkit_command("up")
            try:
                start = time.monotonic()
                base = {k: v for k, v in settings.items() if v is not None}
                deploy_class([{**base, "LAB_LEARNER": name} for name in names], jobs=2)
                build_s = time.monotonic() - start
                checks, grades, failures = [], [], []
                for number in range(max(1, min(runs, MAX_RUNS))):
                    seconds, rc, tail = _timed([sys.executable, "-m", "validators", "--out",
                                                str(work / f"check{number}")], LAB_LEARNER=names[0])
                    checks.append(seconds)
                    if rc != 0:
                        failures.append(f"make check exited {rc}: {tail}")
                    seconds, rc, tail = _timed([sys.executable, "-m", "validators.grade", str(roster),
                                                "--out", str(work / f"class{number}")])
                    grades.append(seconds)
                    if rc != 0:
                        failures.append(f"make grade exited {rc}: {tail}")
            finally:
                labkit_command("down")
    check_s, grade_s = statistics.median(checks), statistics.median(grades)
    result = {
        "learners": learners,
        "runs": len(grades),
        "build_s": round(build_s, 1),
        "baseline_check_s": round(check_s, 2),
        "grade_s": round(grade_s, 2),
        "ratio": round(grade_s / check_s, 1),
        "per_learner_s": round(grade_s / learners, 2),
        "goal": f"grade_s <= {GOAL_SECONDS} for {LEARNERS} learners (make grade on the project's 2-core machine)",
    }
    if failures:
        result["failed"] = failures[0]
    result["meets_goal"] = not failures and learners >= LEARNERS and grade_s <= GOAL_SECONDS
    return result


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 1), indent=2))
