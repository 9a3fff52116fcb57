"""Only the deployed state is served; stages keep their settings across deployments; access logs; and deployed APIs
(with their users' tokens) keep serving after a restart.

AWS facts: developer guide "Deploy REST APIs in API Gateway" (changes reach callers only with a new deployment;
a stage points at one deployment, UpdateStage /deploymentId moves it), "Set up CloudWatch logging for REST APIs"
(one access log line per request in the stage's $context format, to accessLogSettings.destinationArn);
aws-facts.md, API Gateway and Cognito (expired token → 401); DESIGN.md ("State survives a restart").
"""

from __future__ import annotations

import json
import time

import jwt

from labkit.waiting import NotYet, retry_until

from .helpers import HANDLERS, PASSWORD, RestApi, allow_api, package, pool_signing_key, unique


def _mock(api: RestApi, path: str, body: str) -> None:
    """GET <path> answered by MOCK with a fixed JSON body."""
    resource = api.method(path, "GET")
    api.ag.put_integration(restApiId=api.id, resourceId=resource, httpMethod="GET", type="MOCK",
                           requestTemplates={"application/json": '{"statusCode": 200}'})
    api.ag.put_method_response(restApiId=api.id, resourceId=resource, httpMethod="GET", statusCode="200")
    api.ag.put_integration_response(restApiId=api.id, resourceId=resource, httpMethod="GET", statusCode="200",
                                    responseTemplates={"application/json": body})


def test_changes_are_served_only_after_the_next_deployment(cloud, make_function):
    echo = make_function("echo")
    api = RestApi(cloud)
    api.proxy("/v", "GET", echo)
    allow_api(cloud, echo, api.id)
    first = api.deploy("prod")
    assert api.call("GET", "/v").json()["httpMethod"] == "GET"

    _mock(api, "/v", '{"version": 2}')  # the method now answers by MOCK…
    _mock(api, "/new", '{"new": true}')  # …and a resource is added
    assert api.call("GET", "/v").json()["httpMethod"] == "GET"  # still the deployed echo
    assert api.call("GET", "/new").status_code == 403

    second = api.deploy("prod")
    assert api.call("GET", "/v").json() == {"version": 2}
    assert api.call("GET", "/new").json() == {"new": True}

    # A stage can be moved back to an earlier deployment (a rollback), and two stages serve two deployments.
    api.ag.create_stage(restApiId=api.id, stageName="old", deploymentId=first)
    assert api.call("GET", "/v", stage="old").json()["httpMethod"] == "GET"
    api.ag.update_stage(restApiId=api.id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/deploymentId", "value": first}])
    assert api.call("GET", "/new").status_code == 403
    assert first != second


def test_redeploying_keeps_the_stage_settings(cloud, make_function):
    """CreateDeployment with an existing stageName updates that stage: its variables and method settings stay
    (moto replaced the stage with a new one)."""
    echo = make_function("echo")
    api = RestApi(cloud)
    api.proxy("/v", "GET", echo)
    allow_api(cloud, echo, api.id)
    api.deploy("prod", variables={"color": "blue"})
    api.ag.update_stage(restApiId=api.id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/variables/size", "value": "L"},
        {"op": "replace", "path": "/*/*/throttling/burstLimit", "value": "100"}])
    api.deploy("prod")
    stage = api.ag.get_stage(restApiId=api.id, stageName="prod")
    assert stage["variables"] == {"color": "blue", "size": "L"}
    assert stage["methodSettings"]["*/*"]["throttlingBurstLimit"] == 100
    assert api.call("GET", "/v").json()["stageVariables"] == {"color": "blue", "size": "L"}


