"""The setup validator passes on a healthy target and fails with the right hint on broken ones."""

from __future__ import annotations

import pytest

import validators
from labkit import config
from labkit.errors import LabError
from validators.base import BLOCKED, FAIL, PASS

from ..conftest import free_port


def by_id(report):
    return {r.check: r for r in report.results}


def test_healthy_local_cloud_passes_every_check(cloud_environ):
    report = validators.run(["setup"], cloud_environ.cfg)
    assert {r.status for r in report.results} == {PASS}, [r.as_dict() for r in report.results]
    assert report.score == "4/4" and report.outcome == PASS


def test_cloud_down_fails_the_target_check_with_make_up_hint_and_blocks_the_rest():
    cfg = config.load({"LAB_GATEWAY_PORT": str(free_port())})
    results = by_id(validators.run(["setup"], cfg))
    assert results["setup.target"].status == FAIL
    assert results["setup.target"].hint == "the local cloud is not running: run make up"
    for check in ("setup.identity", "setup.boto3", "setup.health"):
        assert results[check].status == BLOCKED and results[check].observed == "blocked by setup.target"


def test_wrong_account_fails_identity_hint(monkeypatch, cloud):
    """On the aws target, credentials of another account fail the gate and say which account they act in."""
    monkeypatch.setenv("AWS_ENDPOINT_URL", cloud.cfg.gateway_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    cfg = config.load({"LAB_TARGET": "aws", "LAB_AWS_ACCOUNT": "999999999999"})
    results = by_id(validators.run(["setup"], cfg))
    assert results["setup.target"].status == FAIL
    assert "act in account 123456789012, not LAB_AWS_ACCOUNT=999999999999" in results["setup.target"].hint


def test_check_raises_for_a_notebook_when_a_check_fails(capsys):
    cfg = config.load({"LAB_GATEWAY_PORT": str(free_port())})
    with pytest.raises(LabError, match="1 check\\(s\\) failed: setup.target"):
        validators.check("setup", cfg)
    assert "run make up" in capsys.readouterr().out


def test_unknown_layer_is_named():
    with pytest.raises(LabError, match="no such layer: nope"):
        validators.run(["nope"], config.load({}))
