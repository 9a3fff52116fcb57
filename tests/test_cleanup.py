"""Notebook 12 on a full deployment: two learners build the whole site in one account (the same owner tag, their own
prefix and domain), the first runs cleanup twice; then a listing of every service the workshop touches, made here
and not by labkit.cleanup, finds nothing of the first learner and everything of the second."""

from __future__ import annotations

import os
import re
import time
import uuid
from dataclasses import dataclass

import nbformat
import pytest
import requests

from labkit import config, names
from labkit.config import PROJECT_ROOT
from labkit.endpoints import site_origin

from tools.deploy_workshop import deploy_class

from .conftest import Cloud, _run_solutions, cloud_env

pytestmark = pytest.mark.notebook

FIRST = {"LAB_PREFIX": "lab", "LAB_DOMAIN": "contact.localhost", "LAB_OWNER": "ada",
         "LAB_OWNER_EMAIL": "ada@example.com"}
# Same owner tag on purpose: what tells the learners' resources apart is the prefix and the domain.
OTHER = {"LAB_PREFIX": "other", "LAB_DOMAIN": "other.localhost", "LAB_OWNER": "ada",
         "LAB_OWNER_EMAIL": "ada-other@example.com"}


def inventory(cloud: Cloud) -> set[str]:
    """``service:name`` for everything in the account, in every service the workshop touches."""
    c, found = cloud.client, set()
    found |= {f"s3:{b['Name']}" for b in c("s3").list_buckets()["Buckets"]}
    found |= {f"acm:{x['DomainName']}" for x in c("acm").list_certificates()["CertificateSummaryList"]}
    route53 = c("route53")
    for zone in route53.list_hosted_zones()["HostedZones"]:
        found.add(f"route53:{zone['Name']}")
        found |= {f"route53-record:{r['Name']} {r['Type']}"
                  for r in route53.list_resource_record_sets(HostedZoneId=zone["Id"])["ResourceRecordSets"]}
    cf = c("cloudfront")
    found |= {f"cloudfront:{d['Comment']}" for d in cf.list_distributions()["DistributionList"].get("Items", [])}
    found |= {f"cache-policy:{p['CachePolicy']['CachePolicyConfig']['Name']}"
              for p in cf.list_cache_policies(Type="custom")["CachePolicyList"].get("Items", [])}
    found |= {f"oac:{o['Name']}" for o in cf.list_origin_access_controls()["OriginAccessControlList"].get("Items", [])}
    found |= {f"wafv2:{a['Name']}" for a in c("wafv2").list_web_acls(Scope="CLOUDFRONT")["WebACLs"]}
    found |= {f"cognito:{p['Name']}" for p in c("cognito-idp").list_user_pools(MaxResults=60)["UserPools"]}
    found |= {f"dynamodb:{t}" for t in c("dynamodb").list_tables()["TableNames"]}
    found |= {f"lambda:{f['FunctionName']}" for f in c("lambda").list_functions()["Functions"]}
    found |= {f"iam-role:{r['RoleName']}" for r in c("iam").list_roles()["Roles"]}
    found |= {f"logs:{g['logGroupName']}" for g in c("logs").describe_log_groups()["logGroups"]}
    found |= {f"apigateway:{a['name']}" for a in c("apigateway").get_rest_apis()["items"]}
    found |= {f"sns:{t['TopicArn'].split(':')[-1]}" for t in c("sns").list_topics()["Topics"]}
    found |= {f"sns-subscription:{s['TopicArn'].split(':')[-1]} {s['Endpoint']}"
              for s in c("sns").list_subscriptions()["Subscriptions"]}
    found |= {f"alarm:{a['AlarmName']}" for a in c("cloudwatch").describe_alarms()["MetricAlarms"]}
    found |= {f"budget:{b['BudgetName']}"
              for b in c("budgets").describe_budgets(AccountId=config.LOCAL_ACCOUNT).get("Budgets", [])}
    return found


def belongs(item: str, learner: dict[str, str]) -> bool:
    """Whether an inventory line names a resource of ``learner``: under its prefix, or in its domain."""
    name = item.split(":", 1)[1]
    return bool(re.search(rf"(^|[/\s]){learner['LAB_PREFIX']}[- ]", name)) or learner["LAB_DOMAIN"] in name


