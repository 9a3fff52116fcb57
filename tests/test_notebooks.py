"""Notebooks: labs/ is generated from solutions/ and in sync; each solution runs top to bottom (nbval) on a fresh
local cloud; a learner with the cloud down gets the one-line fix, not a traceback."""

from __future__ import annotations

import os

import nbformat
import pytest
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError

from labkit.config import PROJECT_ROOT

from .conftest import free_port


def test_labs_are_in_sync_with_solutions():
    from tools.generate_labs import out_of_sync

    assert out_of_sync(PROJECT_ROOT / "solutions", PROJECT_ROOT / "labs") == []


def test_labs_hold_no_solutions_and_no_outputs():
    for lab in (PROJECT_ROOT / "labs").glob("*.ipynb"):
        nb = nbformat.read(lab, as_version=4)
        for cell in nb.cells:
            assert "BEGIN SOLUTION" not in cell.source and "HIDDEN TESTS" not in cell.source, lab.name
            assert not cell.get("outputs"), lab.name


@pytest.mark.notebook
def test_solutions_run_in_order_with_nbval_on_a_fresh_cloud(workshop):
    """The whole workshop, as a learner does it: every solution notebook, in order, on one fresh local cloud
    (the ``workshop`` fixture; the browser tests then use the site it built)."""
    assert workshop.run.returncode == 0, workshop.run.stdout[-6000:]


@pytest.mark.notebook
def test_solutions_are_safe_to_run_again_and_create_nothing_twice(workshop):
    """Every cell is idempotent: the second run of all notebooks passes and leaves one of each resource."""
    assert workshop.run.returncode == 0, "the first run failed (see the test above)"
    assert workshop.rerun.returncode == 0, workshop.rerun.stdout[-6000:]
    from labkit import names

    cloud = workshop.cloud
    n = names(cloud.cfg)
    cf, idp, sns = cloud.client("cloudfront"), cloud.client("cognito-idp"), cloud.client("sns")
    distributions = cf.list_distributions()["DistributionList"].get("Items", [])
    assert [d["Comment"] for d in distributions] == [n.distribution_comment]
    assert [p["Name"] for p in idp.list_user_pools(MaxResults=60)["UserPools"]] == [n.user_pool]
    assert [a["name"] for a in cloud.client("apigateway").get_rest_apis()["items"]] == [n.api]
    acls = cloud.client("wafv2").list_web_acls(Scope="CLOUDFRONT")["WebACLs"]
    assert [a["Name"] for a in acls] == [n.web_acl]
    topics = sns.list_topics()["Topics"]
    assert len(topics) == 1
    subscriptions = sns.list_subscriptions_by_topic(TopicArn=topics[0]["TopicArn"])["Subscriptions"]
    assert len([s for s in subscriptions if s["Endpoint"] == cloud.cfg.owner_email]) == 1
    assert [s["Endpoint"] for s in subscriptions if s["Protocol"] == "sms"] == [cloud.cfg.owner_phone]  # nb 14
    assert sns.list_sms_sandbox_phone_numbers()["PhoneNumbers"] == [
        {"PhoneNumber": cloud.cfg.owner_phone, "Status": "Verified"}]
    zones = cloud.client("route53").list_hosted_zones()["HostedZones"]
    assert [z["Name"] for z in zones] == [cloud.cfg.domain + "."]
    certificates = cloud.client("acm").list_certificates()["CertificateSummaryList"]
    assert [c["DomainName"] for c in certificates] == [cloud.cfg.domain]
    alarms = cloud.client("cloudwatch").describe_alarms()["MetricAlarms"]  # optional notebook 13
    assert [a["AlarmName"] for a in alarms] == [n.alarm]


def test_setup_notebook_with_the_cloud_down_says_run_make_up():
    nb = nbformat.read(PROJECT_ROOT / "labs" / "00-setup.ipynb", as_version=4)
    env = {**os.environ, "LAB_GATEWAY_PORT": str(free_port())}
    with pytest.raises(CellExecutionError) as caught:
        _execute(nb, env)
    assert caught.value.ename == "CloudDown"  # the kernel reports the error: nbval and nbclient stop here
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    text = "".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert "the local cloud is not running: run make up" in text
    assert "Traceback" not in text


def test_a_notebook_run_before_the_one_it_builds_on_names_that_notebook(fresh_cloud):
    """03 needs the zone notebook 02 creates: on an empty cloud its first cell says so in one line."""
    nb = nbformat.read(PROJECT_ROOT / "labs" / "03-route53.ipynb", as_version=4)
    env = {**os.environ, **fresh_cloud.env}
    env.pop("AWS_ENDPOINT_URL", None)
    with pytest.raises(CellExecutionError) as caught:
        _execute(nb, env)
    assert caught.value.ename == "LabError"
    outputs = [o for c in nb.cells for o in c.get("outputs", [])]
    text = "".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", "")) for o in outputs)
    assert f"no hosted zone for {fresh_cloud.cfg.domain} yet: run notebook 02 first" in text
    assert "Traceback" not in text and "StopIteration" not in text


def _execute(nb, env):
    from jupyter_client.manager import KernelManager

    km = KernelManager(kernel_name="python3")
    km.start_kernel(env=env, cwd=str(PROJECT_ROOT / "labs"))
    try:
        NotebookClient(nb, km=km, timeout=120).execute()
    finally:
        km.shutdown_kernel(now=True)
