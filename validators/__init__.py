"""Validators: one module per workshop layer, each a list of CHECKS that probe behaviour over real protocols.

    validators.check("setup")      a notebook's last cell: run one layer, show the table, raise if a check failed
    validators.run(["setup"])      run layers, return a Report (used by ``python -m validators`` = make check)

The layers run concurrently (runner.py); a check whose prerequisite did not pass is "blocked by" it, not failed.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import Any

import labkit
from labkit import Config, LabError, architecture, checkboard

from .base import FAIL, PASS, PENDING, Result
from .runner import run_layers

# Layer name → module, in workshop order (notebook number in the comment).
LAYERS: dict[str, str] = {
    "setup": "validators.setup",  # 00
    "s3": "validators.s3",  # 01
    "certificate": "validators.certificate",  # 02
    "dns": "validators.dns",  # 03
    "cdn": "validators.cdn",  # 04
    "waf": "validators.waf",  # 05
    "cognito": "validators.cognito",  # 06
    "dynamodb": "validators.dynamodb",  # 07
    "lambda": "validators.awslambda",  # 08
    "api": "validators.api",  # 09
    "sns": "validators.sns",  # 10
    "journey": "validators.journey",  # 11
}
# The optional labs (13 on): checked when named (validators.check("monitoring"), make check LAYER=monitoring),
# never by a plain make check, so the core workshop's grade does not depend on them.
OPTIONAL: dict[str, str] = {
    "monitoring": "validators.monitoring",  # 13
    "sms": "validators.sms",  # 14
}
ALL_LAYERS: dict[str, str] = {**LAYERS, **OPTIONAL}


@dataclass
class Report:
    learner: str
    target: str
    region: str
    started: float
    results: list[Result] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        counts: dict[str, int] = {}
        for result in self.results:
            counts[result.status] = counts.get(result.status, 0) + 1
        return counts

    @property
    def score(self) -> str:
        graded = [r for r in self.results if r.counted]
        return f"{sum(r.status == PASS for r in graded)}/{len(graded)}"

    @property
    def outcome(self) -> str:
        statuses = {r.status for r in self.results}
        return FAIL if FAIL in statuses else PENDING if PENDING in statuses else PASS

    def as_dict(self) -> dict[str, Any]:
        return {"learner": self.learner, "target": self.target, "region": self.region, "started": self.started,
                "outcome": self.outcome, "score": self.score, "counts": self.counts,
                "results": [r.as_dict() for r in self.results]}


def run(layers: list[str] | None = None, cfg: Config | None = None, learner: str | None = None) -> Report:
    cfg = cfg or labkit.load_config()
    names = layers or list(LAYERS)
    unknown = [n for n in names if n not in ALL_LAYERS]
    if unknown:
        raise LabError(f"no such layer: {', '.join(unknown)}; the layers are {', '.join(LAYERS)} and the optional "
                       f"{', '.join(OPTIONAL)}")
    report = Report(learner or cfg.owner, cfg.target, cfg.region, time.time())
    report.results = run_layers({name: ALL_LAYERS[name] for name in ALL_LAYERS if name in names}, cfg)
    checkboard.publish(cfg, report.learner, report.results, replace=layers is None)  # /_lab/ lights the picture
    return report


def check(layer: str, cfg: Config | None = None) -> Report:
    """Run one layer's checks, print the table, and raise LabError if any failed (a notebook's last cell)."""
    from .report import print_table

    cfg = cfg or labkit.load_config()
    report = run([layer], cfg)
    print_table(report)
    for bug in (r for r in report.results if r.detail):  # no report file is written here: show it in place
        print(f"\n{bug.check}: the kit's validator failed (please report it with these lines):\n{bug.detail}")
    # The whole workshop so far, as /_lab/ shows it: this layer just checked, the others as last published.
    architecture.show(architecture.layers_from_results(checkboard.latest(cfg, report.learner)
                                                       or [r.as_dict() for r in report.results]))
    if report.outcome == FAIL:
        failures = [r.check for r in report.results if r.status == FAIL]
        raise LabError(f"{len(failures)} check(s) failed: {', '.join(failures)}; the hints above say why")
    return report
