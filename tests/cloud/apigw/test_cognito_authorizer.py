"""The COGNITO_USER_POOLS authorizer and the CORS preflight, with the contact app end to end: a real pool and user,
the real assets/lambda/app.py, DynamoDB and SNS, over TLS through the edge.

AWS facts: aws-facts.md, API Gateway ("COGNITO_USER_POOLS authorizer reads the token from identitySource (default
method.request.header.Authorization), without a Bearer prefix for REST; validates signature, expiry and issuer
(the pool); ID token unless OAuth scopes are set on the method (then an access token with a matching scope)";
"missing/invalid Cognito token → 401 Unauthorized"; "CORS: a browser's preflight OPTIONS must not require the
authorizer (classic learner bug); REST APIs answer it with a MOCK integration returning Access-Control-Allow-*")
and Cognito ("Tokens RS256; iss = https://cognito-idp.<region>.amazonaws.com/<pool-id>"). Claims reach the function
as strings, exp and iat as dates ("Fri Jul 29 18:52:53 UTC 2016"; awsdocs/amazon-api-gateway-developer-guide#158).
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import re

import jwt
import pytest
import requests
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

from .helpers import RestApi, allow_api, pool_signing_key, unique


@pytest.fixture(scope="module")
def site(cloud, pool, contact_app, make_function):
    """The contact API as learners build it: /messages POST and GET → the contact app, Cognito authorizer;
    OPTIONS → MOCK without auth; /whoami GET → echo (claims); /admin GET → echo, scopes required;
    /preflight-bug OPTIONS → MOCK but with the authorizer (the classic bug)."""
    echo = make_function("echo")
    api = RestApi(cloud)
    authorizer = api.cognito_authorizer(pool["arn"])
    for verb in ("POST", "GET"):
        api.proxy("/messages", verb, contact_app["arn"], auth="COGNITO_USER_POOLS", authorizer=authorizer)
    api.mock_cors("/messages")
    api.proxy("/whoami", "GET", echo, auth="COGNITO_USER_POOLS", authorizer=authorizer)
    api.proxy("/admin", "GET", echo, auth="COGNITO_USER_POOLS", authorizer=authorizer,
              scopes=["aws.cognito.signin.user.admin"])
    api.mock_cors("/preflight-bug", auth="COGNITO_USER_POOLS", authorizer=authorizer)
    allow_api(cloud, contact_app["arn"], api.id)
    allow_api(cloud, echo, api.id)
    api.deploy("prod")
    return api


def _b64(data: bytes | dict) -> str:
    raw = json.dumps(data).encode() if isinstance(data, dict) else data
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


def _parts(token: str) -> tuple[dict, dict, str]:
    header, payload, signature = token.split(".")
    pad = lambda s: s + "=" * (-len(s) % 4)  # noqa: E731
    return (json.loads(base64.urlsafe_b64decode(pad(header))), json.loads(base64.urlsafe_b64decode(pad(payload))),
            signature)


def test_signed_in_post_stores_the_message_and_publishes_it(cloud, site, pool, contact_app):
    """The whole path: ID token → authorizer → contact app → DynamoDB item + SNS message; the item names the
    signed-in e-mail from the claims."""
    answer = site.call("POST", "/messages", json={"name": "Ada", "message": "Hello from the edge"},
                       headers={"Authorization": pool["id_token"], "Origin": "https://contact.localhost"})
    assert answer.status_code == 201, answer.text
    assert answer.headers["Access-Control-Allow-Origin"] == "https://contact.localhost"
    item = answer.json()
    assert item["sender"] == pool["email"] and item["message"] == "Hello from the edge"
    stored = cloud.client("dynamodb").get_item(TableName=contact_app["table"], Key={
        "sender": {"S": pool["email"]}, "createdAt": {"S": item["createdAt"]}})["Item"]
    assert stored["id"]["S"] == item["id"]
    published = cloud.client("sqs").receive_message(QueueUrl=contact_app["queue"], WaitTimeSeconds=2)["Messages"]
    assert any("Hello from the edge" in m["Body"] for m in published)
    listed = site.call("GET", "/messages", headers={"Authorization": pool["id_token"]})
    assert listed.status_code == 200 and item["id"] in [m["id"] for m in listed.json()["messages"]]


def test_claims_are_strings_in_the_request_context(site, pool):
    answer = site.call("GET", "/whoami", headers={"Authorization": pool["id_token"]})
    assert answer.status_code == 200, answer.text
    claims = answer.json()["requestContext"]["authorizer"]["claims"]
    _, payload, _ = _parts(pool["id_token"])
    assert claims["email"] == pool["email"] and claims["sub"] == payload["sub"]
    assert claims["token_use"] == "id" and claims["aud"] == pool["client"]
    assert all(isinstance(v, str) for v in claims.values())
    assert re.fullmatch(r"[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d UTC \d{4}", claims["exp"])
    assert claims["auth_time"] == str(payload["auth_time"])


def test_no_token_and_bearer_prefix_are_401(site, pool):
    """aws-facts.md: the REST authorizer takes the header's value as the token, with no Bearer prefix."""
    for headers in ({}, {"Authorization": ""}, {"Authorization": f"Bearer {pool['id_token']}"}):
        answer = site.call("POST", "/messages", json={"name": "A", "message": "B"}, headers=headers)
        assert answer.status_code == 401, headers
        assert answer.json() == {"message": "Unauthorized"}
        assert answer.headers["x-amzn-ErrorType"] == "UnauthorizedException"


