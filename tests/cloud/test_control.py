"""make up / down / status from outside the cloud: idempotent, and every user mistake gets one clear line."""

from __future__ import annotations

import os
import socket
import subprocess
import sys

import pytest

from labkit.cloud import control
from labkit.errors import LabError

from ..conftest import Cloud, cloud_env


def run_cli(env: dict[str, str], *args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "labkit", *args], env={**os.environ, **env}, capture_output=True,
                          text=True, timeout=120)


def test_up_twice_starts_nothing_the_second_time(fresh_cloud):
    pid = control.running_pid(fresh_cloud.cfg)
    result = run_cli(fresh_cloud.env, "up")
    assert result.returncode == 0
    assert "already running" in result.stdout and "nothing started" in result.stdout
    assert control.running_pid(fresh_cloud.cfg) == pid


def test_down_when_not_running_says_so(tmp_path):
    result = run_cli(cloud_env(tmp_path), "down")
    assert result.returncode == 0 and "not running" in result.stdout


def test_status_lists_components_and_endpoints(fresh_cloud):
    result = run_cli(fresh_cloud.env, "status")
    assert result.returncode == 0
    for word in ("gateway", "moto", "persistence", fresh_cloud.cfg.gateway_url):
        assert word in result.stdout


def test_taken_port_is_named_with_the_setting_to_change(tmp_path):
    """A port held by another program: one line naming the port and LAB_GATEWAY_PORT, no traceback, no process."""
    env = cloud_env(tmp_path)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", int(env["LAB_GATEWAY_PORT"])))
        squatter.listen()
        result = run_cli(env, "up")
    assert result.returncode == 1
    assert "Traceback" not in result.stderr
    message = " ".join(result.stderr.split())
    assert f"port {env['LAB_GATEWAY_PORT']} (gateway) is already in use" in message
    assert "LAB_GATEWAY_PORT=" in message
    assert control.running_pid(Cloud(env).cfg) is None


def test_two_clouds_never_share_a_state_directory(fresh_cloud):
    """A second cloud process on the same .labcloud/ (other port) refuses to start: snapshots would collide."""
    env = {**fresh_cloud.env, "LAB_GATEWAY_PORT": str(int(fresh_cloud.env["LAB_GATEWAY_PORT"]) + 1)}
    result = subprocess.run([sys.executable, "-m", "labkit.cloud"], env={**os.environ, **env}, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 2
    assert "already uses" in result.stderr and "make down" in result.stderr


def test_unusable_state_directory_is_named(tmp_path):
    """LAB_STATE_DIR under a file: one line naming the folder and the setting, no traceback."""
    blocker = tmp_path / "not-a-dir"
    blocker.write_text("a file where the state directory should be")
    env = {**cloud_env(tmp_path), "LAB_STATE_DIR": str(blocker / "state")}
    result = run_cli(env, "up")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    message = " ".join(result.stderr.split())
    assert str(blocker / "state") in message and "LAB_STATE_DIR" in message


@pytest.mark.parametrize("target", ["aws"])
def test_local_cloud_commands_refuse_the_aws_target(tmp_path, target):
    result = run_cli({**cloud_env(tmp_path), "LAB_TARGET": target}, "up")
    assert result.returncode == 1 and "LAB_TARGET=aws" in result.stderr


def test_up_raises_lab_error_in_process_for_taken_port(tmp_path):
    env = cloud_env(tmp_path)
    cloud = Cloud(env)
    with socket.socket() as squatter:
        squatter.bind(("127.0.0.1", int(env["LAB_GATEWAY_PORT"])))
        with pytest.raises(LabError, match="already in use"):
            cloud.up()


def test_status_when_down_says_it_once(tmp_path):
    result = run_cli(cloud_env(tmp_path), "status")
    assert result.returncode == 0
    assert result.stdout == "The local cloud is not running: run make up.\n"


def test_status_shows_times_and_lists_in_words(fresh_cloud):
    """saved_at as a local time, providers as a comma-separated list: no epoch floats, no Python reprs."""
    import re
    import time

    from labkit.target import cloud_health

    fresh_cloud.client("s3").create_bucket(Bucket="status-words")  # a change: the cloud saves within a second
    deadline = time.monotonic() + 20
    while (saved_at := cloud_health(fresh_cloud.cfg)["components"]["persistence"].get("saved_at")) is None:
        assert time.monotonic() < deadline, "the cloud never saved its state"
        time.sleep(0.2)
    result = run_cli({**fresh_cloud.env, "COLUMNS": "300"}, "status")
    assert result.returncode == 0
    assert "saved_at=" + time.strftime("%Y-%m-%d %H:%M:%S", time.localtime(saved_at)) in result.stdout
    assert re.search(r"providers=\w+Provider, \w+", result.stdout)
    assert "['" not in result.stdout and "{'" not in result.stdout


def test_nested_details_read_as_words():
    """lambda's workers per function: a dict of dicts, as the status table shows it once a function ran."""
    from labkit.cloud.control import _detail

    assert _detail("workers", {"lab-contact-api": {"busy": 0, "idle": 1}}) == "lab-contact-api (busy 0, idle 1)"
    assert _detail("ports", {"https": 4443, "http": 4480}) == "https 4443, http 4480"
    assert _detail("zones", ["a", ["b", "c"]]) == "a, b, c"


@pytest.mark.parametrize("command", ["up", "status"])
def test_up_and_status_print_the_site_and_the_mailbox(fresh_cloud, command):
    result = run_cli({**fresh_cloud.env, "COLUMNS": "300"}, command)
    assert result.returncode == 0
    assert f"https://contact.localhost:{fresh_cloud.env['LAB_HTTPS_PORT']}/" in result.stdout
    assert f"{fresh_cloud.cfg.gateway_url}/_lab/mail" in result.stdout


@pytest.mark.parametrize("setting", ["LAB_HTTPS_PORT", "LAB_HTTP_PORT", "LAB_GATEWAY_PORT"])
def test_a_port_browsers_refuse_is_refused_before_anything_starts(tmp_path, setting):
    """6666 (IRC) is on Chromium's and Firefox's unsafe list: the site would only say "Failed to fetch"."""
    env = {**cloud_env(tmp_path), setting: "6666"}
    cloud = Cloud(env)
    with pytest.raises(LabError) as raised:
        cloud.up()
    # 6667-6669 are refused too; 6670 is the next port a browser accepts (when free, as on a test machine).
    assert str(raised.value) == (f"{setting}=6666 is a port Chromium and Firefox refuse to connect to "
                                 f"(ERR_UNSAFE_PORT): choose another, for example make up {setting}=6670")
    assert control.running_pid(cloud.cfg) is None
    assert not (cloud.state_dir / "cloud.log").exists()


def test_refused_port_is_one_line_from_make_up(tmp_path):
    env = {**cloud_env(tmp_path), "LAB_HTTPS_PORT": "10080"}
    result = run_cli(env, "up")
    assert result.returncode == 1 and "Traceback" not in result.stderr
    assert result.stderr.strip().splitlines() == [
        "error: LAB_HTTPS_PORT=10080 is a port Chromium and Firefox refuse to connect to (ERR_UNSAFE_PORT): choose "
        "another, for example make up LAB_HTTPS_PORT=10081"]


def test_dns_and_smtp_may_use_a_port_browsers_refuse():
    from labkit.cloud.core.listeners import check_browser_ports

    assert check_browser_ports({"gateway": 4566, "https": 4443, "http": 4480, "dns": 53, "smtp": 25}) is None
    assert check_browser_ports({"gateway": 5060, "https": 4443, "http": 4480})[:2] == ("gateway", 5060)
