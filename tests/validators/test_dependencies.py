"""A check is gated only by what it really needs, and a learner's mistake never crashes a validator: the cases of
a missing Lambda permission, a deleted app client, no user pool at all, an extra certificate request, and the DNS
records a learner may write for www."""

from __future__ import annotations

import uuid

import validators
from labkit import config, names
from validators.base import BLOCKED, FAIL, PASS

from .deployments import deploy_api, deploy_app, deploy_site, wait_deployed

APP_LAYERS = ["cognito", "dynamodb", "lambda", "api", "sns"]


def results(cfg, layers):
    return {r.check: r for r in validators.run(layers, cfg).results}


def assert_no_crash(found):
    for r in found.values():
        assert not r.detail and "the validator itself failed" not in r.observed, (r.check, r.observed, r.detail)


def test_a_missing_lambda_permission_fails_signed_in_only(cloud):
    cfg = deploy_app(cloud)
    deploy_api(cloud, cfg, permission=False)
    found = results(cfg, APP_LAYERS)
    assert found["api.signed_in"].status == FAIL and "missing Lambda permission" in found["api.signed_in"].hint
    for independent in ("api.forged_token", "api.error_cors", "api.throttling", "api.no_token"):
        assert found[independent].status == PASS, (independent, found[independent].observed)
    # OPTIONS goes to the function too, so the preflight really fails: run, not blocked.
    assert found["api.preflight"].status == FAIL and "500" in found["api.preflight"].observed
    # The 500 is the API's, not the function's TOPIC_ARN: these say what they wait for instead of blaming it.
    for dependant in ("sns.delivery", "dynamodb.through_api", "api.www_origin"):
        assert found[dependant].status == BLOCKED and found[dependant].blocked_by == "api.signed_in", dependant
    assert_no_crash(found)


def test_the_sns_layer_alone_does_not_blame_topic_arn_for_the_apis_500(cloud):
    """validators.check("sns") in notebook 10 runs without the api layer: the hint points at the API."""
    cfg = deploy_app(cloud)
    deploy_api(cloud, cfg, permission=False)
    found = results(cfg, ["sns"])["sns.delivery"]
    assert found.status == FAIL and "500" in found.observed
    assert "TOPIC_ARN" not in found.hint and "api layer" in found.hint


def test_a_deleted_app_client_is_a_failure_naming_notebook_06_never_a_traceback(cloud):
    cfg = deploy_app(cloud)
    deploy_api(cloud, cfg)
    idp = cloud.client("cognito-idp")
    pool = next(p for p in idp.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == names(cfg).user_pool)
    for client in idp.list_user_pool_clients(UserPoolId=pool["Id"], MaxResults=60)["UserPoolClients"]:
        idp.delete_user_pool_client(UserPoolId=pool["Id"], ClientId=client["ClientId"])
    found = results(cfg, APP_LAYERS)
    assert_no_crash(found)
    assert found["cognito.client"].status == FAIL and "notebook 06" in found["cognito.client"].hint
    for dependant in ("api.signed_in", "sns.delivery", "dynamodb.through_api"):
        assert found[dependant].status == BLOCKED and found[dependant].blocked_by == "cognito.client", dependant
    alone = results(cfg, ["api"])["api.signed_in"]  # notebook 09's check cell: no cognito layer to wait for
    assert alone.status == FAIL and not alone.detail
    assert f"no app client named {names(cfg).app_client}" in alone.observed and "notebook 06" in alone.hint


def test_no_user_pool_at_all_is_a_failure_never_a_traceback(cloud):
    cfg = deploy_app(cloud)
    deploy_api(cloud, cfg)
    idp = cloud.client("cognito-idp")
    pool = next(p for p in idp.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == names(cfg).user_pool)
    idp.delete_user_pool(UserPoolId=pool["Id"])
    for layers in (APP_LAYERS, ["api"], ["sns"], ["dynamodb"]):
        found = results(cfg, layers)
        assert_no_crash(found)
        assert not any("StopIteration" in r.observed + r.hint for r in found.values())
    alone = results(cfg, ["api"])
    assert alone["api.signed_in"].status == FAIL and "notebook 06" in alone["api.signed_in"].hint
    assert alone["api.forged_token"].status == PASS  # forged from scratch: it needs no pool to be refused


def test_an_extra_certificate_request_does_not_fail_a_working_site(cloud):
    """certificate.exists judges the certificate the distribution uses, not the newest one requested."""
    cfg, dist = deploy_site(cloud)
    wait_deployed(cloud, dist)
    before = results(cfg, ["certificate"])
    assert {r.status for r in before.values()} == {PASS}, {k: r.observed for k, r in before.items()}
    cloud.client("acm").request_certificate(DomainName=cfg.domain, ValidationMethod="DNS")  # apex only, pending
    after = results(cfg, ["certificate"])
    assert {r.status for r in after.values()} == {PASS}, {k: (r.observed, r.hint) for k, r in after.items()}
    attached = dist["DistributionConfig"]["ViewerCertificate"]["ACMCertificateArn"]
    assert attached.rsplit("/", 1)[-1] in after["certificate.exists"].observed


def _www(cloud, cfg, record):
    route53 = cloud.client("route53")
    zone = route53.list_hosted_zones_by_name(DNSName=cfg.domain + ".")["HostedZones"][0]["Id"]
    www = f"www.{cfg.domain}."
    current = [r for r in route53.list_resource_record_sets(HostedZoneId=zone)["ResourceRecordSets"]
               if r["Name"] == www and r["Type"] in ("A", "CNAME")]
    changes = [{"Action": "DELETE", "ResourceRecordSet": r} for r in current]
    if record:
        changes.append({"Action": "CREATE", "ResourceRecordSet": {"Name": www, **record}})
    for change in changes:  # one by one: the local Route 53 refuses a DELETE then CREATE of one name in a batch
        route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [change]})


def test_dns_hints_tell_apart_what_a_learner_wrote_for_www(cloud):
    cfg, dist = deploy_site(cloud)
    _www(cloud, cfg, {"Type": "CNAME", "TTL": 300, "ResourceRecords": [{"Value": f"https://{dist['DomainName']}"}]})
    found = results(cfg, ["dns"])["dns.aliases"]
    assert found.status == FAIL and "contains https://" in found.hint and "https://" in found.observed

    _www(cloud, cfg, {"Type": "CNAME", "TTL": 300, "ResourceRecords": [{"Value": dist["DomainName"]}]})
    found = results(cfg, ["dns"])["dns.aliases"]  # valid on AWS: passed, with the advice
    assert found.status == PASS and "CNAME" in found.observed and "alias A record is preferred" in found.observed

    _www(cloud, cfg, None)
    found = results(cfg, ["dns"])["dns.aliases"]
    assert found.status == FAIL and found.observed == f"no record for www.{cfg.domain}"
    assert "create alias A records" in found.hint


def test_an_unknown_prefix_fails_every_layer_cleanly(cloud):
    """A learner who changed LAB_PREFIX (or never built anything): failures and blocks, no validator bug."""
    cfg = config.load({**cloud.env, "LAB_PREFIX": f"t{uuid.uuid4().hex[:8]}"})
    found = {r.check: r for r in validators.run(None, cfg).results}
    assert_no_crash(found)
    assert {r.status for r in found.values()} <= {PASS, FAIL, BLOCKED, "skip"}
