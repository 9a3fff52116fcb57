"""The target guard: local needs a running cloud; aws needs credentials of exactly LAB_AWS_ACCOUNT.
The local cloud stands in for AWS here (moto's STS answers account 123456789012)."""

from __future__ import annotations

import os
import subprocess
import sys

import boto3
import pytest

from labkit import config, target
from labkit.errors import CloudDown, TargetError

from .conftest import free_port


def test_activate_local_points_plain_boto3_at_the_cloud():
    env = {"AWS_PROFILE": "work", "AWS_SESSION_TOKEN": "real-token"}
    cfg = config.load({"LAB_GATEWAY_PORT": "4599", "LAB_REGION": "eu-west-1"})
    target.activate(cfg, env)
    assert env["AWS_ENDPOINT_URL"] == "http://127.0.0.1:4599"
    assert env["AWS_ACCESS_KEY_ID"] == "testing" and env["AWS_REGION"] == "eu-west-1"
    assert "AWS_PROFILE" not in env and "AWS_SESSION_TOKEN" not in env  # real credentials never reach the cloud


def test_activate_aws_drops_a_leftover_local_endpoint():
    env = {"AWS_ENDPOINT_URL": "http://127.0.0.1:4566", "AWS_PROFILE": "work"}
    target.activate(config.load({"LAB_TARGET": "aws", "LAB_AWS_ACCOUNT": "111122223333"}), env)
    assert "AWS_ENDPOINT_URL" not in env and env["AWS_PROFILE"] == "work"


def test_local_target_down_says_run_make_up():
    cfg = config.load({"LAB_GATEWAY_PORT": str(free_port())})
    with pytest.raises(CloudDown, match="the local cloud is not running: run make up"):
        target.check(cfg)


def test_aws_target_needs_the_account_setting():
    with pytest.raises(TargetError, match="LAB_AWS_ACCOUNT="):
        target.check(config.load({"LAB_TARGET": "aws"}))


def _no_credentials(monkeypatch, tmp_path):
    for name in ("AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "AWS_SESSION_TOKEN", "AWS_PROFILE"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("AWS_SHARED_CREDENTIALS_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_CONFIG_FILE", str(tmp_path / "none"))
    monkeypatch.setenv("AWS_EC2_METADATA_DISABLED", "true")
    monkeypatch.setattr(boto3, "DEFAULT_SESSION", None)


def test_aws_target_without_credentials_says_what_to_set(monkeypatch, tmp_path):
    _no_credentials(monkeypatch, tmp_path)
    with pytest.raises(TargetError, match="no AWS credentials were found: set AWS_PROFILE"):
        target.check(config.load({"LAB_TARGET": "aws", "LAB_AWS_ACCOUNT": "111122223333"}))


def _fake_aws(monkeypatch, cloud):
    monkeypatch.setenv("AWS_ENDPOINT_URL", cloud.cfg.gateway_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    monkeypatch.delenv("AWS_PROFILE", raising=False)


def test_aws_target_in_another_account_is_refused(monkeypatch, cloud):
    _fake_aws(monkeypatch, cloud)
    with pytest.raises(TargetError) as caught:
        target.check(config.load({"LAB_TARGET": "aws", "LAB_AWS_ACCOUNT": "111122223333"}))
    assert "act in account 123456789012, not LAB_AWS_ACCOUNT=111122223333" in str(caught.value)


def test_aws_target_in_the_right_account_passes(monkeypatch, cloud):
    _fake_aws(monkeypatch, cloud)
    cfg = config.load({"LAB_TARGET": "aws", "LAB_AWS_ACCOUNT": "123456789012"})
    assert target.check(cfg) is cfg
    assert target.caller_account(cfg) == "123456789012"


def test_cli_reports_a_target_error_as_one_line(tmp_path):
    env = {**os.environ, "LAB_TARGET": "aws", "AWS_SHARED_CREDENTIALS_FILE": str(tmp_path / "none"),
           "AWS_CONFIG_FILE": str(tmp_path / "none")}
    env.pop("LAB_AWS_ACCOUNT", None)
    result = subprocess.run([sys.executable, "-m", "labkit", "target"], env=env, capture_output=True, text=True,
                            timeout=60)
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.startswith("error: LAB_TARGET=aws needs LAB_AWS_ACCOUNT")


def test_kit_client_does_not_retry_on_the_local_target():
    """A server answering 500 sees one request from the kit's client (botocore alone would send three)."""
    import threading
    from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

    from botocore.exceptions import ClientError

    hits = []

    class Always500(BaseHTTPRequestHandler):
        def do_POST(self):
            hits.append(self.path)
            self.rfile.read(int(self.headers.get("Content-Length", 0)))
            self.send_response(500)
            self.send_header("Content-Length", "0")
            self.end_headers()

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Always500)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        cfg = config.load({"LAB_GATEWAY_PORT": str(server.server_address[1])})
        with pytest.raises(ClientError):
            target.client("sts", cfg).get_caller_identity()
    finally:
        server.shutdown()
    assert len(hits) == 1


def test_tags_in_both_shapes():
    from labkit import tags

    cfg = config.load({"LAB_OWNER": "ada"})
    assert tags(cfg) == [{"Key": "lab:workshop", "Value": "serverless-lab-kit"}, {"Key": "lab:owner", "Value": "ada"}]
    assert tags(cfg, style="dict", layer="s3") == {"lab:workshop": "serverless-lab-kit", "lab:owner": "ada",
                                                   "layer": "s3"}
