"""HTTP APIs (v2): $default and named stages, autoDeploy and CreateDeployment, routes, the JWT authorizer with a
Cognito pool, payload format 2.0, CORS, through the real cloud and edge.

AWS facts: aws-facts.md, API Gateway ("HTTP API (v2) JWT authorizer: 401 {"message":"Unauthorized"} with
www-authenticate: Bearer …; checks aud, or client_id when aud is absent (Cognito access tokens); route scopes must
intersect the token's"); developer guide "Create AWS Lambda proxy integrations for HTTP APIs" (format 2.0 event:
version, routeKey, rawPath, rawQueryString, cookies, headers (lower case, repeated values comma-joined),
requestContext.http, authorizer.jwt.claims/scopes; an answer without statusCode is a 200 whose body is the answer),
"Working with routes" (no matching route → 404 Not Found), "Configuring CORS for an HTTP API" (API Gateway answers
preflight requests itself), "Stages for HTTP APIs" (autoDeploy; $default serves the URL without a stage segment).
"""

from __future__ import annotations

import pytest

from labkit import endpoints

from .helpers import PASSWORD, allow_api, https_session, unique


class HttpApi:
    def __init__(self, cloud, **settings):
        self.cloud = cloud
        self.v2 = cloud.client("apigatewayv2")
        self.id = self.v2.create_api(Name=unique("http"), ProtocolType="HTTP", **settings)["ApiId"]
        self.http = https_session(cloud)

    def route(self, key: str, function_arn: str, **auth) -> str:
        integration = self.v2.create_integration(ApiId=self.id, IntegrationType="AWS_PROXY",
                                                 IntegrationUri=function_arn, PayloadFormatVersion="2.0")
        return self.v2.create_route(ApiId=self.id, RouteKey=key, Target=f"integrations/{integration['IntegrationId']}",
                                    **auth)["RouteId"]

    def call(self, verb: str, path: str, stage: str = "$default", **kwargs):
        return self.http.request(verb, endpoints.api_url(self.id, stage, self.cloud.cfg) + path, timeout=30, **kwargs)


@pytest.fixture(scope="module")
def http_api(cloud, pool, make_function):
    function = make_function("v2")
    api = HttpApi(cloud, CorsConfiguration={"AllowOrigins": ["https://contact.localhost"],
                                            "AllowMethods": ["GET", "POST"], "AllowHeaders": ["authorization"],
                                            "MaxAge": 300})
    issuer = f"https://cognito-idp.{cloud.cfg.region}.amazonaws.com/{pool['id']}"
    authorizer = api.v2.create_authorizer(
        ApiId=api.id, AuthorizerType="JWT", Name="cognito", IdentitySource=["$request.header.Authorization"],
        JwtConfiguration={"Audience": [pool["client"]], "Issuer": issuer})["AuthorizerId"]
    jwt_auth = {"AuthorizationType": "JWT", "AuthorizerId": authorizer}
    api.route("GET /items/{id}", function, **jwt_auth)
    api.route("GET /admin", function, AuthorizationScopes=["aws.cognito.signin.user.admin"], **jwt_auth)
    api.route("ANY /public/{proxy+}", function)
    api.v2.create_stage(ApiId=api.id, StageName="$default", AutoDeploy=True)
    allow_api(cloud, function, api.id, source="*")
    api.function = function
    return api


def test_jwt_route_gets_the_2_0_event(http_api, pool):
    answer = http_api.call("GET", "/items/42?a=1&a=2", headers={"Authorization": f"Bearer {pool['id_token']}",
                                                                 "Cookie": "x=1; y=2"})
    assert answer.status_code == 200, answer.text
    assert answer.headers["apigw-requestid"] and "x-amzn-RequestId" not in answer.headers
    assert answer.raw.headers.getlist("Set-Cookie") == ["c=3"]
    event = answer.json()
    assert event["version"] == "2.0" and event["routeKey"] == "GET /items/{id}"
    assert event["rawPath"] == "/items/42" and event["rawQueryString"] == "a=1&a=2"
    assert event["queryStringParameters"] == {"a": "1,2"} and event["pathParameters"] == {"id": "42"}
    assert event["cookies"] == ["x=1", "y=2"]
    assert event["headers"]["x-forwarded-proto"] == "https"
    context = event["requestContext"]
    assert context["stage"] == "$default" and context["http"]["method"] == "GET"
    assert context["http"]["sourceIp"] == "127.0.0.1"
    claims = context["authorizer"]["jwt"]["claims"]
    assert claims["email"] == pool["email"] and claims["aud"] == pool["client"]
    assert all(isinstance(v, str) for v in claims.values())


