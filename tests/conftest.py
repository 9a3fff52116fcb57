"""Shared fixtures: local clouds started the way ``make up`` starts them (a background process), each on free
ports with its own state directory, so tests never touch a learner's .labcloud/ or port 4566."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from labkit import config as _config
from labkit.cloud import control
from labkit.config import PROJECT_ROOT


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def cloud_env(state_dir: Path) -> dict[str, str]:
    """LAB_* settings for a private cloud: a fresh state directory and free ports; distributions deploy in 1 s (the
    default 3 s shows learners the wait; tests that look at InProgress make their own slower cloud)."""
    env = {"LAB_STATE_DIR": str(state_dir), "LAB_TARGET": "local", "LAB_CLOUDFRONT_DEPLOY_SECONDS": "1"}
    for name, (var, _, _) in _config.PORTS.items():
        env[var] = str(free_port())
    return env


class Cloud:
    """A local cloud process under test; ``restart()`` is ``make down && make up``."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env = env
        self.cfg = _config.load({**os.environ, **env})

    def up(self) -> dict:
        with _environment(self.env):
            return control.up(self.cfg, quiet=True)

    def down(self) -> None:
        with _environment(self.env):
            control.down(self.cfg, quiet=True)

    def restart(self) -> dict:
        self.down()
        return self.up()

    def client(self, service: str):
        from labkit.target import client

        return client(service, self.cfg)

    @property
    def state_dir(self) -> Path:
        return Path(self.cfg.state_dir)


class _environment:
    """Set environment variables for the duration of a block (the cloud process inherits them)."""

    def __init__(self, env: dict[str, str]) -> None:
        self.env, self.saved = env, {}

    def __enter__(self) -> None:
        self.saved = {k: os.environ.get(k) for k in self.env}
        os.environ.update(self.env)

    def __exit__(self, *exc: object) -> None:
        for key, value in self.saved.items():
            if value is None:
                os.environ.pop(key, None)
            else:
                os.environ[key] = value


@pytest.fixture(scope="session")
def cloud(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Cloud]:
    """One local cloud for the whole session (tests that only read, or create uniquely named resources)."""
    instance = Cloud(cloud_env(tmp_path_factory.mktemp("session-cloud")))
    instance.up()
    yield instance
    instance.down()


@pytest.fixture(autouse=True)
def _aws_environment_restored() -> Iterator[None]:
    """labkit.activate() (which the setup layer's checks call) points this process's boto3 at a local cloud by
    setting AWS_* variables; a later test using moto in-process must not inherit them from an earlier one."""
    saved = {key: value for key, value in os.environ.items() if key.startswith("AWS_")}
    yield
    for key in [key for key in os.environ if key.startswith("AWS_") and key not in saved]:
        del os.environ[key]
    os.environ.update(saved)


@pytest.fixture
def fresh_cloud(tmp_path: Path) -> Iterator[Cloud]:
    """A local cloud of this test's own, started empty."""
    instance = Cloud(cloud_env(tmp_path / "state"))
    instance.up()
    yield instance
    instance.down()


@pytest.fixture
def cloud_environ(cloud: Cloud, monkeypatch: pytest.MonkeyPatch) -> Cloud:
    """The session cloud's LAB_* settings in os.environ, for code that reads the environment."""
    for key, value in cloud.env.items():
        monkeypatch.setenv(key, value)
    return cloud


@dataclass
class Workshop:
    """A local cloud on which every solution notebook ran in order (``run``), then all of them again (``rerun``:
    a learner re-running cells must not break or duplicate anything)."""

    cloud: Cloud
    run: subprocess.CompletedProcess
    rerun: subprocess.CompletedProcess

    def require_built(self) -> None:
        if self.run.returncode != 0:
            pytest.fail("the workshop's notebooks did not build the site (see "
                        "test_solutions_run_in_order_with_nbval_on_a_fresh_cloud):\n" + self.run.stdout[-3000:])


def _run_solutions(env: dict[str, str], *, only: tuple[str, ...] = ()) -> subprocess.CompletedProcess:
    """The solution notebooks under nbval, in order: every one before 12-cleanup (which would take the site down
    under the tests that use it), or with ``only`` the notebooks whose names start so (``("12-",)`` runs cleanup)."""
    notebooks = sorted((PROJECT_ROOT / "solutions").glob("*.ipynb"))
    if only:
        notebooks = [nb for nb in notebooks if nb.name.startswith(only)]
    else:
        notebooks = [nb for nb in notebooks if not nb.name.startswith("12-")]
    return subprocess.run(
        [sys.executable, "-m", "pytest", "-p", "no:cacheprovider", "--nbval-lax", "-q", "--rootdir",
         str(PROJECT_ROOT / "solutions"), *map(str, notebooks)],
        cwd=PROJECT_ROOT / "solutions", env=env, capture_output=True, text=True, timeout=1800)


@pytest.fixture(scope="session")
def workshop(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Workshop]:
    """The whole workshop, as a learner does it: every solution notebook under nbval, in order, on one fresh local
    cloud (later layers build on earlier ones, as the contact site does), then once more. Built once, for the
    notebook tests and the browser tests (which so use the site as the second run left it)."""
    instance = Cloud(cloud_env(tmp_path_factory.mktemp("workshop")))
    instance.up()
    env = {**os.environ, **instance.env}
    env.pop("AWS_ENDPOINT_URL", None)  # the notebooks must point boto3 at the cloud themselves (labkit.activate)
    run = _run_solutions(env)
    rerun = _run_solutions(env) if run.returncode == 0 else run
    yield Workshop(instance, run, rerun)
    instance.down()


def build_docs(out: Path) -> Path:
    """The docs site as make docs builds it (strict: a dead link, a missing page or translation fails), into
    ``out``; pytest fails with mkdocs' own words when it does not build."""
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("LAB_DOCS_URL", None)
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
                            cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=300)
    if result.returncode != 0:
        pytest.fail("the docs site does not build (make docs):\n" + result.stderr[-3000:])
    return out


@pytest.fixture(scope="session")
def docs_site(tmp_path_factory: pytest.TempPathFactory) -> Path:
    return build_docs(tmp_path_factory.mktemp("docs") / "site")


def pytest_collection_modifyitems(items: list[pytest.Item]) -> None:
    """Under ``-n`` (pytest-xdist, --dist loadgroup) a module's tests stay on one worker, so its module-scoped
    cloud is built once; every test of the ``workshop`` (the notebooks and the browser tests) shares one worker,
    so the whole workshop is built once."""
    for item in items:
        group = "workshop" if "workshop" in getattr(item, "fixturenames", ()) else item.nodeid.split("::")[0]
        item.add_marker(pytest.mark.xdist_group(group))
