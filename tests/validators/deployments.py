"""Deployments of the application layers for validator tests: correct by default, with one thing broken on demand."""

from __future__ import annotations

import io
import json
import time
import uuid
import zipfile

import requests

from labkit import config, mailbox, names
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


def deploy_app(cloud, *, source: str = APP, policy: dict | None = None, confirm: bool = True):
    """Table, role, function, topic and the owner's confirmed e-mail subscription, as notebooks 07, 08 and 10 do."""
    cfg = new_cfg(cloud)
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
        Environment={"Variables": {"TABLE_NAME": n.table, "TOPIC_ARN": topic, "ALLOWED_ORIGIN": "*"}})
    since = time.time()
    cloud.client("sns").subscribe(TopicArn=topic, Protocol="email", Endpoint=cfg.owner_email)
    if confirm:
        mail = mailbox.wait_for(cfg.owner_email, since=since, cfg=cfg, progress=False, deadline=15)
        requests.get(mailbox.links_in(mail)[0], timeout=10)
    return cfg
