"""Every message the kit prints for a user mistake has its entry in docs/troubleshooting.md.

Each scenario below makes one mistake for real (a bad setting, the cloud down, a port taken, the wrong AWS
account, a notebook run too early…) and takes the one line the kit prints; the line must match the message of an
entry of the troubleshooting page. An entry is a ``###`` heading whose first code span is the message, with ``…``
standing for any text.
"""

from __future__ import annotations

import http.server
import json
import os
import re
import socket
import subprocess
import sys
import threading
from collections.abc import Callable
from pathlib import Path

import pytest

from labkit import LabError
from labkit import config as _config
from labkit.config import PROJECT_ROOT

from .conftest import cloud_env, free_port

PAGE = PROJECT_ROOT / "docs" / "troubleshooting.md"


def entries() -> dict[str, re.Pattern[str]]:
    """heading → the pattern of its message."""
    found: dict[str, re.Pattern[str]] = {}
    for section in re.split(r"^### ", PAGE.read_text(), flags=re.M)[1:]:
        heading, _, body = section.partition("\n")
        message = re.search(r"`([^`]+)`", body)
        assert message, f"the entry {heading!r} names no message in a code span"
        parts = [re.escape(part) for part in message.group(1).split("…")]
        found[heading.strip()] = re.compile(".*?".join(parts), re.S)
    return found


def entry_for(message: str) -> str | None:
    return next((heading for heading, pattern in entries().items() if pattern.search(message)), None)


def raised(action: Callable[[], object]) -> str:
    with pytest.raises(LabError) as caught:
        action()
    return str(caught.value)


def config_error(**env: str) -> Callable[[], str]:
    return lambda: raised(lambda: _config.load(env))


def no_cloud() -> _config.Config:
    return _config.load(cloud_env(Path("/nonexistent-state")))


def cloud_down() -> str:
    from labkit.target import check

    return raised(lambda: check(no_cloud()))


