"""The resource kinds cleanup knows, in deletion order: for each, a finder (what of this learner exists) and a
deleter (remove one, tolerating "already gone").

    Context        config, names, account and one boto3 session's clients, shared by every finder and deleter
    Found          one resource found: its kind, the name the report shows, its ARN, what its deleter needs
    KINDS          [(kind, finder, deleter), ...] in the order teardown deletes them
    GONE           the error codes meaning "not there (any more)"
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

import boto3
from botocore.exceptions import ClientError

from .. import config as _config
from ..config import Config
from ..errors import LabError
from ..names import names as _names
from ..target import caller_account, client as _client
from ..waiting import NotYet, retry_until

GLOBAL_REGION = "us-east-1"  # CloudFront's certificates and web ACLs live here, whatever LAB_REGION says
# Error codes meaning "not there (any more)": the resource was deleted meanwhile, or by an earlier run.
GONE = {
    "404", "NoSuchBucket", "NoSuchDistribution", "NoSuchCachePolicy", "NoSuchOriginAccessControl", "NoSuchHostedZone",
    "NoSuchEntity", "NotFound", "NotFoundException", "ResourceNotFoundException", "WAFNonexistentItemException",
}


@dataclass(frozen=True)
class Found:
    kind: str
    name: str
    arn: str = ""  # to match the Tagging API's answer
    data: Any = None  # what the deleter needs (an id, a status)


class Context:
    """What every finder and deleter uses: the config, the names, one boto3 session's clients, the account."""

    def __init__(self, cfg: Config | None, progress: bool) -> None:
        self.cfg = cfg or _config.load()
        self.names = _names(self.cfg)
        self.account = caller_account(self.cfg)
        self.progress = progress
        self.session = boto3.session.Session()
        self.api_log_groups: set[str] = set()  # learned while finding the API: gone with it afterwards
        self._clients: dict[tuple[str, str], Any] = {}

    def client(self, service: str, region: str | None = None) -> Any:
        region = region or self.cfg.region
        if (service, region) not in self._clients:
            self._clients[service, region] = _client(service, self.cfg, session=self.session, region_name=region)
        return self._clients[service, region]

    def own_name(self, name: str) -> bool:
        """Whether a resource name is this learner's: one of its names, its domain, or under its prefix."""
        n = self.names
        own = {n.site_bucket, n.table, n.topic, n.user_pool, n.function, n.function_role, n.api, n.web_acl,
               n.cache_policy, n.origin_access_control, n.distribution_comment, n.budget, n.alarm,
               f"/aws/lambda/{n.function}", n.domain, n.domain + "."}
        return name in own or name.startswith(n.prefix + "-")


def code(exc: ClientError) -> str:
    return exc.response.get("Error", {}).get("Code", "error")


def why(exc: Exception) -> str:
    if isinstance(exc, ClientError):
        return f"{code(exc)}: {exc.response.get('Error', {}).get('Message', '')}".rstrip(": ")
    return str(exc)


def _retrying(ctx: Context, description: str, attempt: Callable[[], Any], deadline: float) -> Any:
    """Try once; only if AWS is not ready (NotYet) wait with a progress bar, so the usual case draws none."""
    try:
        return attempt()
    except NotYet:
        return retry_until(description, attempt, deadline=deadline, progress=ctx.progress)


def _pages(call: Callable[..., dict], items: Callable[[dict], list], marker: str, next_marker: str,
           **kwargs: Any) -> Iterator[Any]:
    """Every item of a Marker-paged list that boto3 has no paginator for (CloudFront's, WAF's)."""
    while True:
        page = call(**kwargs)
        yield from items(page) or []
        token: Any = page
        for key in next_marker.split("."):  # "CachePolicyList.NextMarker": the marker sits inside the list
            token = (token or {}).get(key)
        if not token:
            return
        kwargs[marker] = token


# -- CloudFront distribution: disable (and detach the web ACL), wait for Deployed, delete ---------------------------
def find_distributions(ctx: Context) -> Iterator[Found]:
    for page in ctx.client("cloudfront").get_paginator("list_distributions").paginate():
        for d in (page["DistributionList"].get("Items") or []):
            if d.get("Comment") == ctx.names.distribution_comment:
                yield Found("CloudFront distribution", d["Id"], d["ARN"], d["Id"])