def test_scopes_need_an_access_token_with_one_of_them(site, pool):
    """aws-facts.md: with authorizationScopes on the method, an access token with a matching scope; the ID token
    is refused."""
    assert site.call("GET", "/admin", headers={"Authorization": pool["id_token"]}).status_code == 401
    answer = site.call("GET", "/admin", headers={"Authorization": pool["access_token"]})
    assert answer.status_code == 200, answer.text
    assert answer.json()["requestContext"]["authorizer"]["claims"]["token_use"] == "access"
    # Without scopes on the method the access token is the wrong kind of token.
    assert site.call("GET", "/whoami", headers={"Authorization": pool["access_token"]}).status_code == 401


def _forgeries(cloud, pool) -> dict[str, str]:
    header, payload, signature = _parts(pool["id_token"])
    own_key = pool_signing_key(cloud, pool["id"], header["kid"])
    other_region = "eu-west-1" if cloud.cfg.region != "eu-west-1" else "us-west-2"
    stranger = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    jwks = requests.get(f"{cloud.cfg.gateway_url}/{pool['id']}/.well-known/jwks.json", timeout=5).json()
    id_key = next(k for k in jwks["keys"] if k["kid"] == header["kid"])
    pem = jwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(id_key)).public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
    signing_input = f"{_b64({'alg': 'HS256', 'kid': header['kid']})}.{_b64(payload)}"
    hs256 = signing_input + "." + base64.urlsafe_b64encode(
        hmac.new(pem, signing_input.encode(), hashlib.sha256).digest()).rstrip(b"=").decode()
    other = _other_pool_token(cloud)
    other_header, other_payload, other_signature = _parts(other)
    return {
        "alg none": f"{_b64({'alg': 'none', 'kid': header['kid']})}.{_b64(payload)}.",
        "HS256 keyed with the public key": hs256,
        "unknown kid": jwt.encode(payload, stranger, algorithm="RS256", headers={"kid": "not-a-pool-key"}),
        "own kid, stranger's key": jwt.encode(payload, stranger, algorithm="RS256", headers={"kid": header["kid"]}),
        "another pool's token": other,
        "another pool's signature, our iss": (
            f"{_b64(other_header)}.{_b64({**other_payload, 'iss': payload['iss']})}.{other_signature}"),
        "another pool's signature, our kid": f"{_b64({**other_header, 'kid': header['kid']})}."
                                             f"{_b64(other_payload)}.{other_signature}",
        "payload changed": f"{_b64(header)}.{_b64({**payload, 'email': 'mallory@example.com'})}.{signature}",
        # Signed by the pool's own key under its own kid: only the issuer check can refuse these two.
        "wrong iss": jwt.encode({**payload, "iss": "https://evil.example.com/pool"}, own_key, algorithm="RS256",
                                headers={"kid": header["kid"], "typ": None}),
        "our pool id under another region's iss": jwt.encode(
            {**payload, "iss": payload["iss"].replace(f".{cloud.cfg.region}.", f".{other_region}.")}, own_key,
            algorithm="RS256", headers={"kid": header["kid"], "typ": None}),
        "not a JWT": "hello",
        "garbage parts": "a.b.c",
    }