def add_stragglers(cloud: Cloud, learner: dict[str, str]) -> str:
    """What a learner may add beyond the notebooks and cleanup must still remove: a versioned bucket with old
    versions and a delete marker, a Cognito domain on the pool, API access logs, a managed policy on the role.
    Returns the Cognito domain."""
    n = names(config.load({**cloud.env, **learner}))
    s3, idp, apigw, logs, iam = (cloud.client(s) for s in ("s3", "cognito-idp", "apigateway", "logs", "iam"))
    s3.put_bucket_versioning(Bucket=n.site_bucket, VersioningConfiguration={"Status": "Enabled"})
    s3.put_object(Bucket=n.site_bucket, Key="notes.txt", Body=b"first")
    s3.put_object(Bucket=n.site_bucket, Key="notes.txt", Body=b"second")
    s3.delete_object(Bucket=n.site_bucket, Key="notes.txt")  # a delete marker over two versions
    pool = next(p["Id"] for p in idp.list_user_pools(MaxResults=60)["UserPools"] if p["Name"] == n.user_pool)
    domain = f"{n.prefix}-sign-in-{uuid.uuid4().hex[:6]}"
    idp.create_user_pool_domain(Domain=domain, UserPoolId=pool)
    api = next(a["id"] for a in apigw.get_rest_apis()["items"] if a["name"] == n.api)
    group = f"/aws/apigateway/{n.api}-access"
    logs.create_log_group(logGroupName=group)
    apigw.update_stage(restApiId=api, stageName=n.stage, patchOperations=[
        {"op": "replace", "path": "/accessLogSettings/destinationArn",
         "value": f"arn:aws:logs:us-east-1:{config.LOCAL_ACCOUNT}:log-group:{group}"},
        {"op": "replace", "path": "/accessLogSettings/format", "value": "$context.requestId"}])
    iam.attach_role_policy(RoleName=n.function_role,
                           PolicyArn="arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole")
    return domain


def add_alarm(cloud: Cloud, learner: dict[str, str]) -> None:
    """Optional notebook 13's alarm on the API's 4XX errors, notifying the learner's topic."""
    n = names(config.load({**cloud.env, **learner}))
    cloud.client("cloudwatch").put_metric_alarm(
        AlarmName=n.alarm, Namespace="AWS/ApiGateway", MetricName="4XXError", Statistic="Sum", Period=60,
        EvaluationPeriods=1, Threshold=5, ComparisonOperator="GreaterThanOrEqualToThreshold",
        Dimensions=[{"Name": "ApiName", "Value": n.api}, {"Name": "Stage", "Value": n.stage}],
        AlarmActions=[f"arn:aws:sns:us-east-1:{config.LOCAL_ACCOUNT}:{n.topic}"])


@dataclass
class Cleaned:
    cloud: Cloud
    before: set[str]
    after: set[str]
    first_run: object
    second_run_text: str
    seconds: float
    cognito_domain: str


def _execute(path, env) -> str:
    """Run a notebook in a kernel of its own; the text of its outputs."""
    from jupyter_client.manager import KernelManager
    from nbclient import NotebookClient

    from tools.run_notebooks import KERNEL_CONFIG

    nb = nbformat.read(path, as_version=4)
    km = KernelManager(kernel_name="python3", config=KERNEL_CONFIG)  # encrypted, as tools.run_notebooks runs them
    km.start_kernel(env=env, cwd=str(PROJECT_ROOT / "solutions"))
    try:
        NotebookClient(nb, km=km, timeout=300).execute()
    finally:
        km.shutdown_kernel(now=True)
    return "".join(o.get("text", "") + str(o.get("data", {}).get("text/plain", ""))
                   for cell in nb.cells for o in cell.get("outputs", []))


@pytest.fixture(scope="module")
def cleaned(tmp_path_factory: pytest.TempPathFactory):
    cloud = Cloud(cloud_env(tmp_path_factory.mktemp("cleanup")))
    cloud.up()
    base = {**os.environ, **cloud.env}
    base.pop("AWS_ENDPOINT_URL", None)  # the notebooks point boto3 at the cloud themselves
    try:
        # Built as the notebooks build it (their code cells, in-process: tools.deploy_workshop); the notebooks
        # themselves run under nbval in test_notebooks. Notebook 12 below runs as a learner runs it.
        deploy_class([{**cloud.env, **learner} for learner in (FIRST, OTHER)], jobs=1)
        domain = add_stragglers(cloud, FIRST)
        for learner in (FIRST, OTHER):
            add_alarm(cloud, learner)
        before = inventory(cloud)
        start = time.monotonic()
        first_run = _run_solutions({**base, **FIRST}, only=("12-",))
        seconds = time.monotonic() - start
        second = _execute(PROJECT_ROOT / "solutions" / "12-cleanup.ipynb", {**base, **FIRST})
        yield Cleaned(cloud, before, inventory(cloud), first_run, second, seconds, domain)
    finally:
        cloud.down()


def test_the_deployment_had_every_kind_of_resource_of_both_learners(cleaned):
    """Are the checks below about something? Before cleanup each service held both learners' resources."""
    services = {"s3", "acm", "route53", "route53-record", "cloudfront", "cache-policy", "oac", "wafv2", "cognito",
                "dynamodb", "lambda", "iam-role", "logs", "apigateway", "sns", "sns-subscription", "budget", "alarm"}
    for learner in (FIRST, OTHER):
        have = {item.split(":", 1)[0] for item in cleaned.before if belongs(item, learner)}
        assert have == services, f"{learner['LAB_PREFIX']} lacks {services - have}"
    assert "logs:/aws/apigateway/lab-contact-api-access" in cleaned.before  # found only through the API's stage