def test_access_log_lines_in_cloudwatch_logs(cloud, make_function):
    echo = make_function("echo")
    api = RestApi(cloud)
    api.proxy("/v", "GET", echo)
    allow_api(cloud, echo, api.id)
    api.deploy("prod")
    logs = cloud.client("logs")
    group = unique("/apigw/access")
    logs.create_log_group(logGroupName=group)
    arn = f"arn:aws:logs:{cloud.cfg.region}:123456789012:log-group:{group}"
    fmt = ('{"requestId":"$context.requestId","ip":"$context.identity.sourceIp","method":"$context.httpMethod",'
           '"path":"$context.resourcePath","status":"$context.status","error":"$context.error.message"}')
    api.ag.update_stage(restApiId=api.id, stageName="prod", patchOperations=[
        {"op": "replace", "path": "/accessLogSettings/destinationArn", "value": arn},
        {"op": "replace", "path": "/accessLogSettings/format", "value": fmt}])
    ok, missing = api.call("GET", "/v"), api.call("GET", "/nope")

    def lines() -> list[dict]:
        found = [json.loads(e["message"]) for s in logs.describe_log_streams(logGroupName=group)["logStreams"]
                 for e in logs.get_log_events(logGroupName=group, logStreamName=s["logStreamName"])["events"]]
        if len(found) < 2:
            raise NotYet(f"{len(found)} line(s) so far")
        return found

    found = {line["requestId"]: line for line in retry_until("access log lines", lines, deadline=10, backoff=0.05,
                                                             progress=False)}
    assert found[ok.headers["x-amzn-RequestId"]] == {
        "requestId": ok.headers["x-amzn-RequestId"], "ip": "127.0.0.1", "method": "GET", "path": "/v",
        "status": "200", "error": "-"}
    line = found[missing.headers["x-amzn-RequestId"]]
    assert (line["status"], line["error"], line["path"]) == ("403", "Missing Authentication Token", "-")


def test_deployed_api_survives_a_restart_and_expired_tokens_are_refused(fresh_cloud):
    cloud = fresh_cloud
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]}
    role = cloud.client("iam").create_role(RoleName="agw", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    echo = cloud.client("lambda").create_function(
        FunctionName="agw-echo", Runtime="python3.12", Role=role, Handler="app.echo",
        Code={"ZipFile": package(HANDLERS)})["FunctionArn"]
    idp = cloud.client("cognito-idp")
    pool = idp.create_user_pool(PoolName="p", UsernameAttributes=["email"])["UserPool"]
    client = idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName="web",
                                         ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=pool["Id"], Username="ada@example.com", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool["Id"], Username="ada@example.com", Password=PASSWORD, Permanent=True)
    token = idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "ada@example.com", "PASSWORD": PASSWORD})["AuthenticationResult"]["IdToken"]

    api = RestApi(cloud)
    authorizer = api.cognito_authorizer(pool["Arn"])
    api.proxy("/me", "GET", echo, auth="COGNITO_USER_POOLS", authorizer=authorizer)
    allow_api(cloud, echo, api.id)
    api.deploy("prod")
    _mock(api, "/later", '{"undeployed": true}')  # changed after the deployment: must stay unserved
    assert api.call("GET", "/me", headers={"Authorization": token}).status_code == 200

    cloud.down()
    header = jwt.get_unverified_header(token)
    key = pool_signing_key(cloud, pool["Id"], header["kid"])  # from the snapshot the stopped cloud saved
    claims = jwt.decode(token, options={"verify_signature": False})
    expired = jwt.encode({**claims, "exp": int(time.time()) - 60}, key, algorithm="RS256",
                         headers={"kid": header["kid"], "typ": None})
    fresh = jwt.encode({**claims, "exp": int(time.time()) + 600, "email": "minted@example.com"}, key,
                       algorithm="RS256", headers={"kid": header["kid"], "typ": None})
    cloud.up()

    api.http = type(api.http)()  # new connections to the new process
    api.http.trust_env, api.http.verify = False, str(cloud.state_dir / "ca" / "ca.pem")
    answer = api.call("GET", "/me", headers={"Authorization": token})
    assert answer.status_code == 200, answer.text
    assert answer.json()["requestContext"]["authorizer"]["claims"]["email"] == "ada@example.com"
    assert api.call("GET", "/later").status_code == 403  # only the deployed state, after the restart too
    refused = api.call("GET", "/me", headers={"Authorization": expired})
    assert refused.status_code == 401 and refused.json() == {"message": "Unauthorized"}
    # The control: the same key and claims with a future exp verify, so the 401 above is the expiry.
    minted = api.call("GET", "/me", headers={"Authorization": fresh})
    assert minted.status_code == 200
    assert minted.json()["requestContext"]["authorizer"]["claims"]["email"] == "minted@example.com"
