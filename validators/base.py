"""The shape every validator shares.

    Check(id, title, probe, wait=…)   one behaviour to probe; ``probe(ctx) -> Result``
    Result(status, observed, …)       pass / fail / pending / skip, with what was seen, what was expected, and a
                                      hint naming the likely cause
    Context                           the target configuration and clients, shared by a layer's checks
    run_checks(checks, ctx)           runs them in order; a probe raising NotYet is retried up to ``wait`` seconds
                                      (AWS eventual consistency) and ends ``pending``; a LabError ends ``fail``
                                      (observed: what is wrong; hint: the whole message); any other exception is
                                      a validator bug: ``fail``, its traceback in ``detail`` (the JSON report);
                                      a failed ``gate`` check skips the rest
"""

from __future__ import annotations

import time
import traceback
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

from labkit import Config, LabError, NotYet, StillPending, client, retry_until

PASS, FAIL, PENDING, SKIP = "pass", "fail", "pending", "skip"
BUG_HINT = ("a bug in the kit's validator, not in your work: the traceback is this check's \"detail\" in the JSON "
            "report (make check writes reports/check.json); please report it")


def lab_error_observed(exc: LabError) -> str:
    """What a LabError says is wrong, in words: its message up to the fix (messages read "what is wrong: what to
    do"), so the table shows the problem in observed and the whole message in hint."""
    message = " ".join(str(exc).split())
    return message.partition(": ")[0] or "the kit refused to go on"


@dataclass
class Result:
    status: str
    observed: str = ""
    expected: str = ""
    hint: str = ""
    check: str = ""
    title: str = ""
    seconds: float = 0.0
    counted: bool = True  # False for checks that do not apply to this target: they leave the score alone
    detail: str = ""  # a validator bug's traceback: kept in the JSON report, never in the table

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def passed(observed: str = "") -> Result:
    return Result(PASS, observed)


def failed(observed: str, expected: str, hint: str) -> Result:
    return Result(FAIL, observed, expected, hint)


def skipped(reason: str) -> Result:
    """Not applicable on this target; not counted in the score."""
    return Result(SKIP, reason, counted=False)


@dataclass
class Context:
    cfg: Config
    facts: dict[str, Any] = field(default_factory=dict)  # what one check learns for the next (ids, tokens)

    def client(self, service: str, **kwargs: Any) -> Any:
        return client(service, self.cfg, **kwargs)


@dataclass
class Check:
    id: str
    title: str
    probe: Callable[[Context], Result]
    wait: float = 0.0  # seconds to keep retrying a probe that raises NotYet
    gate: bool = False  # if this check does not pass, the checks after it are not run (they could only fail)

    def run(self, ctx: Context) -> Result:
        start = time.monotonic()
        try:
            if self.wait:
                result = retry_until(self.title, lambda: self.probe(ctx), deadline=self.wait, progress=False)
            else:
                result = self.probe(ctx)
        except StillPending as exc:
            result = Result(PENDING, exc.reason, hint=f"not there yet after {exc.waited:.0f} s: run the check again")
        except NotYet as exc:
            result = Result(PENDING, exc.reason, hint="not there yet: run the check again in a minute")
        except LabError as exc:
            result = failed(lab_error_observed(exc), "", str(exc))
        except Exception as exc:  # a validator bug must not hide the other checks
            result = failed(" ".join(f"the validator itself failed: {exc}".split()).rstrip(": "), "", BUG_HINT)
            result.detail = traceback.format_exc(limit=5)
        result.check, result.title = self.id, self.title
        result.seconds = round(time.monotonic() - start, 3)
        return result


def run_checks(checks: list[Check], ctx: Context) -> list[Result]:
    """Run checks in order; after a failed gate the rest are reported as skipped, naming the gate."""
    results: list[Result] = []
    # A failed gate skips the rest of its layer; only the setup gate (the target itself) skips every later layer.
    blocked_by = ctx.facts.get("blocked_by") if str(ctx.facts.get("blocked_by", "")).startswith("setup.") else None
    for check in checks:
        if blocked_by:
            results.append(Result(SKIP, f"not run: {blocked_by} did not pass", check=check.id, title=check.title))
            continue
        result = check.run(ctx)
        results.append(result)
        if check.gate and result.status != PASS:
            blocked_by = ctx.facts["blocked_by"] = check.id
    return results
