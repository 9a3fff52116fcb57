"""State survives a restart: `make down && make up` keeps every resource of every service the workshop uses,
with the same ids and ARNs (issue: foundation, point 5). Strategy and measurements: research/moto-persistence.md."""

from __future__ import annotations

import os
import pickle
import signal
import time

import pytest

from labkit.cloud import control
from labkit.target import cloud_health

from . import workload


def test_every_service_survives_down_and_up(fresh_cloud):
    """Are all resources, ids, ARNs, contents and even issued tokens the same after a restart?"""
    handles = workload.build(fresh_cloud.client)
    before = workload.fingerprint(fresh_cloud.client, handles)
    health = fresh_cloud.restart()
    after = workload.fingerprint(fresh_cloud.client, handles)
    assert after == before
    restored = health["components"]["persistence"]["restored"]
    for service in ("s3", "dynamodb", "cognito-idp", "lambda", "apigateway", "route53", "acm", "cloudfront",
                    "wafv2", "sns", "sqs", "iam", "logs"):
        assert restored.get(service), f"{service} was not restored: {restored}"


def test_new_ids_after_restart_do_not_repeat_restored_ones(fresh_cloud):
    """Does the seeded id generator continue after a restart instead of handing out an id again?"""
    idp = fresh_cloud.client("cognito-idp")
    first = idp.create_user_pool(PoolName="before")["UserPool"]["Id"]
    fresh_cloud.restart()
    idp = fresh_cloud.client("cognito-idp")
    second = idp.create_user_pool(PoolName="after")["UserPool"]["Id"]
    assert second != first
    assert {p["Id"] for p in idp.list_user_pools(MaxResults=10)["UserPools"]} == {first, second}


def test_state_survives_kill_9_after_autosave(fresh_cloud):
    """Is a change saved within a few seconds, so even `kill -9` (a laptop losing power) keeps it?"""
    fresh_cloud.client("s3").create_bucket(Bucket="survives-kill")
    deadline = time.monotonic() + 15
    while time.monotonic() < deadline:
        if cloud_health(fresh_cloud.cfg)["components"]["persistence"]["saved_at"]:
            break
        time.sleep(0.2)
    else:
        pytest.fail("the snapshot was not saved within 15 s of a change")
    pid = control.running_pid(fresh_cloud.cfg)
    os.kill(pid, signal.SIGKILL)
    os.waitpid(pid, 0)  # this test process started the cloud (control.up): reap it, so its sockets are surely gone
    fresh_cloud.up()
    names = [b["Name"] for b in fresh_cloud.client("s3").list_buckets()["Buckets"]]
    assert names == ["survives-kill"]


@pytest.mark.parametrize(
    "content, reason",
    [
        (b"\x80\x05this is not a pickle", "corrupt"),
        (pickle.dumps({"format": 1, "moto": "0.0.1", "moto_state": {}, "providers": {}}), "saved by moto 0.0.1"),
        (b"", "corrupt"),
    ],
    ids=["garbage", "other-moto-version", "empty"],
)
def test_unreadable_snapshot_is_moved_aside_and_cloud_starts_empty(fresh_cloud, content, reason):
    """Is a bad snapshot kept (moved aside, never deleted), announced with its new place, and the cloud usable?"""
    fresh_cloud.down()
    snapshot = fresh_cloud.state_dir / "snapshot.pkl"
    snapshot.write_bytes(content)
    health = fresh_cloud.up()
    assert health["status"] == "ok"
    moved = list(fresh_cloud.state_dir.glob("snapshot.unreadable-*.pkl"))
    assert len(moved) == 1 and moved[0].read_bytes() == content
    (notice,) = health["notices"]
    assert reason in notice and str(moved[0]) in notice and "started empty" in notice
    assert fresh_cloud.client("s3").list_buckets()["Buckets"] == []
