"""How make check runs the layers: each in a thread of its own, a check only once what it needs has passed, a check
whose need failed "blocked by" the root cause (counted, not failed), results in workshop order."""

from __future__ import annotations

import sys
import threading
import time
import types

import pytest

import validators
from labkit import config
from validators import Report, runner
from validators.base import BLOCKED, FAIL, PASS, PENDING, Check, Context, NotYet, failed, passed, run_checks, skipped


@pytest.fixture
def fake_layers(monkeypatch):
    """Install modules ``fake_<name>`` holding CHECKS (and NEEDS); returns name → module path, in order."""
    def install(**layers):
        paths = {}
        for name, (checks, needs) in layers.items():
            module = types.ModuleType(f"fake_{name}")
            module.CHECKS, module.NEEDS = checks, needs
            monkeypatch.setitem(sys.modules, module.__name__, module)
            paths[name] = module.__name__
        return paths
    return install


def test_the_workshop_needs_name_real_checks_and_cannot_wait_on_each_other():
    steps = runner.plan(validators.LAYERS)
    assert runner.problems(steps) == []
    every = {check.id for layer in steps.values() for check, _ in layer}
    needs = {check.id: set(n) for layer in steps.values() for check, n in layer}
    assert all("setup.target" in needs[i] for i in every if not i.startswith("setup."))
    # The cases: these do not depend on a signed-in call, so its failure must not hide them.
    for independent in ("api.forged_token", "api.preflight", "api.error_cors", "api.throttling"):
        assert "api.signed_in" not in needs[independent], independent
    assert "api.signed_in" in needs["sns.delivery"] and "api.signed_in" in needs["dynamodb.through_api"]


def test_problems_finds_a_cycle_and_an_unknown_need(fake_layers):
    steps = runner.plan(fake_layers(
        a=([Check("a.one", "one", lambda c: passed(), needs=("b.two",)), Check("a.two", "two", lambda c: passed())],
           ()),
        b=([Check("b.one", "one", lambda c: passed(), needs=("a.two",)), Check("b.two", "two", lambda c: passed()),
            Check("b.three", "three", lambda c: passed(), needs=("c.nope",))], ())))
    found = runner.problems(steps)
    assert "b.three needs c.nope, which is no check" in found
    assert any(p.startswith("cycle:") and "a.one" in p and "b.two" in p for p in found), found


def test_layers_overlap_and_a_check_waits_for_what_it_needs(fake_layers):
    """Two layers of 0.4 s each end in well under 0.8 s together; a.late starts only after b.slow posted."""
    seen: list[str] = []

    def slow(name):
        def probe(ctx):
            time.sleep(0.4)
            seen.append(name)
            return passed(threading.current_thread().name)
        return probe

    def late(ctx):
        seen.append("a.late")
        return passed()

    layers = fake_layers(a=([Check("a.slow", "a", slow("a.slow")), Check("a.late", "late", late, needs=("b.slow",))],
                            ()),
                         b=([Check("b.slow", "b", slow("b.slow"))], ()))
    start = time.monotonic()
    results = runner.run_layers(layers, config.load({}))
    took = time.monotonic() - start
    assert [r.check for r in results] == ["a.slow", "a.late", "b.slow"]  # workshop order, not finishing order
    assert seen.index("a.late") > seen.index("b.slow")
    assert results[0].observed != results[2].observed  # two threads
    assert took < 0.75, took


def test_a_failed_need_blocks_its_dependants_only_and_names_the_root(fake_layers):
    layers = fake_layers(
        a=([Check("a.gate", "gate", lambda c: failed("x", "y", "fix a")),
            Check("a.after", "after", lambda c: passed(), needs=("a.gate",)),
            Check("a.free", "free", lambda c: passed())], ()),
        b=([Check("b.chained", "chained", lambda c: passed(), needs=("a.after",)),
            Check("b.whole", "needs layer a", lambda c: passed())], ("a",)))
    found = {r.check: r for r in runner.run_layers(layers, config.load({}))}
    assert found["a.free"].status == PASS
    for check in ("a.after", "b.chained", "b.whole"):
        assert found[check].status == BLOCKED and found[check].blocked_by == "a.gate", check
        assert found[check].observed == "blocked by a.gate" and "a.gate passes" in found[check].hint
        assert found[check].counted  # a blocked check scores 0: the layer is not done


def test_a_row_that_did_not_pass_links_to_the_entry_of_what_to_fix(fake_layers, monkeypatch):
    """Issue (grading): hints link to their troubleshooting entry, docs/checks.md#<check id, . and _ as ->, served
    by the local cloud at /_lab/docs/; a blocked row links to the check that blocks it."""
    monkeypatch.delenv("LAB_DOCS_URL", raising=False)
    layers = fake_layers(a=([Check("a.gate_keeper", "gate", lambda c: failed("x", "y", "fix a")),
                             Check("a.after", "after", lambda c: passed(), needs=("a.gate_keeper",)),
                             Check("a.free", "free", lambda c: passed())], ()))
    cfg = config.load({"LAB_GATEWAY_PORT": "4999"})
    found = {r.check: r for r in runner.run_layers(layers, cfg)}
    entry = "http://127.0.0.1:4999/_lab/docs/checks/#a-gate-keeper"
    assert found["a.gate_keeper"].doc == entry and found["a.after"].doc == entry
    assert found["a.free"].doc == ""
    monkeypatch.setenv("LAB_DOCS_URL", "https://docs.example.org/lab/")  # a published copy of the docs
    found = {r.check: r for r in runner.run_layers(layers, cfg)}
    assert found["a.gate_keeper"].doc == "https://docs.example.org/lab/checks/#a-gate-keeper"


def test_a_skipped_need_does_not_block_and_a_pending_one_blocks_as_pending(fake_layers):
    def never(ctx):
        raise NotYet("not visible yet")

    layers = fake_layers(a=([Check("a.na", "n/a", lambda c: skipped("local only")),
                             Check("a.slow", "pending", never, wait=0.2),
                             Check("a.after_na", "after n/a", lambda c: passed(), needs=("a.na",)),
                             Check("a.after_slow", "after pending", lambda c: passed(), needs=("a.slow",))], ()))
    report = Report("ada", "local", "us-east-1", 0.0)
    report.results = runner.run_layers(layers, config.load({}))
    found = {r.check: r for r in report.results}
    assert found["a.after_na"].status == PASS
    assert found["a.after_slow"].status == BLOCKED and found["a.after_slow"].observed == "blocked by a.slow (pending)"
    assert "wait for it" in found["a.after_slow"].hint
    assert report.outcome == PENDING and report.score == "1/3"


def test_needs_of_a_layer_not_run_are_ignored():
    """validators.check("api") in notebook 09 runs one layer: its needs on cognito and lambda do not apply."""
    ctx = Context(config.load({}))
    checks = [Check("x.one", "one", lambda c: passed(), needs=("elsewhere.check",)),
              Check("x.two", "two", lambda c: failed("a", "b", "c")),
              Check("x.three", "three", lambda c: passed(), needs=("x.two",))]
    assert [r.status for r in run_checks(checks, ctx)] == [PASS, FAIL, BLOCKED]


def test_the_setup_target_blocks_every_other_layer(fake_layers):
    layers = fake_layers(setup=([Check("setup.target", "target", lambda c: failed("down", "up", "run make up"))], ()),
                         a=([Check("a.one", "one", lambda c: passed())], ()))
    found = {r.check: r for r in runner.run_layers(layers, config.load({}))}
    assert found["a.one"].status == BLOCKED and found["a.one"].blocked_by == "setup.target"
