"""A deployment touching every service the workshop uses, and a fingerprint of it: what must survive a restart.

``build(clients)`` creates the resources; ``fingerprint(clients)`` reads back ids, ARNs and contents through
public APIs only, so two fingerprints compare equal exactly when nothing was lost or renumbered.
"""

from __future__ import annotations

import hashlib
import io
import json
import zipfile
from typing import Any, Callable

HANDLER = b"def handler(event, context):\n    return {'statusCode': 200, 'body': 'ok'}\n"


def lambda_zip() -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("app.py", HANDLER)
    return buffer.getvalue()


def build(client: Callable[[str], Any]) -> dict[str, Any]:
    """Create one of everything; returns the handles the fingerprint needs."""
    h: dict[str, Any] = {}
    s3 = client("s3")
    s3.create_bucket(Bucket="persist-site")
    s3.put_object(Bucket="persist-site", Key="index.html", Body=b"<h1>hello</h1>", ContentType="text/html")
    s3.put_object(Bucket="persist-site", Key="dir/ä+ b.txt", Body=b"unicode key")
    multipart = s3.create_multipart_upload(Bucket="persist-site", Key="big.bin")
    part = s3.upload_part(Bucket="persist-site", Key="big.bin", UploadId=multipart["UploadId"], PartNumber=1,
                          Body=b"x" * (5 * 1024 * 1024))
    s3.complete_multipart_upload(Bucket="persist-site", Key="big.bin", UploadId=multipart["UploadId"],
                                 MultipartUpload={"Parts": [{"ETag": part["ETag"], "PartNumber": 1}]})

    ddb = client("dynamodb")
    ddb.create_table(TableName="persist-messages", BillingMode="PAY_PER_REQUEST",
                     AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                     KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    ddb.put_item(TableName="persist-messages", Item={"id": {"S": "m1"}, "text": {"S": "hello"}})

    idp = client("cognito-idp")
    pool = idp.create_user_pool(PoolName="persist-pool", UsernameAttributes=["email"])["UserPool"]
    app = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="web",
                                      ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    h["pool"], h["client"] = pool["Id"], app["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool["Id"], Username="ada@example.com", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username="ada@example.com", Password="Correct-Horse-9",
                                Permanent=True)
    tokens = idp.initiate_auth(ClientId=h["client"], AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": "ada@example.com", "PASSWORD": "Correct-Horse-9"})
    h["access_token"] = tokens["AuthenticationResult"]["AccessToken"]

    iam = client("iam")
    role = iam.create_role(RoleName="persist-fn-role", AssumeRolePolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sts:AssumeRole",
                                                "Principal": {"Service": "lambda.amazonaws.com"}}]}))["Role"]
    lam = client("lambda")
    lam.create_function(FunctionName="persist-fn", Runtime="python3.12", Role=role["Arn"], Handler="app.handler",
                        Code={"ZipFile": lambda_zip()}, Environment={"Variables": {"TABLE": "persist-messages"}})
    lam.add_permission(FunctionName="persist-fn", StatementId="apigw", Action="lambda:InvokeFunction",
                       Principal="apigateway.amazonaws.com")

    apigw = client("apigateway")
    api = apigw.create_rest_api(name="persist-api")
    root = next(r for r in apigw.get_resources(restApiId=api["id"])["items"] if r["path"] == "/")
    res = apigw.create_resource(restApiId=api["id"], parentId=root["id"], pathPart="messages")
    apigw.put_method(restApiId=api["id"], resourceId=res["id"], httpMethod="GET", authorizationType="NONE")
    apigw.put_integration(restApiId=api["id"], resourceId=res["id"], httpMethod="GET", type="MOCK")
    apigw.create_deployment(restApiId=api["id"], stageName="prod")
    h["api"] = api["id"]

    r53 = client("route53")
    zone = r53.create_hosted_zone(Name="persist.localhost", CallerReference="persist-1")["HostedZone"]
    r53.change_resource_record_sets(HostedZoneId=zone["Id"], ChangeBatch={"Changes": [{
        "Action": "UPSERT", "ResourceRecordSet": {"Name": "www.persist.localhost", "Type": "A", "TTL": 60,
                                                  "ResourceRecords": [{"Value": "127.0.0.1"}]}}]})
    h["zone"] = zone["Id"]

    acm = client("acm")
    h["cert"] = acm.request_certificate(DomainName="persist.localhost", ValidationMethod="DNS",
                                        SubjectAlternativeNames=["www.persist.localhost"])["CertificateArn"]

    waf = client("wafv2")
    acl = waf.create_web_acl(Name="persist-acl", Scope="CLOUDFRONT", DefaultAction={"Allow": {}},
                             VisibilityConfig={"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False,
                                               "MetricName": "acl"}, Rules=[])["Summary"]
    h["acl"] = (acl["Name"], acl["Id"])

    cf = client("cloudfront")
    oac = cf.create_origin_access_control(OriginAccessControlConfig={
        "Name": "persist-oac", "SigningProtocol": "sigv4", "SigningBehavior": "always",
        "OriginAccessControlOriginType": "s3"})["OriginAccessControl"]
    dist = cf.create_distribution(DistributionConfig={
        "CallerReference": "persist-1", "Comment": "", "Enabled": True, "DefaultRootObject": "index.html",
        "Origins": {"Quantity": 1, "Items": [{"Id": "s3", "DomainName": "persist-site.s3.us-east-1.amazonaws.com",
                                              "OriginAccessControlId": oac["Id"],
                                              "S3OriginConfig": {"OriginAccessIdentity": ""}}]},
        "DefaultCacheBehavior": {"TargetOriginId": "s3", "ViewerProtocolPolicy": "redirect-to-https",
                                 "CachePolicyId": "658327ea-f89d-4fab-a63d-7e88639e58f6"},
        "WebACLId": acl["ARN"]})["Distribution"]
    h["distribution"], h["oac"] = dist["Id"], oac["Id"]

    sns = client("sns")
    topic = sns.create_topic(Name="persist-topic")["TopicArn"]
    sqs = client("sqs")
    queue = sqs.create_queue(QueueName="persist-queue")["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn)
    sns.subscribe(TopicArn=topic, Protocol="email", Endpoint="owner@example.com")
    h["topic"] = topic

    logs = client("logs")
    logs.create_log_group(logGroupName="/aws/lambda/persist-fn")
    return h


def fingerprint(client: Callable[[str], Any], h: dict[str, Any]) -> dict[str, Any]:
    """Ids, ARNs and contents of everything build() made, read through public APIs."""
    s3, ddb, idp = client("s3"), client("dynamodb"), client("cognito-idp")
    lam, apigw, r53, acm = client("lambda"), client("apigateway"), client("route53"), client("acm")
    waf, cf, sns = client("wafv2"), client("cloudfront"), client("sns")
    objects = {o["Key"]: o["ETag"] for o in s3.list_objects_v2(Bucket="persist-site")["Contents"]}
    big = s3.get_object(Bucket="persist-site", Key="big.bin")["Body"].read()
    fn = lam.get_function(FunctionName="persist-fn")["Configuration"]
    dist = cf.get_distribution(Id=h["distribution"])["Distribution"]
    acl = waf.get_web_acl(Name=h["acl"][0], Scope="CLOUDFRONT", Id=h["acl"][1])
    return {
        "s3.objects": objects,
        "s3.index": s3.get_object(Bucket="persist-site", Key="index.html")["Body"].read().decode(),
        "s3.big.sha256": hashlib.sha256(big).hexdigest(),
        "dynamodb.table": ddb.describe_table(TableName="persist-messages")["Table"]["TableArn"],
        "dynamodb.item": ddb.get_item(TableName="persist-messages", Key={"id": {"S": "m1"}}).get("Item"),
        "cognito.pool": idp.describe_user_pool(UserPoolId=h["pool"])["UserPool"]["Arn"],
        "cognito.client": idp.describe_user_pool_client(UserPoolId=h["pool"], ClientId=h["client"])[
            "UserPoolClient"]["ClientId"],
        "cognito.user": idp.admin_get_user(UserPoolId=h["pool"], Username="ada@example.com")["UserStatus"],
        "cognito.token_user": idp.get_user(AccessToken=h["access_token"])["Username"],
        "lambda.arn": fn["FunctionArn"],
        "lambda.code": fn["CodeSha256"],
        "lambda.env": fn["Environment"],
        "lambda.policy": json.loads(lam.get_policy(FunctionName="persist-fn")["Policy"])["Statement"][0]["Sid"],
        "apigateway.resources": sorted((r["id"], r["path"]) for r in apigw.get_resources(restApiId=h["api"])["items"]),
        "apigateway.stage": apigw.get_stage(restApiId=h["api"], stageName="prod")["deploymentId"],
        "route53.records": sorted((r["Name"], r["Type"]) for r in
                                  r53.list_resource_record_sets(HostedZoneId=h["zone"])["ResourceRecordSets"]),
        "acm.names": acm.describe_certificate(CertificateArn=h["cert"])["Certificate"]["SubjectAlternativeNames"],
        "wafv2.acl": (acl["WebACL"]["ARN"], acl["LockToken"]),
        "cloudfront.distribution": (dist["ARN"], dist["DomainName"], dist["DistributionConfig"]["WebACLId"]),
        "cloudfront.oac": cf.get_origin_access_control(Id=h["oac"])["OriginAccessControl"]["Id"],
        "sns.subscriptions": sorted((s["Protocol"], s["SubscriptionArn"]) for s in
                                    sns.list_subscriptions_by_topic(TopicArn=h["topic"])["Subscriptions"]),
        "logs.groups": [g["arn"] for g in client("logs").describe_log_groups()["logGroups"]],
    }
