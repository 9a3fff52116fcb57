"""Deployments of the application layers for validator tests: correct by default, with one thing broken on demand."""

from __future__ import annotations

import io
import json
import time
import uuid
import zipfile

import requests

from labkit import config, mailbox, names, site_origins
from labkit.config import PROJECT_ROOT

APP = (PROJECT_ROOT / "assets" / "lambda" / "app.py").read_text()
TRUST = json.dumps({"Version": "2012-10-17", "Statement": [{
    "Effect": "Allow", "Principal": {"Service": "lambda.amazonaws.com"}, "Action": "sts:AssumeRole"}]})


def zipped(source: str) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", source)
    return buffer.getvalue()


def new_cfg(cloud):
    return config.load({**cloud.env, "LAB_PREFIX": f"t{uuid.uuid4().hex[:8]}",
                        "LAB_OWNER_EMAIL": f"owner-{uuid.uuid4().hex[:6]}@example.com"})


def deploy_app(cloud, *, source: str = APP, policy: dict | None = None, confirm: bool = True, www: bool = True):
    """Table, role, function, topic and the owner's confirmed e-mail subscription, as notebooks 07, 08 and 10 do.
    ``www``: whether the function's CORS allow-list (ALLOWED_ORIGINS) has the www origin besides the domain's."""
    cfg = new_cfg(cloud)
    origins = site_origins(cfg) if www else site_origins(cfg)[:1]
    n = names(cfg)
    account = "123456789012"
    cloud.client("dynamodb").create_table(
        TableName=n.table, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "sender", "AttributeType": "S"},
                              {"AttributeName": "createdAt", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "sender", "KeyType": "HASH"}, {"AttributeName": "createdAt", "KeyType": "RANGE"}])
    topic = cloud.client("sns").create_topic(Name=n.topic)["TopicArn"]
    iam = cloud.client("iam")
    role = iam.create_role(RoleName=n.function_role, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    iam.put_role_policy(RoleName=n.function_role, PolicyName="contact-api", PolicyDocument=json.dumps(policy or {
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["dynamodb:PutItem", "dynamodb:Query"],
             "Resource": f"arn:aws:dynamodb:us-east-1:{account}:table/{n.table}"},
            {"Effect": "Allow", "Action": "sns:Publish", "Resource": topic}]}))
    cloud.client("lambda").create_function(
        FunctionName=n.function, Runtime="python3.12", Role=role, Handler="app.handler", Timeout=10,
        Code={"ZipFile": zipped(source)},
        Environment={"Variables": {"TABLE_NAME": n.table, "TOPIC_ARN": topic,
                                   "ALLOWED_ORIGINS": ",".join(origins)}})
    since = time.time()
    cloud.client("sns").subscribe(TopicArn=topic, Protocol="email", Endpoint=cfg.owner_email)
    if confirm:
        mail = mailbox.wait_for(cfg.owner_email, since=since, cfg=cfg, progress=False, deadline=15)
        requests.get(mailbox.links_in(mail)[0], timeout=10)
    return cfg