def something_else_answers() -> str:
    """Another program on the gateway's port."""
    from labkit.target import cloud_health

    class NotTheCloud(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.end_headers()
            self.wfile.write(b"<html>another program</html>")

        def log_message(self, *args: object) -> None:
            pass

    server = http.server.HTTPServer(("127.0.0.1", 0), NotTheCloud)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        cfg = _config.load({"LAB_GATEWAY_PORT": str(server.server_address[1])})
        return raised(lambda: cloud_health(cfg))
    finally:
        server.shutdown()


def port_in_use() -> str:
    from labkit.cloud import control

    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        env = cloud_env(Path("/nonexistent-state"))
        env["LAB_DNS_PORT"] = str(taken.getsockname()[1])
        return raised(lambda: control.up(_config.load(env), quiet=True))


def browser_refused_port() -> str:
    from labkit.cloud import control

    env = cloud_env(Path("/nonexistent-state"))
    env["LAB_HTTPS_PORT"] = "6666"
    return raised(lambda: control.up(_config.load(env), quiet=True))


def no_credentials_env(tmp: Path) -> dict[str, str]:
    """An environment in which botocore finds no credentials at all (and asks no metadata service)."""
    empty = tmp / "empty"
    empty.write_text("")
    env = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env.update(AWS_SHARED_CREDENTIALS_FILE=str(empty), AWS_CONFIG_FILE=str(empty), AWS_EC2_METADATA_DISABLED="true")
    return env


def aws(tmp_path: Path, monkeypatch: pytest.MonkeyPatch, **settings: str) -> _config.Config:
    for key in [k for k in os.environ if k.startswith("AWS_")]:
        monkeypatch.delenv(key)
    for key, value in no_credentials_env(tmp_path).items():
        monkeypatch.setenv(key, value)
    return _config.load({"LAB_TARGET": "aws", **settings})


def test_every_entry_names_a_message_and_headings_are_unique():
    text = PAGE.read_text()
    headings = re.findall(r"^### (.+)$", text, re.M)
    assert len(headings) == len(set(headings)) == len(entries()) >= 20


@pytest.mark.parametrize("make_mistake", [
    config_error(LAB_TARGET="gcp"),
    config_error(LAB_GATEWAY_PORT="45x"),
    config_error(LAB_HTTPS_PORT="70000"),
    config_error(LAB_REGION="mars-1"),
    config_error(LAB_PREFIX="9lives"),
    config_error(LAB_AWS_ACCOUNT="1234"),
    config_error(LAB_OWNER_EMAIL="nobody"),
    config_error(LAB_LEARNER="Ada Lovelace"),
    cloud_down,
    something_else_answers,
    port_in_use,
    browser_refused_port,
], ids=["target", "port-not-a-number", "port-too-big", "region", "prefix", "account-format", "owner-email",
        "learner", "cloud-down", "another-program", "port-in-use",
        "browser-refused-port"])
def test_settings_and_the_local_cloud(make_mistake):
    message = make_mistake()
    assert entry_for(message), f"no troubleshooting entry for: {message}"


@pytest.mark.parametrize(("roster", "columns"), [
    (None, {}),
    ("", {}),
    ("learner\n", {}),
    ("name,email\nada,ada@example.com\n", {}),
    ("learner,team\nada,blue\n", {}),
    ("learner\nAda Lovelace\n", {}),
    ("learner\nada\nada\n", {}),
    ("learner,email\nada,nobody\n", {}),
    ("learner\nada\n", {"LAB_TARGET": "aws", "LAB_AWS_ACCOUNT": "111122223333"}),
    ("learner,account,role_arn\nada,111122223333,arn:aws:iam::444455556666:role/grader\n", {"LAB_TARGET": "aws"}),
], ids=["missing", "empty", "header-only", "no-learner-column", "unknown-column", "bad-name", "twice",
        "bad-setting", "aws-without-role", "role-in-another-account"])
def test_roster_mistakes(tmp_path, roster, columns):
    """make grade refuses a wrong roster with one line, before grading anyone (validators/grade.py)."""
    from validators import grade

    path = tmp_path / "roster.csv"
    if roster is not None:
        path.write_text(roster)
    base = {**cloud_env(tmp_path / "state"), **columns}
    message = raised(lambda: grade.grade(grade.read_roster(path), base, tmp_path / "out"))
    assert entry_for(message), f"no troubleshooting entry for: {message}"
    assert not (tmp_path / "out" / "gradebook.csv").exists()


def test_make_grade_without_a_roster():
    done = subprocess.run(["make", "--no-print-directory", "grade"], cwd=PROJECT_ROOT, capture_output=True,
                          text=True, timeout=120)
    assert done.returncode != 0
    message = done.stderr.strip().splitlines()[-1]
    assert entry_for(message), f"no troubleshooting entry for: {message}"


def test_component_settings():
    from labkit.cloud.cloudfront.component import deploy_seconds
    from labkit.cloud.cognito.component import _code_lifetime
    from labkit.cloud.lambda_.component import account_concurrency

    for parse, env in ((deploy_seconds, {"LAB_CLOUDFRONT_DEPLOY_SECONDS": "soon"}),
                       (account_concurrency, {"LAB_LAMBDA_CONCURRENCY": "0"}),
                       (_code_lifetime, {"LAB_COGNITO_CODE_TTL": "-5"})):
        message = raised(lambda: parse(env))
        assert entry_for(message), f"no troubleshooting entry for: {message}"


def test_the_aws_target_guard(tmp_path, monkeypatch, cloud):
    from labkit.target import check

    messages = [raised(lambda: check(aws(tmp_path, monkeypatch))),  # no LAB_AWS_ACCOUNT
                raised(lambda: check(aws(tmp_path, monkeypatch, LAB_AWS_ACCOUNT="111122223333")))]  # no credentials
    # The wrong account: credentials that work, of another account (the local cloud's STS stands in for AWS's).
    monkeypatch.setenv("AWS_ENDPOINT_URL", cloud.cfg.gateway_url)
    monkeypatch.setenv("AWS_ACCESS_KEY_ID", "testing")
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "testing")
    messages.append(raised(lambda: check(_config.load({"LAB_TARGET": "aws", "LAB_AWS_ACCOUNT": "111122223333"}))))
    assert "111122223333" in messages[-1]
    for message in messages:
        assert entry_for(message), f"no troubleshooting entry for: {message}"


