"""A function acts with its execution role's permissions, as on AWS: "When you invoke your function, Lambda
automatically provides your function with temporary credentials by assuming this role" (Lambda developer guide,
"Defining Lambda function permissions with an execution role"), and IAM allows or denies each call by the role's
policies ("Policy evaluation logic", IAM User Guide). The denial's text is AWS's ("Access denied error messages",
IAM User Guide): "User: <session ARN> is not authorized to perform: <action> on resource: <ARN> because no
identity-based policy allows the <action> action"."""

from __future__ import annotations

import json
import uuid
from typing import Any

import pytest

from .conftest import package

TRUST = json.dumps({"Version": "2012-10-17", "Statement": [
    {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]})


@pytest.fixture
def topics(cloud: Any) -> tuple[str, str]:
    sns = cloud.client("sns")
    suffix = uuid.uuid4().hex[:8]
    return (sns.create_topic(Name=f"allowed-{suffix}")["TopicArn"],
            sns.create_topic(Name=f"other-{suffix}")["TopicArn"])


@pytest.fixture
def with_role(cloud: Any, lam: Any) -> Any:
    """``with_role(statements)`` → (function name, role name): a function whose role has those statements inline."""

    def make(statements: list[dict[str, Any]] | None) -> tuple[str, str]:
        iam = cloud.client("iam")
        name = f"rt-role-{uuid.uuid4().hex[:8]}"
        role = iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
        if statements is not None:
            iam.put_role_policy(RoleName=name, PolicyName="fn", PolicyDocument=json.dumps(
                {"Version": "2012-10-17", "Statement": statements}))
        lam.create_function(FunctionName=name, Runtime="python3.12", Role=role, Handler="app.call_aws",
                            Code={"ZipFile": package()}, Timeout=30)
        return name, name

    return make


def call(lam: Any, function: str, service: str, op: str, **params: Any) -> dict[str, Any]:
    event = {"service": service, "op": op, "params": params}
    response = lam.invoke(FunctionName=function, Payload=json.dumps(event).encode())
    body = json.loads(response["Payload"].read())
    assert "FunctionError" not in response, body
    return body


def test_the_function_is_a_session_of_its_role(cloud: Any, lam: Any, with_role: Any) -> None:
    function, role = with_role(None)
    identity = call(lam, function, "sts", "get_caller_identity")["ok"]  # needs no permission (STS API reference)
    assert identity["Arn"] == f"arn:aws:sts::{cloud.cfg.account}:assumed-role/{role}/{function}"
    assert identity["Account"] == cloud.cfg.account


def test_publish_is_allowed_on_the_topic_the_role_names_only(cloud: Any, lam: Any, with_role: Any,
                                                            topics: tuple[str, str]) -> None:
    allowed, other = topics
    function, role = with_role([{"Effect": "Allow", "Action": "sns:Publish", "Resource": allowed}])
    assert "MessageId" in call(lam, function, "sns", "publish", TopicArn=allowed, Message="hi")["ok"]
    refused = call(lam, function, "sns", "publish", TopicArn=other, Message="hi")
    assert refused["error"] == "AuthorizationError" and refused["status"] == 403
    assert refused["message"] == (
        f"User: arn:aws:sts::{cloud.cfg.account}:assumed-role/{role}/{function} is not authorized to perform: "
        f"SNS:Publish on resource: {other} because no identity-based policy allows the SNS:Publish action")


def test_a_role_without_policies_may_do_nothing(cloud: Any, lam: Any, with_role: Any) -> None:
    """The notebook 08 lesson: a role that lacks dynamodb:PutItem cannot store a message."""
    function, _ = with_role(None)
    table = f"rt-denied-{uuid.uuid4().hex[:8]}"
    cloud.client("dynamodb").create_table(TableName=table, BillingMode="PAY_PER_REQUEST",
                                          AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}],
                                          KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}])
    refused = call(lam, function, "dynamodb", "put_item", TableName=table, Item={"id": {"S": "1"}})
    assert refused["error"] == "AccessDeniedException" and refused["status"] == 400
    arn = f"arn:aws:dynamodb:us-east-1:{cloud.cfg.account}:table/{table}"
    assert f"dynamodb:PutItem on resource: {arn} because no identity-based policy" in refused["message"]
    assert "Item" not in cloud.client("dynamodb").get_item(TableName=table, Key={"id": {"S": "1"}})