def deploy_api(cloud, cfg, *, permission: bool = True, options_auth: bool = False, get_auth: bool = True,
               error_cors: bool = True, mock_preflight: bool = False):
    """Pool + client (notebook 06) and the REST API (notebook 09) in front of deploy_app's function. OPTIONS goes to
    the function too (which answers the preflight), or with ``mock_preflight`` to a MOCK answering the domain's origin
    only (the one static origin a MOCK can give)."""
    n = names(cfg)
    idp, apigw, lam = cloud.client("cognito-idp"), cloud.client("apigateway"), cloud.client("lambda")
    pool = idp.create_user_pool(PoolName=n.user_pool, UsernameAttributes=["email"], AutoVerifiedAttributes=["email"],
                                Policies={"PasswordPolicy": {"MinimumLength": 12}})["UserPool"]
    idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName=n.app_client, GenerateSecret=False,
                                ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    api = apigw.create_rest_api(name=n.api)["id"]
    root = next(r["id"] for r in apigw.get_resources(restApiId=api)["items"] if r["path"] == "/")
    resource = apigw.create_resource(restApiId=api, parentId=root, pathPart="messages")["id"]
    authorizer = apigw.create_authorizer(restApiId=api, name="cognito", type="COGNITO_USER_POOLS",
                                         providerARNs=[pool["Arn"]],
                                         identitySource="method.request.header.Authorization")["id"]
    fn = lam.get_function(FunctionName=n.function)["Configuration"]["FunctionArn"]
    uri = f"arn:aws:apigateway:us-east-1:lambda:path/2015-03-31/functions/{fn}/invocations"
    for method in ("GET", "POST"):
        auth = ({"authorizationType": "COGNITO_USER_POOLS", "authorizerId": authorizer}
                if get_auth or method == "POST" else {"authorizationType": "NONE"})
        apigw.put_method(restApiId=api, resourceId=resource, httpMethod=method, **auth)
        apigw.put_integration(restApiId=api, resourceId=resource, httpMethod=method, type="AWS_PROXY",
                              integrationHttpMethod="POST", uri=uri)
    options = ({"authorizationType": "COGNITO_USER_POOLS", "authorizerId": authorizer} if options_auth
               else {"authorizationType": "NONE"})
    apigw.put_method(restApiId=api, resourceId=resource, httpMethod="OPTIONS", **options)
    if mock_preflight:
        apigw.put_integration(restApiId=api, resourceId=resource, httpMethod="OPTIONS", type="MOCK",
                              requestTemplates={"application/json": '{"statusCode": 200}'})
        cors = {"method.response.header.Access-Control-Allow-Origin": f"'{site_origins(cfg)[0]}'",
                "method.response.header.Access-Control-Allow-Methods": "'GET,POST,OPTIONS'",
                "method.response.header.Access-Control-Allow-Headers": "'Authorization,Content-Type'"}
        apigw.put_method_response(restApiId=api, resourceId=resource, httpMethod="OPTIONS", statusCode="200",
                                  responseParameters={k: False for k in cors})
        apigw.put_integration_response(restApiId=api, resourceId=resource, httpMethod="OPTIONS", statusCode="200",
                                       responseParameters=cors, responseTemplates={"application/json": ""})
    else:
        apigw.put_integration(restApiId=api, resourceId=resource, httpMethod="OPTIONS", type="AWS_PROXY",
                              integrationHttpMethod="POST", uri=uri)
    if error_cors:
        for kind in ("DEFAULT_4XX", "DEFAULT_5XX"):
            apigw.put_gateway_response(restApiId=api, responseType=kind, responseParameters={
                "gatewayresponse.header.Access-Control-Allow-Origin": "'*'"})
    if permission:
        lam.add_permission(FunctionName=n.function, StatementId="apigw", Action="lambda:InvokeFunction",
                           Principal="apigateway.amazonaws.com",
                           SourceArn=f"arn:aws:execute-api:us-east-1:123456789012:{api}/*/*/messages")
    apigw.create_deployment(restApiId=api, stageName=n.stage)
    apigw.update_stage(restApiId=api, stageName=n.stage, patchOperations=[
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "50"},
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "100"}])
    return api