def delete_distribution(ctx: Context, found: Found) -> str | None:
    cf, dist_id = ctx.client("cloudfront"), found.data
    current = cf.get_distribution_config(Id=dist_id)
    config = current["DistributionConfig"]
    enabled = bool(config.get("Enabled") or config.get("WebACLId"))  # notebook 12 may have disabled it already
    if enabled:
        # One update does both: a distribution must be disabled, and deployed so, before CloudFront deletes it.
        config["Enabled"], config["WebACLId"] = False, ""
        cf.update_distribution(Id=dist_id, IfMatch=current["ETag"], DistributionConfig=config)

    def deployed() -> str:
        answer = cf.get_distribution(Id=dist_id)
        if answer["Distribution"]["Status"] != "Deployed":
            raise NotYet(answer["Distribution"]["Status"])
        return answer["ETag"]

    etag = _retrying(ctx, f"distribution {dist_id} disabled", deployed, deadline=1800)
    cf.delete_distribution(Id=dist_id, IfMatch=etag)
    return "disabled, web ACL detached first" if enabled else None


# -- WAF web ACL (CLOUDFRONT scope, us-east-1) ---------------------------------------------------------------------
def find_web_acls(ctx: Context) -> Iterator[Found]:
    waf = ctx.client("wafv2", GLOBAL_REGION)
    for acl in _pages(waf.list_web_acls, lambda p: p.get("WebACLs"), "NextMarker", "NextMarker", Scope="CLOUDFRONT"):
        if acl["Name"] == ctx.names.web_acl:
            yield Found("WAF web ACL", acl["Name"], acl["ARN"], acl)


def delete_web_acl(ctx: Context, found: Found) -> None:
    waf, acl = ctx.client("wafv2", GLOBAL_REGION), found.data

    def attempt() -> None:
        token = waf.get_web_acl(Name=acl["Name"], Scope="CLOUDFRONT", Id=acl["Id"])["LockToken"]
        try:
            waf.delete_web_acl(Name=acl["Name"], Scope="CLOUDFRONT", Id=acl["Id"], LockToken=token)
        except ClientError as exc:
            # AWS takes a while to see the distribution let go; a concurrent change renews the lock token.
            if code(exc) in ("WAFAssociatedItemException", "WAFOptimisticLockException"):
                raise NotYet(code(exc)) from None
            raise

    _retrying(ctx, f"web ACL {acl['Name']} released", attempt, deadline=600)


# -- API Gateway REST API (its log groups are noted first: they outlive it) -----------------------------------------
def find_apis(ctx: Context) -> Iterator[Found]:
    apigw = ctx.client("apigateway")
    for page in apigw.get_paginator("get_rest_apis").paginate():
        for api in page["items"]:
            if api["name"] != ctx.names.api:
                continue
            for stage in apigw.get_stages(restApiId=api["id"]).get("item", []):
                destination = (stage.get("accessLogSettings") or {}).get("destinationArn", "")
                if ":log-group:" in destination:
                    ctx.api_log_groups.add(destination.split(":log-group:", 1)[1].removesuffix(":*"))
                ctx.api_log_groups.add(f"API-Gateway-Execution-Logs_{api['id']}/{stage['stageName']}")
            arn = f"arn:aws:apigateway:{ctx.cfg.region}::/restapis/{api['id']}"
            yield Found("API Gateway REST API", api["name"], arn, api["id"])


def delete_api(ctx: Context, found: Found) -> None:
    def attempt() -> None:
        try:
            ctx.client("apigateway").delete_rest_api(restApiId=found.data)
        except ClientError as exc:
            if code(exc) == "TooManyRequestsException":  # AWS allows one DeleteRestApi per 30 s per account
                raise NotYet("throttled") from None
            raise

    _retrying(ctx, f"API {found.data} deleted", attempt, deadline=120)


# -- Lambda function, then its role ------------------------------------------------------------------------------
def find_functions(ctx: Context) -> Iterator[Found]:
    try:
        fn = ctx.client("lambda").get_function(FunctionName=ctx.names.function)["Configuration"]
    except ctx.client("lambda").exceptions.ResourceNotFoundException:
        return
    yield Found("Lambda function", fn["FunctionName"], fn["FunctionArn"])


def delete_function(ctx: Context, found: Found) -> None:
    ctx.client("lambda").delete_function(FunctionName=ctx.names.function)


def find_roles(ctx: Context) -> Iterator[Found]:
    try:
        role = ctx.client("iam").get_role(RoleName=ctx.names.function_role)["Role"]
    except ctx.client("iam").exceptions.NoSuchEntityException:
        return
    yield Found("IAM role", role["RoleName"], role["Arn"])


