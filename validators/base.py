"""The shape every validator shares.

    Check(id, title, probe, needs=…, wait=…)   one behaviour to probe; ``probe(ctx) -> Result``; ``needs`` names
                                      the checks (or whole layers) it depends on: it runs only once they passed
    Result(status, observed, …)       pass / fail / pending / skip / blocked, with what was seen, what was
                                      expected, and a hint naming the likely cause
    Context                           the target configuration and clients, shared by a layer's checks;
                                      .once() / .memo(): what the run's layers share (a visitor, a lookup)
    run_checks(checks, ctx)           runs one list in order (runner.py runs the layers, concurrently); a probe
                                      raising NotYet is retried up to ``wait`` seconds (AWS eventual consistency)
                                      and ends ``pending``; a LabError ends ``fail`` (observed: what is wrong;
                                      hint: the whole message); any other exception is a validator bug: ``fail``,
                                      its traceback in ``detail`` (the JSON report); a check whose need did not
                                      pass is ``blocked`` by it, not run
"""

from __future__ import annotations

import contextlib
import threading
import time
import traceback
from dataclasses import asdict, dataclass, field
from typing import Any, Callable

import boto3
from botocore.exceptions import ClientError

from labkit import Config, LabError, NotYet, StillPending, client, retry_until
from labkit.target import local_credentials

from . import signing
from .probes import ProbeError

PASS, FAIL, PENDING, SKIP, BLOCKED = "pass", "fail", "pending", "skip", "blocked"
BUG_HINT = ("a bug in the kit's validator, not in your work: its traceback is printed below the table in a notebook, "
            "and is this check's \"detail\" in reports/check.json after make check; please report it")


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
    blocked_by: str = ""  # for a blocked check: the check that did not pass, at the root of the chain
    doc: str = ""  # where a row that did not pass is explained: its check's entry in the docs (explain.py)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def passed(observed: str = "") -> Result:
    return Result(PASS, observed)


def failed(observed: str, expected: str, hint: str) -> Result:
    return Result(FAIL, observed, expected, hint)


def skipped(reason: str) -> Result:
    """Not applicable on this target; not counted in the score."""
    return Result(SKIP, reason, counted=False)


class Clients:
    """boto3 clients made from one session, for every layer of a run: a session loads each service's model once
    (a client of a new session costs some 50 ms of CPU, which eleven layers starting together would queue for).
    Sessions are not thread-safe, so clients are made one at a time; the clients themselves are."""

    # On the local target, within a run (runner.py: clients.signing()) the process's shared clients, which sign
    # with the run's keys (signing.py); outside one (a probe called on its own), clients of one session per process,
    # each with the learner's keys (target.client). On AWS a run keeps a session of its own, which resolves the
    # credentials of the moment.
    _local_session: boto3.session.Session | None = None
    _lock = threading.Lock()

    def __init__(self, cfg: Config) -> None:
        self.cfg, self._made = cfg, {}
        self._session = None if cfg.local else boto3.session.Session()
        self._once: dict[Any, Any] = {}
        self._once_locks: dict[Any, threading.Lock] = {}
        self._exits = contextlib.ExitStack()
        keys = local_credentials(cfg.account) if cfg.local else None
        self._keys = (keys["AWS_ACCESS_KEY_ID"], keys["AWS_SECRET_ACCESS_KEY"]) if keys else None

    def signing(self) -> contextlib.AbstractContextManager[None]:
        """What runs within signs with this run's keys, so it may use the process's shared clients (signing.py);
        a no-op on AWS, where every run has clients of its own."""
        return signing.signing_as(self._keys) if self._keys else contextlib.nullcontext()

    def get(self, service: str, **kwargs: Any) -> Any:
        if self._keys and signing.signing_keys() == self._keys:
            return signing.shared_client(service, self.cfg, **kwargs)
        key = (service, *sorted(kwargs.items()))
        with Clients._lock:
            if key not in self._made:
                if self._session is None:
                    if Clients._local_session is None:
                        Clients._local_session = boto3.session.Session()
                    self._session = Clients._local_session
                self._made[key] = client(service, self.cfg, session=self._session, **kwargs)
            return self._made[key]

    def once(self, key: Any, factory: Callable[[], contextlib.AbstractContextManager[Any]]) -> Any:
        """What ``factory()`` yields, entered once per run for ``key`` (concurrent callers wait for the first) and
        exited by close(): a throw-away visitor that several layers sign in as, made and deleted once. A factory
        that raises is not remembered: the next caller tries again."""
        with Clients._lock:
            lock = self._once_locks.setdefault(key, threading.Lock())
        with lock:
            if key not in self._once:
                self._once[key] = self._exits.enter_context(factory())
            return self._once[key]

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        """``compute()``, once per run for ``key``: a lookup several layers make (the user pool, its app clients)
        that does not change while a run lasts. Not for what a check waits on: that one must read again."""
        return self.once(("memo", key), lambda: contextlib.nullcontext(compute()))

    def close(self) -> None:
        """Exit what once() entered, newest first; a failure to clean up does not change any result."""
        try:
            self._exits.close()
        except Exception:  # noqa: BLE001 — clean-up is best effort, like each factory's own
            pass


