"""Fixtures for the API Gateway data plane tests: APIs built with plain boto3 against the session cloud and called
over real TLS through the edge (the local CA verifies the kit certificate), Lambda functions from handlers.py and
the contact app, a Cognito pool with a signed-in user, and the contact app's table and topic."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest

from labkit.config import PROJECT_ROOT

from .helpers import HANDLERS, PASSWORD, package, unique


@pytest.fixture(scope="session")
def role(cloud: Any) -> str:
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]}
    return cloud.client("iam").create_role(RoleName=unique("apigw-tests"),
                                           AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]


@pytest.fixture(scope="session")
def make_function(cloud: Any, role: str) -> Any:
    """``make_function("echo")`` → the ARN of a new function running handlers.<name>."""

    def make(handler: str, *, source: Path = HANDLERS, **config: Any) -> str:
        config.setdefault("Role", role)
        return cloud.client("lambda").create_function(
            FunctionName=unique(f"agw-{handler}"), Runtime="python3.12", Handler=f"app.{handler}",
            Code={"ZipFile": package(source)}, **config)["FunctionArn"]

    return make


@pytest.fixture(scope="session")
def pool(cloud: Any) -> dict[str, Any]:
    """A user pool signing in by e-mail, a public app client, and one confirmed user with their tokens."""
    idp = cloud.client("cognito-idp")
    created = idp.create_user_pool(PoolName=unique("agw-pool"), UsernameAttributes=["email"],
                                   AutoVerifiedAttributes=["email"])["UserPool"]
    client_id = idp.create_user_pool_client(
        UserPoolId=created["Id"], ClientName="web",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    email = f"{unique('ada')}@example.com"
    idp.admin_create_user(UserPoolId=created["Id"], Username=email, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": email},
                                          {"Name": "email_verified", "Value": "true"}])
    idp.admin_set_user_password(UserPoolId=created["Id"], Username=email, Password=PASSWORD, Permanent=True)
    tokens = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                               AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD})["AuthenticationResult"]
    return {"id": created["Id"], "arn": created["Arn"], "client": client_id, "email": email,
            "id_token": tokens["IdToken"], "access_token": tokens["AccessToken"]}


@pytest.fixture(scope="session")
def contact_app(cloud: Any, make_function: Any) -> dict[str, str]:
    """The contact app (assets/lambda/app.py) with its DynamoDB table and SNS topic (an SQS queue subscribed, to
    read what was published)."""
    table = unique("messages")
    cloud.client("dynamodb").create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST",
        AttributeDefinitions=[{"AttributeName": "sender", "AttributeType": "S"},
                              {"AttributeName": "createdAt", "AttributeType": "S"}],
        KeySchema=[{"AttributeName": "sender", "KeyType": "HASH"}, {"AttributeName": "createdAt", "KeyType": "RANGE"}])
    sqs, sns = cloud.client("sqs"), cloud.client("sns")
    queue = sqs.create_queue(QueueName=table)["QueueUrl"]
    queue_arn = sqs.get_queue_attributes(QueueUrl=queue, AttributeNames=["QueueArn"])["Attributes"]["QueueArn"]
    topic = sns.create_topic(Name=table)["TopicArn"]
    sns.subscribe(TopicArn=topic, Protocol="sqs", Endpoint=queue_arn, Attributes={"RawMessageDelivery": "true"})
    iam = cloud.client("iam")
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]}
    role = iam.create_role(RoleName=table, AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    table_arn = f"arn:aws:dynamodb:{cloud.cfg.region}:{cloud.cfg.account}:table/{table}"
    iam.put_role_policy(RoleName=table, PolicyName="contact-api", PolicyDocument=json.dumps({  # notebook 08's
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": ["dynamodb:PutItem", "dynamodb:Query"], "Resource": table_arn},
            {"Effect": "Allow", "Action": "sns:Publish", "Resource": topic}]}))
    arn = make_function("handler", source=PROJECT_ROOT / "assets" / "lambda" / "app.py", Timeout=10, Role=role, Environment={
        "Variables": {"TABLE_NAME": table, "TOPIC_ARN": topic, "ALLOWED_ORIGINS": "https://contact.localhost"}})
    return {"arn": arn, "table": table, "topic": topic, "queue": queue}