def deploy_site(cloud, *, bucket_policy: bool = True, aliases: tuple[str, ...] = ("", "www."),
                error_codes: tuple[int, ...] = (404,), cache_policy: str = "658327ea-f89d-4fab-a63d-7e88639e58f6"):
    """Bucket, certificate, zone (with notebook 03's TXT record), distribution and aliases as notebooks 01–04 build
    them, under a domain of its own. ``aliases``: prefixes of the domain the distribution lists (both DNS alias
    records are made whatever it lists); ``error_codes``: the codes mapped to /index.html with 200."""
    import mimetypes

    from validators.s3 import SITE_DIR

    cfg = config.load({**cloud.env, "LAB_PREFIX": f"t{uuid.uuid4().hex[:8]}",
                       "LAB_DOMAIN": f"t{uuid.uuid4().hex[:8]}.localhost"})
    n, domain = names(cfg), cfg.domain
    s3, acm, route53, cf = (cloud.client(s) for s in ("s3", "acm", "route53", "cloudfront"))
    s3.create_bucket(Bucket=n.site_bucket)
    for path in SITE_DIR.iterdir():
        s3.upload_file(str(path), n.site_bucket, path.name, ExtraArgs={"ContentType": mimetypes.guess_type(path.name)[0]})
    zone = route53.create_hosted_zone(Name=domain, CallerReference=str(uuid.uuid4()))["HostedZone"]["Id"]
    txt = {"Name": domain, "Type": "TXT", "TTL": 300, "ResourceRecords": [{"Value": '"v=spf1 -all"'}]}
    route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
        {"Action": "UPSERT", "ResourceRecordSet": txt}]})
    arn = acm.request_certificate(DomainName=domain, SubjectAlternativeNames=[f"www.{domain}"],
                                  ValidationMethod="DNS")["CertificateArn"]
    options = acm.describe_certificate(CertificateArn=arn)["Certificate"]["DomainValidationOptions"]
    route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
        {"Action": "UPSERT", "ResourceRecordSet": {"Name": o["ResourceRecord"]["Name"], "Type": "CNAME", "TTL": 60,
                                                   "ResourceRecords": [{"Value": o["ResourceRecord"]["Value"]}]}}
        for o in options if "ResourceRecord" in o]})
    deadline = time.monotonic() + 30
    while acm.describe_certificate(CertificateArn=arn)["Certificate"]["Status"] != "ISSUED":
        assert time.monotonic() < deadline, "certificate not issued"
        time.sleep(0.5)
    oac = cf.create_origin_access_control(OriginAccessControlConfig={
        "Name": n.origin_access_control, "SigningProtocol": "sigv4", "SigningBehavior": "always",
        "OriginAccessControlOriginType": "s3"})["OriginAccessControl"]["Id"]
    dist = cf.create_distribution(DistributionConfig={
        "CallerReference": str(uuid.uuid4()), "Comment": n.distribution_comment, "Enabled": True,
        "DefaultRootObject": "index.html",
        "Aliases": {"Quantity": len(aliases), "Items": [prefix + domain for prefix in aliases]},
        "Origins": {"Quantity": 1, "Items": [{"Id": "s3", "DomainName": f"{n.site_bucket}.s3.us-east-1.amazonaws.com",
                                              "OriginAccessControlId": oac,
                                              "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "s3", "ViewerProtocolPolicy": "redirect-to-https",
                                 "CachePolicyId": cache_policy, "Compress": True},
        "CustomErrorResponses": {"Quantity": len(error_codes), "Items": [
            {"ErrorCode": code, "ResponseCode": "200", "ResponsePagePath": "/index.html"} for code in error_codes]},
        "ViewerCertificate": {"ACMCertificateArn": arn, "SSLSupportMethod": "sni-only",
                              "MinimumProtocolVersion": "TLSv1.2_2021"}})["Distribution"]
    if bucket_policy:
        statements = [{"Effect": "Allow", "Principal": {"Service": "cloudfront.amazonaws.com"}, "Action": action,
                       "Resource": resource, "Condition": {"StringEquals": {"AWS:SourceArn": dist["ARN"]}}}
                      for action, resource in (("s3:GetObject", f"arn:aws:s3:::{n.site_bucket}/*"),
                                               ("s3:ListBucket", f"arn:aws:s3:::{n.site_bucket}"))]
        s3.put_bucket_policy(Bucket=n.site_bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": statements}))
    route53.change_resource_record_sets(HostedZoneId=zone, ChangeBatch={"Changes": [
        {"Action": "UPSERT", "ResourceRecordSet": {"Name": name, "Type": "A", "AliasTarget": {
            "HostedZoneId": "Z2FDTNDATAQYW2", "DNSName": dist["DomainName"], "EvaluateTargetHealth": False}}}
        for name in (domain, f"www.{domain}")]})
    return cfg, dist


def deploy_web_acl(cloud, cfg, dist, *, override: str = "None"):
    """Notebook 05's web ACL (three managed groups with OverrideAction ``override``, a rate rule, /admin blocked),
    attached to deploy_site's distribution; returns once the distribution has deployed it."""
    n, cf = names(cfg), cloud.client("cloudfront")

    def visibility(name):
        return {"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": name}

    rules = [{"Name": group, "Priority": priority, "OverrideAction": {override: {}},
              "VisibilityConfig": visibility(group),
              "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": group}}}
             for priority, group in enumerate(("AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet",
                                               "AWSManagedRulesSQLiRuleSet"))]
    rules += [{"Name": "rate-limit", "Priority": 3, "Action": {"Block": {"CustomResponse": {"ResponseCode": 429}}},
               "VisibilityConfig": visibility("rate-limit"),
               "Statement": {"RateBasedStatement": {"Limit": 100, "EvaluationWindowSec": 60,
                                                    "AggregateKeyType": "IP"}}},
              {"Name": "block-admin", "Priority": 4, "Action": {"Block": {}}, "VisibilityConfig": visibility("admin"),
               "Statement": {"ByteMatchStatement": {
                   "FieldToMatch": {"UriPath": {}}, "PositionalConstraint": "STARTS_WITH", "SearchString": b"/admin",
                   "TextTransformations": [{"Priority": 0, "Type": "LOWERCASE"}]}}}]
    acl = cloud.client("wafv2").create_web_acl(Name=n.web_acl, Scope="CLOUDFRONT", DefaultAction={"Allow": {}},
                                               Rules=rules, VisibilityConfig=visibility("acl"))["Summary"]["ARN"]
    current = cf.get_distribution_config(Id=dist["Id"])
    cf.update_distribution(Id=dist["Id"], IfMatch=current["ETag"],
                           DistributionConfig={**current["DistributionConfig"], "WebACLId": acl})
    wait_deployed(cloud, dist)
    return acl


def wait_deployed(cloud, dist, deadline: float = 60):
    """Until CloudFront reports the distribution Deployed (the local cloud takes LAB_CLOUDFRONT_DEPLOY_SECONDS)."""
    end = time.monotonic() + deadline
    while cloud.client("cloudfront").get_distribution(Id=dist["Id"])["Distribution"]["Status"] != "Deployed":
        assert time.monotonic() < end, f"distribution {dist['Id']} not deployed"
        time.sleep(0.5)
