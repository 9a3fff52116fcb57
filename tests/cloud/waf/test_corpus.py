"""The corpus, graded gotestwaf-style (aws-facts WAFv2, "Scoring convention"; corpus/README.md says what is graded
and why): the three managed groups must reach grade A, (TP% + TN%) / 2 ≥ 93."""

from __future__ import annotations

import pytest

from .corpus_runner import GOAL, SELECTION, attack_cases, benign_cases, grade


@pytest.fixture(scope="module")
def report():
    return grade()


def test_score_reaches_the_goal(report):
    print("\n" + report.summary())
    assert report.score >= GOAL, report.summary() + "\n" + report.details()


def test_every_category_is_graded(report):
    """A sanity check on the grading itself: every category and placeholder produced requests, so a score cannot
    come from an empty corpus."""
    assert set(report.by_category) == set(SELECTION["categories"])
    assert report.attacks > 1500 and report.benign > 200
    placeholders = {case.placeholder for case in attack_cases()}
    assert placeholders == {"url_path", "query_param", "header", "user_agent", "cookie", "form_body", "json_body"}


def test_benign_traffic_is_mostly_untouched(report):
    """True negatives on their own: ordinary text, JSON, browser headers and paths pass (≥ 97%)."""
    assert report.tn >= 97.0, report.details()


def test_cases_are_what_the_selection_says():
    """Header and User-Agent placeholders are not graded for SQLi or XSS: no rule in these groups inspects them."""
    graded = {(case.category, case.placeholder) for case in attack_cases()}
    assert ("sqli", "header") not in graded and ("xss", "user_agent") not in graded
    assert ("log4j", "header") in graded and ("java", "user_agent") in graded
    assert {case.category for case in benign_cases()} == {"text", "json", "headers", "paths"}
