"""The cloud's start stays cheap: bench/startup.py measures it against a bare moto_server; these pin the causes,
which one stray module-level import brings back unnoticed."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap

import pytest

from labkit.cloud.moto.importhook import when_imported

from ..conftest import cloud_env

PROBE = textwrap.dedent("""
    import json, sys
    from labkit import config
    from labkit.cloud.server import LocalCloud

    cloud = LocalCloud(config.load())
    cloud.start()
    try:
        print(json.dumps({"status": cloud.health.document()["status"], "modules": sorted(sys.modules),
                          "models": cloud.providers.router.loaded}))
    finally:
        cloud.stop()
""")
# Needed only by a notebook (IPython, rich), or at the first request that uses them: ACM validation (dnspython),
# Cognito tokens (PyJWT; moto's Cognito with joserfc), moto's services the cloud patches, the WAF's engine.
NOT_AT_START = ("IPython", "rich", "dns.message", "jwt", "joserfc", "moto.cognitoidp.models", "moto.sns.models",
                "moto.cloudfront.models", "moto.route53.models", "labkit.cloud.wafv2.engine")


@pytest.fixture(scope="module")
def started(tmp_path_factory: pytest.TempPathFactory) -> dict:
    env = {**os.environ, **cloud_env(tmp_path_factory.mktemp("startup"))}
    done = subprocess.run([sys.executable, "-c", PROBE], env=env, capture_output=True, text=True, timeout=120)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout.strip().splitlines()[-1])


def test_healthy_start_imports_nothing_a_first_request_can(started):
    assert started["status"] == "ok"
    assert [m for m in NOT_AT_START if m in started["modules"]] == []


def test_start_reads_no_service_model(started):
    assert started["models"] == []


def test_when_imported_patches_before_the_importer_sees_the_module(tmp_path, monkeypatch):
    (tmp_path / "kit_hook_probe.py").write_text("VALUE = 1\n")
    monkeypatch.syspath_prepend(str(tmp_path))
    seen = []
    when_imported("kit_hook_probe", lambda module: seen.append(module.VALUE) or setattr(module, "VALUE", 2))
    assert seen == []  # not imported yet: nothing to patch
    import kit_hook_probe

    assert (seen, kit_hook_probe.VALUE) == ([1], 2)
    when_imported("kit_hook_probe", lambda module: seen.append("now"))
    assert seen == [1, "now"]  # already imported: patched at once
    monkeypatch.delitem(sys.modules, "kit_hook_probe")