def test_query_on_an_index_needs_the_index_resource(cloud: Any, lam: Any, with_role: Any) -> None:
    """Query on a global secondary index acts on table/<name>/index/<index> ("Actions, resources, and condition
    keys for Amazon DynamoDB"): a policy naming only the table does not cover it."""
    table = f"rt-idx-{uuid.uuid4().hex[:8]}"
    cloud.client("dynamodb").create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}, {"AttributeName": "by", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "id", "KeyType": "HASH"}],
        GlobalSecondaryIndexes=[{"IndexName": "by-sender", "KeySchema": [{"AttributeName": "by", "KeyType": "HASH"}],
                                 "Projection": {"ProjectionType": "ALL"}}])
    arn = f"arn:aws:dynamodb:us-east-1:{cloud.cfg.account}:table/{table}"
    function, _ = with_role([{"Effect": "Allow", "Action": "dynamodb:Query", "Resource": arn}])
    query = dict(TableName=table, KeyConditionExpression="id = :v", ExpressionAttributeValues={":v": {"S": "x"}})
    assert call(lam, function, "dynamodb", "query", **query)["ok"]["Count"] == 0
    on_index = dict(query, IndexName="by-sender", KeyConditionExpression="#b = :v", ExpressionAttributeNames={"#b": "by"})
    refused = call(lam, function, "dynamodb", "query", **on_index)
    assert refused["error"] == "AccessDeniedException" and f"{arn}/index/by-sender" in refused["message"]


def test_an_explicit_deny_wins_over_an_allow(cloud: Any, lam: Any, with_role: Any, topics: tuple[str, str]) -> None:
    allowed, _ = topics
    function, _ = with_role([{"Effect": "Allow", "Action": "sns:*", "Resource": "*"},
                             {"Effect": "Deny", "Action": "sns:Publish", "Resource": allowed}])
    refused = call(lam, function, "sns", "publish", TopicArn=allowed, Message="hi")
    assert refused["message"].endswith("with an explicit deny in an identity-based policy")
    assert "Topics" in call(lam, function, "sns", "list_topics")["ok"]


def test_a_policy_change_applies_to_the_warm_function(cloud: Any, lam: Any, with_role: Any,
                                                     topics: tuple[str, str]) -> None:
    """IAM decides at each request, so the same execution environment is refused once the policy is removed."""
    allowed, _ = topics
    function, role = with_role([{"Effect": "Allow", "Action": "sns:Publish", "Resource": allowed}])
    assert "ok" in call(lam, function, "sns", "publish", TopicArn=allowed, Message="1")
    cloud.client("iam").delete_role_policy(RoleName=role, PolicyName="fn")
    assert call(lam, function, "sns", "publish", TopicArn=allowed, Message="2")["error"] == "AuthorizationError"


def test_an_attached_managed_policy_counts(cloud: Any, lam: Any, with_role: Any, topics: tuple[str, str]) -> None:
    allowed, _ = topics
    function, role = with_role(None)
    cloud.client("iam").attach_role_policy(RoleName=role, PolicyArn="arn:aws:iam::aws:policy/AmazonSNSFullAccess")
    assert "ok" in call(lam, function, "sns", "publish", TopicArn=allowed, Message="hi")


def test_the_topic_policy_can_grant_the_role(cloud: Any, lam: Any, with_role: Any, topics: tuple[str, str]) -> None:
    """In the resource's own account an Allow in either the identity policy or the resource's policy suffices
    ("Policy evaluation logic": same-account requests)."""
    allowed, _ = topics
    function, role = with_role(None)
    role_arn = f"arn:aws:iam::{cloud.cfg.account}:role/{role}"
    cloud.client("sns").set_topic_attributes(TopicArn=allowed, AttributeName="Policy", AttributeValue=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Principal": {"AWS": role_arn},
                                                "Action": "sns:Publish", "Resource": allowed}]}))
    assert "ok" in call(lam, function, "sns", "publish", TopicArn=allowed, Message="hi")


def test_a_permissions_boundary_limits_the_role(cloud: Any, lam: Any, with_role: Any,
                                                topics: tuple[str, str]) -> None:
    allowed, _ = topics
    function, role = with_role([{"Effect": "Allow", "Action": "sns:Publish", "Resource": "*"}])
    iam = cloud.client("iam")
    boundary = iam.create_policy(PolicyName=f"{role}-boundary", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]}))
    iam.put_role_permissions_boundary(RoleName=role, PermissionsBoundary=boundary["Policy"]["Arn"])
    refused = call(lam, function, "sns", "publish", TopicArn=allowed, Message="hi")
    assert refused["message"].endswith("because no permissions boundary allows the SNS:Publish action")


def test_a_call_without_the_session_token_is_refused(cloud: Any, lam: Any, with_role: Any) -> None:
    function, _ = with_role([{"Effect": "Allow", "Action": "sns:*", "Resource": "*"}])
    event = {"service": "sns", "op": "list_topics", "no_token": True}
    body = json.loads(lam.invoke(FunctionName=function, Payload=json.dumps(event).encode())["Payload"].read())
    assert body["error"] == "InvalidClientTokenId"
    assert body["message"] == "The security token included in the request is invalid."