def delete_role(ctx: Context, found: Found) -> str:
    iam, role = ctx.client("iam"), found.name
    # IAM refuses to delete a role that still has policies or sits in an instance profile.
    attached = [p["PolicyArn"] for page in iam.get_paginator("list_attached_role_policies").paginate(RoleName=role)
                for p in page["AttachedPolicies"]]
    inline = [n for page in iam.get_paginator("list_role_policies").paginate(RoleName=role)
              for n in page["PolicyNames"]]
    for arn in attached:
        iam.detach_role_policy(RoleName=role, PolicyArn=arn)
    for name in inline:
        iam.delete_role_policy(RoleName=role, PolicyName=name)
    for profile in iam.list_instance_profiles_for_role(RoleName=role)["InstanceProfiles"]:
        iam.remove_role_from_instance_profile(InstanceProfileName=profile["InstanceProfileName"], RoleName=role)
    iam.delete_role(RoleName=role)
    return f"{len(inline)} inline, {len(attached)} attached policies"


# -- CloudWatch log groups: the function's, and the API's access and execution logs -------------------------------
def find_log_groups(ctx: Context) -> Iterator[Found]:
    logs = ctx.client("logs")
    for name in sorted({f"/aws/lambda/{ctx.names.function}", *ctx.api_log_groups}):
        for group in logs.describe_log_groups(logGroupNamePrefix=name).get("logGroups", []):
            if group["logGroupName"] == name:
                yield Found("CloudWatch log group", name, group.get("arn", "").removesuffix(":*"))


def delete_log_group(ctx: Context, found: Found) -> None:
    ctx.client("logs").delete_log_group(logGroupName=found.name)


# -- DynamoDB table ---------------------------------------------------------------------------------------------
def find_tables(ctx: Context) -> Iterator[Found]:
    try:
        table = ctx.client("dynamodb").describe_table(TableName=ctx.names.table)["Table"]
    except ctx.client("dynamodb").exceptions.ResourceNotFoundException:
        return
    yield Found("DynamoDB table", table["TableName"], table["TableArn"], table["TableStatus"])


def delete_table(ctx: Context, found: Found) -> None:
    dynamodb = ctx.client("dynamodb")
    if found.data != "DELETING":
        dynamodb.delete_table(TableName=found.name)

    def gone() -> None:  # DELETING for a few seconds on AWS: still listed, still billed for storage
        try:
            raise NotYet(dynamodb.describe_table(TableName=found.name)["Table"]["TableStatus"])
        except dynamodb.exceptions.ResourceNotFoundException:
            return

    _retrying(ctx, f"table {found.name} deleted", gone, deadline=300)


# -- CloudWatch alarms (optional notebook 13): every metric alarm under the prefix --------------------------------
def find_alarms(ctx: Context) -> Iterator[Found]:
    for page in ctx.client("cloudwatch").get_paginator("describe_alarms").paginate(
            AlarmNamePrefix=ctx.names.prefix + "-", AlarmTypes=["MetricAlarm"]):
        for alarm in page["MetricAlarms"]:
            yield Found("CloudWatch alarm", alarm["AlarmName"], alarm["AlarmArn"])


def delete_alarm(ctx: Context, found: Found) -> None:
    ctx.client("cloudwatch").delete_alarms(AlarmNames=[found.name])


# -- SNS: the subscriptions, then the topic --------------------------------------------------------------------
def _topic_arn(ctx: Context) -> str:
    return f"arn:aws:sns:{ctx.cfg.region}:{ctx.account}:{ctx.names.topic}"


def find_subscriptions(ctx: Context) -> Iterator[Found]:
    topic = _topic_arn(ctx)
    # Listed account-wide, not by topic: a subscription can outlive its topic. Pending ones have no ARN to
    # unsubscribe; AWS drops them with the topic (or after three days).
    for page in ctx.client("sns").get_paginator("list_subscriptions").paginate():
        for sub in page["Subscriptions"]:
            if sub["TopicArn"] == topic and sub["SubscriptionArn"].startswith("arn:"):
                yield Found("SNS subscription", f"{sub['Protocol']} {sub['Endpoint']}", sub["SubscriptionArn"])


def delete_subscription(ctx: Context, found: Found) -> None:
    ctx.client("sns").unsubscribe(SubscriptionArn=found.arn)


def find_topics(ctx: Context) -> Iterator[Found]:
    try:
        ctx.client("sns").get_topic_attributes(TopicArn=_topic_arn(ctx))
    except ctx.client("sns").exceptions.NotFoundException:
        return
    yield Found("SNS topic", ctx.names.topic, _topic_arn(ctx))


