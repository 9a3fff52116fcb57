"""make check on a target that cannot be graded at all: one line saying why, exit 2, and no report files or gradebook
row (a table of 51 skips and a 0/51 row would bury the single cause and spoil the gradebook)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

from ..conftest import cloud_env

# Anything that would let botocore find real credentials, or send it to an endpoint or a profile.
AWS_SETTINGS = ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_SECURITY_TOKEN", "AWS_PROFILE",
                "AWS_DEFAULT_PROFILE", "AWS_ENDPOINT_URL", "AWS_ROLE_ARN", "AWS_WEB_IDENTITY_TOKEN_FILE",
                "AWS_CONTAINER_CREDENTIALS_RELATIVE_URI", "AWS_CONTAINER_CREDENTIALS_FULL_URI")


def no_credentials_env(tmp_path: Path, **settings: str) -> dict[str, str]:
    """The aws target with no credentials anywhere: botocore gives up before any network call."""
    env = {k: v for k, v in os.environ.items() if k not in AWS_SETTINGS and not k.startswith("LAB_")}
    empty = tmp_path / "empty-aws-file"
    empty.write_text("")
    env.update(AWS_SHARED_CREDENTIALS_FILE=str(empty), AWS_CONFIG_FILE=str(empty), AWS_EC2_METADATA_DISABLED="true",
               LAB_TARGET="aws", LAB_STATE_DIR=str(tmp_path / "state"), **settings)
    return env


def make_check(env: dict[str, str], out: Path) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "validators", "--out", str(out)], env=env, capture_output=True,
                          text=True, timeout=120)


def assert_one_line_and_nothing_written(result: subprocess.CompletedProcess, out: Path, *words: str) -> None:
    output = (result.stdout + result.stderr).strip()
    assert result.returncode == 2, output
    assert len(output.splitlines()) == 1, output
    assert "Traceback" not in output and "Error" not in output.replace("error:", "")  # no class names
    for word in words:
        assert word in output
    assert "nothing graded" in output
    assert sorted(p.name for p in out.iterdir()) == ["gradebook.csv"]
    assert (out / "gradebook.csv").read_text() == "learner,score\nada,3/3\n"


@pytest.fixture
def out(tmp_path: Path) -> Path:
    """A reports directory with an earlier gradebook row, which a refused run must leave as it was."""
    directory = tmp_path / "reports"
    directory.mkdir()
    (directory / "gradebook.csv").write_text("learner,score\nada,3/3\n")
    return directory


def test_aws_target_without_lab_aws_account_is_one_line(tmp_path, out):
    result = make_check(no_credentials_env(tmp_path), out)
    assert_one_line_and_nothing_written(result, out, "LAB_AWS_ACCOUNT=<the 12-digit id")


def test_aws_target_without_credentials_is_one_line(tmp_path, out):
    result = make_check(no_credentials_env(tmp_path, LAB_AWS_ACCOUNT="111122223333"), out)
    assert_one_line_and_nothing_written(result, out, "no AWS credentials were found", "AWS_PROFILE")


def test_local_cloud_down_is_one_line(tmp_path, out):
    env = {**os.environ, **cloud_env(tmp_path / "state")}  # free ports: nothing answers there
    result = make_check(env, out)
    assert_one_line_and_nothing_written(result, out, "the local cloud is not running: run make up")


def test_missing_reports_directory_is_not_created(tmp_path):
    out = tmp_path / "reports"
    result = make_check({**os.environ, **cloud_env(tmp_path / "state")}, out)
    assert result.returncode == 2 and not out.exists()


def test_credentials_of_another_account_are_one_line(tmp_path, out, cloud):
    """The local cloud stands in for AWS here (its account is 123456789012): nothing leaves the machine."""
    env = no_credentials_env(tmp_path, LAB_AWS_ACCOUNT="999999999999", AWS_ENDPOINT_URL=cloud.cfg.gateway_url,
                             AWS_ACCESS_KEY_ID="testing", AWS_SECRET_ACCESS_KEY="testing")
    result = make_check(env, out)
    assert_one_line_and_nothing_written(result, out, "act in account 123456789012, not LAB_AWS_ACCOUNT=999999999999")