@dataclass
class Context:
    cfg: Config
    facts: dict[str, Any] = field(default_factory=dict)  # what one check learns for the next (ids, tokens)
    clients: Clients | None = None

    def client(self, service: str, **kwargs: Any) -> Any:
        return self._clients().get(service, **kwargs)

    def once(self, key: Any, factory: Callable[[], contextlib.AbstractContextManager[Any]]) -> Any:
        return self._clients().once(key, factory)

    def memo(self, key: Any, compute: Callable[[], Any]) -> Any:
        return self._clients().memo(key, compute)

    def _clients(self) -> Clients:
        if self.clients is None:
            self.clients = Clients(self.cfg)
        return self.clients


@dataclass
class Check:
    id: str
    title: str
    probe: Callable[[Context], Result]
    wait: float = 0.0  # seconds to keep retrying a probe that raises NotYet
    needs: tuple[str, ...] = ()  # check ids (or layer names) it depends on: run only once they passed

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
        except ProbeError as exc:  # the learner's site, API or name server did not answer: not a bug of the kit's
            result = failed(" ".join(str(exc).split()), "an answer", unreachable_hint(exc, ctx.cfg))
        except Exception as exc:
            if isinstance(exc, ClientError) and not _malformed(exc):  # AWS refused one of the check's own calls
                result = failed(*refused(exc))
            else:  # a validator bug must not hide the other checks
                result = failed(" ".join(f"the validator itself failed: {exc}".split()).rstrip(": "), "", BUG_HINT)
                result.detail = traceback.format_exc(limit=5)
        result.check, result.title = self.id, self.title
        result.seconds = round(time.monotonic() - start, 3)
        return result


def unreachable_hint(exc: ProbeError, cfg: Config) -> str:
    where = ("is the local cloud running? make status shows it, make up starts it" if cfg.local else
             "check the name and that this machine reaches the internet, then run the check again")
    return f"the check's {exc.what} got no answer ({exc.reason.strip() or 'no reason given'}): {where}"


def _malformed(exc: ClientError) -> bool:
    """A refusal of a request the check itself got wrong: the kit's bug, reported as one."""
    code = exc.response.get("Error", {}).get("Code", "")
    return any(word in code for word in ("Validation", "InvalidParameter", "Serialization", "MissingParameter"))


def refused(exc: ClientError) -> tuple[str, str, str]:
    """(observed, expected, hint) for an AWS refusal of a check's own call: what was refused is the learner's to fix
    (missing permissions, a throttled account), never a validator bug."""
    error = exc.response.get("Error", {})
    code, message = error.get("Code", "Error"), " ".join(str(error.get("Message", "")).split())
    operation = getattr(exc, "operation_name", "") or "a call"
    observed = f"{operation}: {code}" + (f": {message}" if message else "")
    if "AccessDenied" in code or code in ("UnauthorizedOperation", "AuthorizationError", "UnrecognizedClientException"):
        hint = (f"the credentials the checks use may not call {operation}: give them that permission "
                "(docs/instructors.md lists what grading needs), then run the check again")
    elif "Throttl" in code or code in ("TooManyRequestsException", "LimitExceededException"):
        hint = f"AWS throttled {operation}: wait a minute, then run the check again"
    else:
        hint = f"AWS refused {operation} ({code}): the message says why; fix that, then run the check again"
    return observed, "an answer", hint


def blocked(need: Result) -> Result:
    """The result of a check whose need ``need`` did not pass (itself perhaps blocked: the root cause is named)."""
    root = need.blocked_by or need.check
    waiting = need.status == PENDING or (need.status == BLOCKED and need.observed.endswith("(pending)"))
    then = "wait for it, then run the check again" if waiting else "fix it first (its hint says how)"
    return Result(BLOCKED, f"blocked by {root}" + (" (pending)" if waiting else ""), hint=f"runs once {root} passes: "
                  + then, blocked_by=root)


def unmet(check: Check, done: dict[str, Result]) -> Result | None:
    """The first need of ``check`` that did not pass (a skipped one does not apply here and counts as met); needs
    not in ``done`` (a layer not run) are ignored."""
    return next((done[n] for n in check.needs if n in done and done[n].status not in (PASS, SKIP)), None)


def run_checks(checks: list[Check], ctx: Context, done: dict[str, Result] | None = None) -> list[Result]:
    """Run ``checks`` in order; a check whose need (in ``done`` or earlier in the list) did not pass is blocked."""
    done = {} if done is None else done
    results: list[Result] = []
    for check in checks:
        need = unmet(check, done)
        result = check.run(ctx) if need is None else blocked(need)
        result.check, result.title = check.id, check.title
        done[check.id] = result
        results.append(result)
    return results