def delete_topic(ctx: Context, found: Found) -> None:
    ctx.client("sns").delete_topic(TopicArn=found.arn)


# -- Cognito user pool (its domain first: a pool with a domain cannot be deleted) -------------------------------
def find_user_pools(ctx: Context) -> Iterator[Found]:
    idp = ctx.client("cognito-idp")
    for page in idp.get_paginator("list_user_pools").paginate(MaxResults=60):
        for pool in page["UserPools"]:
            if pool["Name"] == ctx.names.user_pool:
                yield Found("Cognito user pool", pool["Name"],
                            f"arn:aws:cognito-idp:{ctx.cfg.region}:{ctx.account}:userpool/{pool['Id']}", pool["Id"])


def delete_user_pool(ctx: Context, found: Found) -> str | None:
    idp = ctx.client("cognito-idp")
    pool = idp.describe_user_pool(UserPoolId=found.data)["UserPool"]
    domains = [d for d in (pool.get("Domain"), pool.get("CustomDomain")) if d]
    for domain in domains:
        idp.delete_user_pool_domain(Domain=domain, UserPoolId=found.data)
    idp.delete_user_pool(UserPoolId=found.data)
    return f"and its domain {', '.join(domains)}" if domains else None


# -- Route 53: every record but the zone's own SOA and NS, then the zone ---------------------------------------
def find_zones(ctx: Context) -> Iterator[Found]:
    apex = ctx.names.domain + "."
    for zone in ctx.client("route53").list_hosted_zones_by_name(DNSName=apex)["HostedZones"]:
        if zone["Name"] == apex:  # the list starts at the name, then goes on with the names after it
            zone_id = zone["Id"].split("/")[-1]
            yield Found("Route 53 hosted zone", ctx.names.domain, f"arn:aws:route53:::hostedzone/{zone_id}",
                        zone["Id"])


def delete_zone(ctx: Context, found: Found) -> str:
    route53, apex = ctx.client("route53"), ctx.names.domain + "."
    records = [r for page in route53.get_paginator("list_resource_record_sets").paginate(HostedZoneId=found.data)
               for r in page["ResourceRecordSets"]
               if not (r["Name"] == apex and r["Type"] in ("SOA", "NS"))]  # the zone's own: they go with it
    for start in range(0, len(records), 100):
        changes = [{"Action": "DELETE", "ResourceRecordSet": {k: v for k, v in r.items() if v != []}}
                   for r in records[start:start + 100]]
        route53.change_resource_record_sets(HostedZoneId=found.data, ChangeBatch={"Changes": changes})
    route53.delete_hosted_zone(Id=found.data)
    return f"{len(records)} records"


# -- ACM certificate (us-east-1, CloudFront's region) -----------------------------------------------------------
def find_certificates(ctx: Context) -> Iterator[Found]:
    for page in ctx.client("acm", GLOBAL_REGION).get_paginator("list_certificates").paginate():
        for cert in page["CertificateSummaryList"]:
            if cert["DomainName"] == ctx.names.domain:
                yield Found("ACM certificate", cert["DomainName"], cert["CertificateArn"])


def delete_certificate(ctx: Context, found: Found) -> None:
    acm = ctx.client("acm", GLOBAL_REGION)

    def attempt() -> None:
        try:
            acm.delete_certificate(CertificateArn=found.arn)
        except ClientError as exc:
            if code(exc) == "ResourceInUseException":  # CloudFront lets go of it minutes after the deletion
                raise NotYet("still in use by CloudFront") from None
            raise

    _retrying(ctx, "certificate released by CloudFront", attempt, deadline=900)


# -- S3 bucket: every object version and delete marker, unfinished uploads, then the bucket ---------------------
def find_buckets(ctx: Context) -> Iterator[Found]:
    bucket = ctx.names.site_bucket
    try:
        ctx.client("s3").head_bucket(Bucket=bucket)
    except ClientError as exc:
        if code(exc) in GONE:
            return
        raise
    yield Found("S3 bucket", bucket, f"arn:aws:s3:::{bucket}")


