"""make check's outputs: JSON, JUnit XML a CI can read, and a gradebook CSV that grows a row per run."""

from __future__ import annotations

import csv
import io
import re
import json
import subprocess
import sys
import os
from xml.etree import ElementTree as ET

from validators import Report
from validators.base import Check, Context, NotYet, failed, passed, run_checks, skipped
from validators.report import write_all
from labkit import config


def make_report() -> Report:
    ctx = Context(config.load({}))

    def never(ctx):
        raise NotYet("record not visible yet")

    checks = [
        Check("demo.ok", "passes", lambda ctx: passed("200 OK")),
        Check("demo.bad", "fails", lambda ctx: failed("403", "200", "missing bucket policy for OAC")),
        Check("demo.slow", "pending", never, wait=0.3),
        Check("demo.na", "not on this target", lambda ctx: skipped("local only")),
    ]
    report = Report("ada", "local", "us-east-1", 0.0)
    report.results = run_checks(checks, ctx)
    return report


def test_statuses_and_score():
    report = make_report()
    assert [r.status for r in report.results] == ["pass", "fail", "pending", "skip"]
    assert report.results[2].hint.startswith("not there yet")
    assert report.score == "1/3" and report.outcome == "fail"


def test_files(tmp_path):
    report = make_report()
    paths = write_all(report, tmp_path)
    data = json.loads(paths["json"].read_text())
    assert data["learner"] == "ada" and data["results"][1]["hint"] == "missing bucket policy for OAC"
    suite = ET.parse(paths["junit"]).getroot()
    assert suite.get("tests") == "4" and suite.get("failures") == "1" and suite.get("skipped") == "2"
    failure = suite.find("testcase[@name='demo.bad']/failure")
    assert failure is not None and "missing bucket policy" in failure.get("message")
    write_all(report, tmp_path)
    rows = list(csv.DictReader(paths["gradebook"].open()))
    assert len(rows) == 2 and rows[0]["demo.bad"] == "fail" and rows[0]["score"] == "1/3"