def test_cleanup_runs_and_a_second_run_removes_nothing(cleaned):
    assert cleaned.first_run.returncode == 0, cleaned.first_run.stdout[-4000:]
    assert "Nothing to remove" in cleaned.second_run_text
    assert "no distribution: removed already" in cleaned.second_run_text
    assert f"nothing of {FIRST['LAB_PREFIX']} is left" in cleaned.second_run_text
    print(f"notebook 12 on a full deployment: {cleaned.seconds:.1f} s (kernel start included)")


def test_nothing_of_the_first_learner_is_left(cleaned):
    assert sorted(item for item in cleaned.after if belongs(item, FIRST)) == []
    # A Cognito domain is listed by no API, only asked for by name.
    described = cleaned.cloud.client("cognito-idp").describe_user_pool_domain(Domain=cleaned.cognito_domain)
    assert described["DomainDescription"] == {}


def test_the_other_learners_resources_survive(cleaned):
    theirs = {item for item in cleaned.before if belongs(item, OTHER)}
    assert theirs - cleaned.after == set()
    assert cleaned.after == theirs  # and nothing else was made or left meanwhile


def test_the_other_learners_site_still_answers(cleaned):
    from labkit import NotYet, resolver, retry_until

    resolver.install()  # *.localhost → loopback in this process, as browsers resolve it
    cfg = config.load({**cleaned.cloud.env, **OTHER})

    def page():  # notebook 05's rate rule may still hold this address back after the other validators' requests
        answer = requests.get(site_origin(cfg) + "/", verify=str(cfg.state_dir / "ca" / "ca.pem"), timeout=10)
        if answer.status_code == 429:
            raise NotYet("rate-limited by the WAF")
        return answer

    answer = retry_until("the other site", page, deadline=120, progress=False)
    assert answer.status_code == 200 and "<html" in answer.text.lower()


def test_tags_find_an_extra_of_this_learner_and_never_another_prefixes(fresh_cloud):
    """Does the look by tag add what the list by name misses, for this owner and prefix only?"""
    from labkit import cleanup, tags

    first, other = (config.load({**fresh_cloud.env, **learner}) for learner in (FIRST, OTHER))
    sns = fresh_cloud.client("sns")
    extra = sns.create_topic(Name="lab-extra", Tags=tags(first))["TopicArn"]
    sns.create_topic(Name="other-extra", Tags=tags(other))  # the same owner tag, another prefix
    sns.create_topic(Name="lab-untagged")  # no tags: only a list by name would see it, and cleanup makes none
    assert cleanup.leftovers(first) == [f"tagged {extra}"]
    assert cleanup.leftovers(other) == [f"tagged {extra.replace('lab-', 'other-')}"]


def test_what_cannot_be_removed_is_reported_with_aws_reason(fresh_cloud):
    """A cache policy another learner's distribution uses stays, and the report says why; the rest goes on."""
    from labkit import cleanup

    from .validators.deployments import deploy_site

    cfg = config.load({**fresh_cloud.env, **FIRST})
    n, cf = names(cfg), fresh_cloud.client("cloudfront")
    policy = cf.create_cache_policy(CachePolicyConfig={
        "Name": n.cache_policy, "MinTTL": 1, "DefaultTTL": 60, "MaxTTL": 600,
        "ParametersInCacheKeyAndForwardedToOrigin": {
            "EnableAcceptEncodingGzip": True, "HeadersConfig": {"HeaderBehavior": "none"},
            "CookiesConfig": {"CookieBehavior": "none"}, "QueryStringsConfig": {"QueryStringBehavior": "none"}}})
    deploy_site(fresh_cloud, cache_policy=policy["CachePolicy"]["Id"])
    fresh_cloud.client("dynamodb").create_table(
        TableName=n.table, BillingMode="PAY_PER_REQUEST", AttributeDefinitions=[
            {"AttributeName": "sender", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "sender", "KeyType": "HASH"}])

    report = cleanup.teardown(cfg, progress=False)
    assert report.removed == [("DynamoDB table", n.table, "")]
    assert [(kind, name) for kind, name, _ in report.failed] == [("CloudFront cache policy", n.cache_policy)]
    assert report.failed[0][2].startswith("CachePolicyInUse: ")
    assert cleanup.leftovers(cfg) == [f"CloudFront cache policy {n.cache_policy}"]
    again = cleanup.teardown(cfg, progress=False)
    assert again.removed == [] and len(again.failed) == 1  # run again: the same reason, nothing else to do


def test_a_clean_account_is_a_no_op_that_says_so(fresh_cloud, capsys):
    from labkit import cleanup

    report = cleanup.teardown(config.load({**fresh_cloud.env, **FIRST}), progress=True)
    assert report.nothing_found
    assert "Nothing to remove: no resources of prefix lab on the local target" in capsys.readouterr().out
