"""The shape every validator shares.

    Check(id, title, probe, wait=…)   one behaviour to probe; ``probe(ctx) -> Result``
    Result(status, observed, …)       pass / fail / pending / skip, with what was seen, what was expected, and a
                                      hint naming the likely cause
    Context                           the target configuration and clients, shared by a layer's checks
    run_checks(checks, ctx)           runs them in order; a probe raising NotYet is retried up to ``wait`` seconds
                                      (AWS eventual consistency) and ends ``pending``; a LabError ends ``fail``;
                                      a failed ``gate`` check skips the rest
"""

from __future__ import annotations

import time
import traceback
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

from labkit import Config, LabError, NotYet, StillPending, client, retry_until

PASS, FAIL, PENDING, SKIP = "pass", "fail", "pending", "skip"


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
            result = failed(type(exc).__name__, "", str(exc))
        except Exception as exc:  # a validator bug must not hide the other checks
            result = failed(f"{type(exc).__name__}: {exc}", "", "the validator itself failed; see its log")
            result.observed += "\n" + traceback.format_exc(limit=3)
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