def test_make_check_exit_status_and_reports(cloud, tmp_path):
    env = {**os.environ, **cloud.env}
    result = subprocess.run([sys.executable, "-m", "validators", "--layer", "setup", "--out", str(tmp_path), "--learner", "ada"],
                            env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "All checks passed" in result.stdout
    assert json.loads((tmp_path / "check.json").read_text())["outcome"] == "pass"


def test_observed_never_names_a_python_class():
    """A LabError shows what is wrong in words; a validator bug stays readable, its traceback kept in detail."""
    from labkit.errors import CloudDown, TargetError

    def down(ctx):
        raise CloudDown()

    def foreign(ctx):
        raise TargetError("these credentials act in account 1, not LAB_AWS_ACCOUNT=2: switch AWS_PROFILE")

    def bug(ctx):
        return {}["region"]

    results = run_checks([Check("x.down", "down", down), Check("x.foreign", "foreign", foreign),
                          Check("x.bug", "bug", bug)], Context(config.load({})))
    observed = {r.check: r.observed for r in results}
    assert observed == {"x.down": "the local cloud is not running",
                        "x.foreign": "these credentials act in account 1, not LAB_AWS_ACCOUNT=2",
                        "x.bug": "the validator itself failed: 'region'"}
    assert results[0].hint == "the local cloud is not running: run make up"
    assert "reports/check.json" in results[2].hint and "detail" in results[2].hint
    assert "KeyError" in results[2].detail and "KeyError" not in results[2].observed + results[2].hint
    for r in results:
        assert "Error" not in r.observed and "CloudDown" not in r.observed and "\n" not in r.observed


def test_a_validator_bug_keeps_its_traceback_in_the_reports(tmp_path):
    report = Report("ada", "local", "us-east-1", 0.0)
    report.results = run_checks([Check("x.bug", "bug", lambda ctx: 1 / 0)], Context(config.load({})))
    paths = write_all(report, tmp_path)
    assert "ZeroDivisionError" in json.loads(paths["json"].read_text())["results"][0]["detail"]
    assert "ZeroDivisionError" in ET.parse(paths["junit"]).getroot().find("testcase/failure").text


def test_check_names_never_wrap_at_80_columns():
    """Every check id of every layer stays whole on one line of an 80-column terminal, with long hints beside it."""
    import importlib

    from rich.console import Console

    import validators
    from validators.base import Result
    from validators.report import print_table

    ids = [c.id for m in validators.ALL_LAYERS.values() for c in importlib.import_module(m).CHECKS]
    report = Report("ada", "local", "us-east-1", 0.0)
    report.results = [Result("pending", "not run: setup.target did not pass " * 3, hint="run make up and retry " * 4,
                             check=check_id) for check_id in ids]
    console = Console(width=80, record=True)
    print_table(report, console)
    lines = console.export_text().splitlines()
    assert max(map(len, lines)) <= 80
    for check_id in ids:
        assert any(check_id in line for line in lines), check_id
    assert sum("pending" in line for line in lines) == len(ids)


def test_a_failed_rows_name_links_to_its_entry_and_the_address_is_printed_under_the_table():
    from rich.console import Console

    from validators.report import print_table

    report = make_report()
    report.results[1].doc = "http://127.0.0.1:4566/_lab/docs/checks/#demo-bad"
    console = Console(record=True, width=120, force_terminal=True, file=io.StringIO())
    print_table(report, console)
    html = console.export_html(inline_styles=True, clear=False)
    assert re.search(r'<a href="http://127.0.0.1:4566/_lab/docs/checks/#demo-bad">demo\.bad\s*</a>', html)
    assert html.count("<a href") == 1  # only the row that did not pass (and has an entry address)
    assert "explained: http://127.0.0.1:4566/_lab/docs/checks/#demo-bad" in console.export_text()


def test_no_answer_and_an_aws_refusal_are_the_learners_to_fix_not_a_kit_bug():
    """Issue (grading): a validator never crashes. A site that does not answer, or AWS refusing a check's own call
    (missing permissions on the grading role, throttling), is a fail with a hint, not "a bug in the kit's validator";
    a request the check itself got wrong (ValidationException) still is one, with its traceback kept."""
    from botocore.exceptions import ClientError

    from validators.probes import ProbeError

    def unreachable(ctx):
        raise ProbeError("HTTP GET", "https://contact.test:4443/", "Connection refused")

    def denied(ctx):
        raise ClientError({"Error": {"Code": "AccessDeniedException", "Message": "User: arn:aws:sts::1:assumed-role/"
                                     "grader/x is not authorized to perform: dynamodb:Query"}}, "Query")

    def throttled(ctx):
        raise ClientError({"Error": {"Code": "ThrottlingException", "Message": "Rate exceeded"}}, "DescribeTable")

    def malformed(ctx):
        raise ClientError({"Error": {"Code": "ValidationException", "Message": "1 validation error"}}, "Query")

    results = {r.check: r for r in run_checks([
        Check("x.site", "site", unreachable), Check("x.denied", "denied", denied),
        Check("x.throttled", "throttled", throttled), Check("x.malformed", "malformed", malformed)],
        Context(config.load({})))}
    site = results["x.site"]
    assert site.status == "fail" and not site.detail
    assert site.observed == "HTTP GET https://contact.test:4443/: Connection refused"
    assert "is the local cloud running? make status" in site.hint
    assert results["x.denied"].observed.startswith("Query: AccessDeniedException: User: arn:aws:sts::1:")
    assert "may not call Query: give them that permission" in results["x.denied"].hint
    assert not results["x.denied"].detail
    assert "AWS throttled DescribeTable: wait a minute" in results["x.throttled"].hint
    assert "a bug in the kit's validator" in results["x.malformed"].hint and results["x.malformed"].detail