def test_the_learners_own_key_is_not_limited(cloud: Any, topics: tuple[str, str]) -> None:
    """Notebooks and validators sign with the learner's key, the account's administrator: never checked."""
    assert "MessageId" in cloud.client("sns").publish(TopicArn=topics[1], Message="hi")


def test_assume_role_sessions_are_held_to_the_role_too(cloud: Any, topics: tuple[str, str]) -> None:
    import boto3
    import botocore.exceptions

    allowed, other = topics
    iam = cloud.client("iam")
    name = f"rt-assumed-{uuid.uuid4().hex[:8]}"
    arn = iam.create_role(RoleName=name, AssumeRolePolicyDocument=TRUST)["Role"]["Arn"]
    iam.put_role_policy(RoleName=name, PolicyName="p", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [{"Effect": "Allow", "Action": "sns:Publish", "Resource": allowed}]}))
    creds = cloud.client("sts").assume_role(RoleArn=arn, RoleSessionName="me")["Credentials"]
    assert creds["AccessKeyId"].startswith("ASIA")
    sns = boto3.client("sns", endpoint_url=cloud.cfg.gateway_url, region_name="us-east-1",
                       aws_access_key_id=creds["AccessKeyId"], aws_secret_access_key=creds["SecretAccessKey"],
                       aws_session_token=creds["SessionToken"])
    assert "MessageId" in sns.publish(TopicArn=allowed, Message="hi")
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        sns.publish(TopicArn=other, Message="hi")
    assert refused.value.response["Error"]["Code"] == "AuthorizationError"
    assert f"assumed-role/{name}/me is not authorized" in refused.value.response["Error"]["Message"]


def test_s3_actions_are_named_as_iam_names_them(cloud: Any, lam: Any, with_role: Any) -> None:
    """HeadObject is s3:GetObject, ListObjectsV2 is s3:ListBucket on the bucket (S3's "Actions, resources, and
    condition keys"); a key outside the policy's prefix is refused with S3's AccessDenied."""
    s3 = cloud.client("s3")
    bucket = f"rt-role-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    for key in ("public/a.txt", "private/b.txt"):
        s3.put_object(Bucket=bucket, Key=key, Body=b"x")
    function, _ = with_role([{"Effect": "Allow", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/public/*"},
                             {"Effect": "Allow", "Action": "s3:ListBucket", "Resource": f"arn:aws:s3:::{bucket}"}])
    assert call(lam, function, "s3", "head_object", Bucket=bucket, Key="public/a.txt")["ok"]["ContentLength"] == 1
    assert call(lam, function, "s3", "list_objects_v2", Bucket=bucket)["ok"]["KeyCount"] == 2
    refused = call(lam, function, "s3", "get_object", Bucket=bucket, Key="private/b.txt")
    assert refused["error"] == "AccessDenied" and refused["status"] == 403
    assert f"s3:GetObject on resource: arn:aws:s3:::{bucket}/private/b.txt" in refused["message"]
    assert call(lam, function, "s3", "put_object", Bucket=bucket, Key="public/c.txt", Body="x")["error"] == "AccessDenied"


def test_a_bucket_policy_can_grant_the_role(cloud: Any, lam: Any, with_role: Any) -> None:
    s3 = cloud.client("s3")
    bucket = f"rt-grant-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="k", Body=b"x")
    function, role = with_role(None)
    assert call(lam, function, "s3", "head_object", Bucket=bucket, Key="k")["error"] == "403"  # HEAD has no body
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Version": "2012-10-17", "Statement": [{
        "Effect": "Allow", "Principal": {"AWS": f"arn:aws:iam::{cloud.cfg.account}:role/{role}"},
        "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
    assert call(lam, function, "s3", "head_object", Bucket=bucket, Key="k")["ok"]["ContentLength"] == 1


def test_lambda_invoke_is_lambda_invoke_function(cloud: Any, lam: Any, with_role: Any) -> None:
    target, _ = with_role(None)
    function, _ = with_role([{"Effect": "Allow", "Action": "lambda:InvokeFunction",
                              "Resource": f"arn:aws:lambda:us-east-1:{cloud.cfg.account}:function:{target}"}])
    event = json.dumps({"service": "sts", "op": "get_caller_identity"})
    assert call(lam, function, "lambda", "invoke", FunctionName=target, Payload=event)["ok"]["StatusCode"] == 200
    refused = call(lam, function, "lambda", "get_function", FunctionName=target)
    assert refused["error"] == "AccessDeniedException" and "lambda:GetFunction on resource" in refused["message"]