def test_token_with_or_without_bearer(http_api, pool):
    assert http_api.call("GET", "/items/1", headers={"Authorization": pool["id_token"]}).status_code == 200


def test_missing_or_bad_token_is_401_with_www_authenticate(http_api, pool):
    for headers in ({}, {"Authorization": "Bearer nonsense"}):
        answer = http_api.call("GET", "/items/1", headers=headers)
        assert answer.status_code == 401 and answer.json() == {"message": "Unauthorized"}
        assert answer.headers["www-authenticate"].startswith('Bearer scope="" error="invalid_token"')


def test_token_for_another_audience_is_401(cloud, http_api, pool):
    """aws-facts.md: the JWT authorizer checks aud, or client_id when aud is absent. Tokens of a second app client of
    the same pool (right issuer, right signature) carry that client's id, which is not in the authorizer's
    Audience list: 401, for the ID token (aud) and the access token (client_id) alike."""
    idp = cloud.client("cognito-idp")
    other = idp.create_user_pool_client(UserPoolId=pool["id"], ClientName="other-app",
                                        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
    tokens = idp.initiate_auth(ClientId=other, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": pool["email"], "PASSWORD": PASSWORD})["AuthenticationResult"]
    for token in (tokens["IdToken"], tokens["AccessToken"]):
        answer = http_api.call("GET", "/items/1", headers={"Authorization": f"Bearer {token}"})
        assert answer.status_code == 401 and answer.json() == {"message": "Unauthorized"}
        www = answer.headers["www-authenticate"]
        assert www.startswith('Bearer scope="" error="invalid_token"') and "audience" in www, www
    # The control: the same user through the authorizer's own client passes.
    assert http_api.call("GET", "/items/1", headers={"Authorization": f"Bearer {pool['id_token']}"}).status_code == 200


def test_scopes_on_the_route(http_api, pool):
    """Access tokens carry client_id instead of aud; the route's scopes must be among the token's."""
    assert http_api.call("GET", "/admin", headers={"Authorization": pool["access_token"]}).status_code == 200
    refused = http_api.call("GET", "/admin", headers={"Authorization": pool["id_token"]})
    assert refused.status_code == 403 and refused.json() == {"message": "Forbidden"}
    assert 'error="insufficient_scope"' in refused.headers["www-authenticate"]


def test_unknown_route_is_404_and_preflight_is_answered(http_api):
    missing = http_api.call("GET", "/nothing")
    assert missing.status_code == 404 and missing.json() == {"message": "Not Found"}
    preflight = http_api.call("OPTIONS", "/items/1", headers={"Origin": "https://contact.localhost",
                                                             "Access-Control-Request-Method": "GET"})
    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "https://contact.localhost"
    assert preflight.headers["Access-Control-Max-Age"] == "300"
    public = http_api.call("POST", "/public/a/b", headers={"Origin": "https://contact.localhost"})
    assert public.status_code == 200 and public.headers["Access-Control-Allow-Origin"] == "https://contact.localhost"


def test_answer_without_status_code_is_an_inferred_200(http_api):
    answer = http_api.call("GET", "/public/x?plain=1")
    assert answer.status_code == 200 and answer.headers["Content-Type"] == "application/json"
    assert answer.json()["event"]["routeKey"] == "ANY /public/{proxy+}"


def test_named_stage_serves_what_create_deployment_froze(http_api):
    """moto has no CreateDeployment for HTTP APIs (404); the local cloud's freezes the API for the stage."""
    v2 = http_api.v2
    v2.create_stage(ApiId=http_api.id, StageName="prod")
    assert http_api.call("GET", "/public/x", stage="prod").status_code == 404  # nothing deployed yet
    deployment = v2.create_deployment(ApiId=http_api.id, StageName="prod")
    assert deployment["DeploymentStatus"] == "DEPLOYED"
    answer = http_api.call("GET", "/public/x", stage="prod")
    assert answer.status_code == 200 and answer.json()["requestContext"]["stage"] == "prod"
    http_api.route("GET /fresh", http_api.function)
    assert http_api.call("GET", "/fresh").status_code == 200  # $default deploys automatically
    assert http_api.call("GET", "/fresh", stage="prod").status_code == 404  # prod waits for a deployment
    v2.create_deployment(ApiId=http_api.id, StageName="prod")
    assert http_api.call("GET", "/fresh", stage="prod").status_code == 200
