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


def deploy_api(cloud, cfg, *, permission: bool = True, options_auth: bool = False, get_auth: bool = True):
    """Pool + client (notebook 06) and the REST API (notebook 09) in front of deploy_app's function."""
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
    apigw.put_integration(restApiId=api, resourceId=resource, httpMethod="OPTIONS", type="MOCK",
                          requestTemplates={"application/json": '{"statusCode": 200}'})
    cors = {"method.response.header.Access-Control-Allow-Origin": "'*'",
            "method.response.header.Access-Control-Allow-Methods": "'GET,POST,OPTIONS'",
            "method.response.header.Access-Control-Allow-Headers": "'Authorization,Content-Type'"}
    apigw.put_method_response(restApiId=api, resourceId=resource, httpMethod="OPTIONS", statusCode="200",
                              responseParameters={k: False for k in cors})
    apigw.put_integration_response(restApiId=api, resourceId=resource, httpMethod="OPTIONS", statusCode="200",
                                   responseParameters=cors, responseTemplates={"application/json": ""})
    if permission:
        lam.add_permission(FunctionName=n.function, StatementId="apigw", Action="lambda:InvokeFunction",
                           Principal="apigateway.amazonaws.com",
                           SourceArn=f"arn:aws:execute-api:us-east-1:123456789012:{api}/*/*/messages")
    apigw.create_deployment(restApiId=api, stageName=n.stage)
    apigw.update_stage(restApiId=api, stageName=n.stage, patchOperations=[
        {"op": "replace", "path": "/*/*/throttling/rateLimit", "value": "50"},
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "100"}])
    return api