def delete_bucket(ctx: Context, found: Found) -> str:
    s3, bucket = ctx.client("s3"), found.name
    count = 0
    for page in s3.get_paginator("list_object_versions").paginate(Bucket=bucket):
        doomed = [{"Key": v["Key"], "VersionId": v["VersionId"]}
                  for v in page.get("Versions", []) + page.get("DeleteMarkers", [])]
        for start in range(0, len(doomed), 1000):  # delete_objects takes at most 1000 keys
            answer = s3.delete_objects(Bucket=bucket, Delete={"Objects": doomed[start:start + 1000], "Quiet": True})
            if answer.get("Errors"):
                error = answer["Errors"][0]
                raise LabError(f"{error['Code']} deleting {error['Key']}: {error['Message']}")
        count += len(doomed)
    for upload in s3.list_multipart_uploads(Bucket=bucket).get("Uploads", []):
        s3.abort_multipart_upload(Bucket=bucket, Key=upload["Key"], UploadId=upload["UploadId"])
    s3.delete_bucket(Bucket=bucket)
    return f"{count} object versions and delete markers" if count else "already empty"


# -- CloudFront cache policy and origin access control (free only once no distribution uses them) ---------------
def find_cache_policies(ctx: Context) -> Iterator[Found]:
    cf = ctx.client("cloudfront")
    for item in _pages(cf.list_cache_policies, lambda p: p["CachePolicyList"].get("Items"), "Marker",
                       "CachePolicyList.NextMarker", Type="custom"):
        policy = item["CachePolicy"]
        if policy["CachePolicyConfig"]["Name"] == ctx.names.cache_policy:
            yield Found("CloudFront cache policy", ctx.names.cache_policy, data=policy["Id"])


def delete_cache_policy(ctx: Context, found: Found) -> None:
    cf = ctx.client("cloudfront")
    cf.delete_cache_policy(Id=found.data, IfMatch=cf.get_cache_policy(Id=found.data)["ETag"])


def find_origin_access_controls(ctx: Context) -> Iterator[Found]:
    cf = ctx.client("cloudfront")
    for oac in _pages(cf.list_origin_access_controls, lambda p: p["OriginAccessControlList"].get("Items"), "Marker",
                      "OriginAccessControlList.NextMarker"):
        if oac["Name"] == ctx.names.origin_access_control:
            yield Found("CloudFront origin access control", oac["Name"], data=oac["Id"])


def delete_origin_access_control(ctx: Context, found: Found) -> None:
    cf = ctx.client("cloudfront")
    cf.delete_origin_access_control(Id=found.data, IfMatch=cf.get_origin_access_control(Id=found.data)["ETag"])


# -- the cost alarm of notebook 00 ------------------------------------------------------------------------------
def find_budgets(ctx: Context) -> Iterator[Found]:
    budgets = ctx.client("budgets", GLOBAL_REGION)
    try:
        budgets.describe_budget(AccountId=ctx.account, BudgetName=ctx.names.budget)
    except budgets.exceptions.NotFoundException:
        return
    yield Found("Budget", ctx.names.budget, f"arn:aws:budgets::{ctx.account}:budget/{ctx.names.budget}")


def delete_budget(ctx: Context, found: Found) -> None:
    ctx.client("budgets", GLOBAL_REGION).delete_budget(AccountId=ctx.account, BudgetName=found.name)


Finder = Callable[[Context], Iterator[Found]]
Deleter = Callable[[Context, Found], "str | None"]
# Deletion order: what uses a resource goes before it. The distribution holds the web ACL, certificate, cache policy
# and OAC; the API invokes the function, which wears the role and writes the log groups (deleted after both, or
# they would be written again); subscriptions before their topic; a pool's domain before the pool; records before
# their zone; a bucket's objects before the bucket.
KINDS: list[tuple[str, Finder, Deleter]] = [
    ("CloudFront distribution", find_distributions, delete_distribution),
    ("WAF web ACL", find_web_acls, delete_web_acl),
    ("API Gateway REST API", find_apis, delete_api),
    ("Lambda function", find_functions, delete_function),
    ("IAM role", find_roles, delete_role),
    ("CloudWatch log group", find_log_groups, delete_log_group),
    ("CloudWatch alarm", find_alarms, delete_alarm),
    ("DynamoDB table", find_tables, delete_table),
    ("SNS subscription", find_subscriptions, delete_subscription),
    ("SNS topic", find_topics, delete_topic),
    ("Cognito user pool", find_user_pools, delete_user_pool),
    ("Route 53 hosted zone", find_zones, delete_zone),
    ("ACM certificate", find_certificates, delete_certificate),
    ("S3 bucket", find_buckets, delete_bucket),
    ("CloudFront cache policy", find_cache_policies, delete_cache_policy),
    ("CloudFront origin access control", find_origin_access_controls, delete_origin_access_control),
    ("Budget", find_budgets, delete_budget),
]