def _other_pool_token(cloud) -> str:
    idp = cloud.client("cognito-idp")
    other = idp.create_user_pool(PoolName=unique("other"), UsernameAttributes=["email"])["UserPool"]["Id"]
    client = idp.create_user_pool_client(UserPoolId=other, ClientName="web",
                                         ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
    idp.admin_create_user(UserPoolId=other, Username="eve@example.com", MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=other, Username="eve@example.com", Password="Correct-Horse-9",
                                Permanent=True)
    return idp.initiate_auth(ClientId=client, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": "eve@example.com", "PASSWORD": "Correct-Horse-9"})["AuthenticationResult"]["IdToken"]


def test_forged_tokens_are_all_401(cloud, site, pool):
    """Signature by the issuing pool's own key, RS256, a known kid, an issuer among the authorizer's pools: any
    forgery fails with 401 (the expired token is in test_deployments).

    The wrong-iss cases must fail on the issuer alone, so they are signed with the pool's own private key: one with
    a foreign issuer, one with this pool's id under another region's issuer (which a verifier finding keys by pool
    id alone would accept). That key lives only in the cloud process; the one public surface that holds it is the
    snapshot in the cloud's state directory, so the test reads it there with helpers.pool_signing_key (as
    test_deployments mints its expired token). The control at the end re-signs the genuine claims with that key and
    gets 200: the key is the pool's, and the wrong-iss tokens differ from an accepted one by their iss only."""
    forged = _forgeries(cloud, pool)
    assert len(forged) == 12
    for name, token in forged.items():
        answer = site.call("GET", "/whoami", headers={"Authorization": token})
        assert answer.status_code == 401, f"{name}: {answer.status_code} {answer.text}"
        assert answer.json() == {"message": "Unauthorized"}
    assert site.call("GET", "/whoami", headers={"Authorization": pool["id_token"]}).status_code == 200
    header, payload, _ = _parts(pool["id_token"])
    resigned = jwt.encode(payload, pool_signing_key(cloud, pool["id"], header["kid"]), algorithm="RS256",
                          headers={"kid": header["kid"], "typ": None})
    assert site.call("GET", "/whoami", headers={"Authorization": resigned}).status_code == 200


def test_cors_preflight_is_answered_by_mock_without_auth(site):
    """aws-facts.md, CORS: the preflight carries no Authorization; a MOCK integration answers it with the
    Access-Control-Allow-* headers of its integration response (single-quoted static values)."""
    answer = site.call("OPTIONS", "/messages", headers={
        "Origin": "https://contact.localhost", "Access-Control-Request-Method": "POST",
        "Access-Control-Request-Headers": "content-type,authorization"})
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == "https://contact.localhost"
    assert answer.headers["Access-Control-Allow-Methods"] == "GET,POST,OPTIONS"
    assert answer.headers["Access-Control-Allow-Headers"] == "Content-Type,Authorization"


def test_preflight_behind_the_authorizer_is_401(site):
    """The classic learner bug (aws-facts.md, CORS): OPTIONS with the Cognito authorizer refuses the browser's
    preflight, which has no token."""
    answer = site.call("OPTIONS", "/preflight-bug", headers={
        "Origin": "https://contact.localhost", "Access-Control-Request-Method": "POST"})
    assert answer.status_code == 401 and answer.json() == {"message": "Unauthorized"}
    assert "Access-Control-Allow-Origin" not in answer.headers


def test_gateway_responses_can_carry_cors_headers(cloud, pool, make_function):
    """PutGatewayResponse (DEFAULT_4XX) adds headers to API Gateway's own errors, so a browser can read a 401
    ("Gateway response types": a type without its own response uses DEFAULT_4XX)."""
    api = RestApi(cloud)
    authorizer = api.cognito_authorizer(pool["arn"])
    function = make_function("echo")
    api.proxy("/x", "GET", function, auth="COGNITO_USER_POOLS", authorizer=authorizer)
    api.ag.put_gateway_response(restApiId=api.id, responseType="DEFAULT_4XX", responseParameters={
        "gatewayresponse.header.Access-Control-Allow-Origin": "'*'"},
        responseTemplates={"application/json": '{"error":$context.error.messageString,"id":"$context.requestId"}'})
    api.deploy("prod")
    answer = api.call("GET", "/x")
    assert answer.status_code == 401 and answer.headers["Access-Control-Allow-Origin"] == "*"
    assert answer.json() == {"error": "Unauthorized", "id": answer.headers["x-amzn-RequestId"]}
