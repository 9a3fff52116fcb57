"""Running layers together: each layer in a thread of its own, its checks in order, sharing one Context; a check
that needs a check of another layer waits for that one's result (a Board), so independent layers overlap while
each check still runs only after what it depends on.

    plan(names)          the layers' checks with their needs resolved to check ids (a layer name → all its checks;
                         a layer's module-level NEEDS apply to each of its checks; every layer needs setup.target)
    run_layers(names, cfg)   the results, in workshop order whatever order they finished in
    problems(plan)       needs that name nothing, or that could wait on each other (the tests keep this empty)
"""

from __future__ import annotations

import importlib
import threading
from concurrent.futures import ThreadPoolExecutor

from labkit import Config

from . import explain
from .base import FAIL, PASS, SKIP, Check, Clients, Context, Result, blocked

TARGET = "setup.target"  # every check of every other layer needs a usable target
WAIT_LIMIT = 600.0  # seconds a check waits for another layer's result: far beyond any probe's own deadline

Plan = dict[str, list[tuple[Check, tuple[str, ...]]]]


def plan(layers: dict[str, str]) -> Plan:
    """layer name → [(check, the ids it needs)], for the layers given (name → module)."""
    checks = {name: importlib.import_module(module).CHECKS for name, module in layers.items()}
    module_needs = {name: getattr(importlib.import_module(module), "NEEDS", ()) for name, module in layers.items()}

    def expand(need: str) -> list[str]:
        return [c.id for c in checks[need]] if need in checks else [need]

    result: Plan = {}
    for name, layer_checks in checks.items():
        implicit = (TARGET,) if name != "setup" and "setup" in checks else ()
        steps = []
        for check in layer_checks:
            wanted = [*implicit, *module_needs[name], *check.needs]
            ids = [i for need in wanted for i in expand(need) if i != check.id]
            steps.append((check, tuple(dict.fromkeys(ids))))
        result[name] = steps
    return result


class Board:
    """Results by check id, posted by the layer threads; ``wait`` blocks until a check has one."""

    def __init__(self, ids: list[str]) -> None:
        self.results: dict[str, Result] = {}
        self._posted = {i: threading.Event() for i in ids}

    def post(self, result: Result) -> None:
        self.results[result.check] = result
        self._posted[result.check].set()

    def wait(self, check_id: str) -> Result | None:
        """The check's result; None for a check not in this run (its layer was not asked for)."""
        event = self._posted.get(check_id)
        if event is None:
            return None
        if not event.wait(WAIT_LIMIT):
            return Result(FAIL, f"{check_id} did not finish within {WAIT_LIMIT:.0f} s", check=check_id)
        return self.results[check_id]


def _run_layer(steps: list[tuple[Check, tuple[str, ...]]], cfg: Config, board: Board, clients: Clients) -> None:
    with clients.signing():
        _run_steps(steps, Context(cfg, clients=clients), board)


def _run_steps(steps: list[tuple[Check, tuple[str, ...]]], ctx: Context, board: Board) -> None:
    for check, needs in steps:
        need = None
        for need_id in needs:
            found = board.wait(need_id)
            if found is not None and found.status not in (PASS, SKIP):
                need = found
                break
        result = check.run(ctx) if need is None else blocked(need)
        result.check, result.title = check.id, check.title
        if result.status not in (PASS, SKIP):  # a blocked row links to what blocks it: that one needs fixing
            result.doc = explain.entry_url(result.blocked_by or check.id, ctx.cfg)
        board.post(result)


def run_layers(layers: dict[str, str], cfg: Config) -> list[Result]:
    steps = plan(layers)
    order = [check.id for layer in steps.values() for check, _ in layer]
    board, clients = Board(order), Clients(cfg)
    try:
        with ThreadPoolExecutor(max_workers=len(steps), thread_name_prefix="layer") as pool:
            for future in [pool.submit(_run_layer, layer, cfg, board, clients) for layer in steps.values()]:
                future.result()  # check.run catches what a probe raises; anything here is the runner's own bug
    finally:
        with clients.signing():
            clients.close()  # the run's shared visitor is deleted
    return [board.results[i] for i in order]


def problems(steps: Plan) -> list[str]:
    """What is wrong with the needs of a plan: an id that names no check, or a cycle (a check waiting, directly or
    through the order of a layer, on itself: the run would hang)."""
    known = {check.id for layer in steps.values() for check, _ in layer}
    found = [f"{check.id} needs {n}, which is no check" for layer in steps.values() for check, needs in layer
             for n in needs if n not in known]
    # Edges: a check runs after its needs, and after the check before it in its layer (one thread per layer).
    after: dict[str, set[str]] = {}
    for layer in steps.values():
        previous = None
        for check, needs in layer:
            after[check.id] = {n for n in needs if n in known} | ({previous} if previous else set())
            previous = check.id
    state: dict[str, str] = {}

    def visit(node: str, path: list[str]) -> None:
        if state.get(node) == "done":
            return
        if state.get(node) == "open":
            found.append("cycle: " + " → ".join([*path[path.index(node):], node]))
            return
        state[node] = "open"
        for before in sorted(after[node]):
            visit(before, [*path, node])
        state[node] = "done"

    for node in after:
        visit(node, [])
    return found