def test_local_commands_on_the_aws_target_and_unknown_layers():
    done = subprocess.run([sys.executable, "-m", "labkit", "status"], env={**os.environ, "LAB_TARGET": "aws"},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode != 0
    message = " ".join(done.stderr.split())
    assert entry_for(message), f"no troubleshooting entry for: {message}"
    import validators

    message = raised(lambda: validators.run(["nope"], cfg=no_cloud()))
    assert entry_for(message), f"no troubleshooting entry for: {message}"


def test_state_dir_trust_and_certutil(tmp_path):
    from labkit.cloud.core.statedir import make_state_dir
    from labkit.trust import INSTALL_CERTUTIL, trust

    blocker = tmp_path / "a-file"
    blocker.write_text("")
    messages = [raised(lambda: make_state_dir(_config.load({"LAB_STATE_DIR": str(blocker / "state")}))),
                raised(lambda: trust(_config.load({"LAB_STATE_DIR": str(tmp_path / "never-started")}))),
                INSTALL_CERTUTIL]
    for message in messages:
        assert entry_for(message), f"no troubleshooting entry for: {message}"


def test_packages_that_differ_from_requirements(monkeypatch):
    from importlib import metadata

    from labkit import environment

    real = metadata.version
    monkeypatch.setattr(metadata, "version", lambda name: "0.0" if name == "boto3" else real(name))
    message = raised(lambda: environment.check_environment(show=False))
    assert entry_for(message), f"no troubleshooting entry for: {message}"


def test_the_browser_install_step(tmp_path):
    done = subprocess.run(["bash", str(PROJECT_ROOT / "tools" / "install_browser.sh")],
                          env={**os.environ, "LAB_CHROMIUM": str(tmp_path / "no-such-chromium")},
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 1
    message = done.stderr.strip()
    assert entry_for(message), f"no troubleshooting entry for: {message}"


def notebook_sources() -> list[str]:
    sources = []
    for path in sorted((PROJECT_ROOT / "solutions").glob("*.ipynb")):
        cells = json.loads(path.read_text())["cells"]
        sources += ["".join(c["source"]) for c in cells if c["cell_type"] == "code"]
    return sources


def test_a_notebook_run_before_the_one_it_builds_on():
    """The notebooks' own one-line messages (labkit.first) for a resource an earlier notebook makes."""
    messages = [m for source in notebook_sources() for m in re.findall(r'"(no [^"]+ yet: run notebook \d\d first)"',
                                                                         source)]
    assert len(messages) >= 5
    for message in messages:
        assert entry_for(message), f"no troubleshooting entry for: {message}"


def test_an_exercise_left_as_its_stub():
    from tools.preprocessors.clear_solutions import not_done_message

    for message in (not_done_message("2. Block Public Access"), not_done_message(None)):
        assert entry_for(message), f"no troubleshooting entry for: {message}"


def test_make_check_on_a_target_it_cannot_grade(tmp_path):
    """make check's one line is the target's own message: the same entry explains it."""
    env = {**os.environ, **cloud_env(tmp_path / "no-cloud")}
    done = subprocess.run([sys.executable, "-m", "validators", "--out", str(tmp_path / "reports")], env=env,
                          capture_output=True, text=True, timeout=120)
    assert done.returncode == 2
    (line,) = (done.stdout + done.stderr).strip().splitlines()
    assert entry_for(line), f"no troubleshooting entry for: {line}"


def test_a_validator_that_breaks():
    from validators.base import Check, Context

    def broken(ctx):
        raise KeyError("Id")

    result = Check("x.broken", "a broken probe", broken).run(Context(no_cloud()))
    assert entry_for(result.hint), f"no troubleshooting entry for: {result.hint}"
