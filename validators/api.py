"""Layer 09 · API Gateway: the contact API answers only signed-in visitors: no token or a forged one → 401, the ID
token of a throw-away visitor → 201 for a POST and the message back in GET, through Lambda proxy integrations; the
browser's preflight is answered without auth for the site's origin, and API Gateway's own errors carry CORS headers;
the site's www name is answered too (its origin on the allow-list, and no other origin echoed); the stage is
throttled."""

from __future__ import annotations

import contextlib
import functools
import secrets
import time
import uuid
from collections.abc import Iterator
from typing import Any

import jwt
import requests
from botocore.exceptions import ClientError
from cryptography.hazmat.primitives.asymmetric import rsa

from labkit import LabError, api_url, cognito_jwks_url, names, site_origin, site_origins

from .base import Check, Context, Result, failed, passed
from .cognito import app_clients, find_pool, signed_in_visitor
from .probes import ProbeError, http_request


def _cafile(ctx: Context) -> str | None:
    return str(ctx.cfg.state_dir / "ca" / "ca.pem") if ctx.cfg.local else None


def call(ctx: Context, method: str, token: str | None = None, **kwargs):
    headers = kwargs.pop("headers", {})
    if token is not None:
        headers["Authorization"] = token
    return http_request(method, ctx.facts["url"], headers=headers, cafile=_cafile(ctx), **kwargs)


def find_api(ctx: Context) -> dict | None:
    """The learner's REST API (GetRestApis), looked up once per run."""
    apis = ctx.memo("rest apis", lambda: ctx.client("apigateway").get_rest_apis(limit=500)["items"])
    return next((a for a in apis if a["name"] == names(ctx.cfg).api), None)


def probe_api(ctx: Context) -> Result:
    apigw = ctx.client("apigateway")
    api = find_api(ctx)
    if api is None:
        return failed(f"no REST API named {names(ctx.cfg).api}", "the API exists", "run notebook 09")
    stages = {s["stageName"]: s for s in apigw.get_stages(restApiId=api["id"])["item"]}
    stage = stages.get(names(ctx.cfg).stage)
    if stage is None:
        return failed(f"stages: {', '.join(stages) or 'none'}", names(ctx.cfg).stage,
                      "deploy the API: create_deployment(stageName='prod'); changes are live only once deployed")
    ctx.facts.update(api=api, stage=stage, url=api_url(api["id"], names(ctx.cfg).stage, ctx.cfg) + "/messages")
    return passed(ctx.facts["url"])


def _method(ctx: Context, verb: str) -> dict:
    """The /messages method as the control plane has it ({} when missing): its authorizer and integration."""
    apigw, api = ctx.client("apigateway"), ctx.facts["api"]["id"]
    resource = next((r for r in apigw.get_resources(restApiId=api, limit=500)["items"] if r["path"] == "/messages"),
                    None)
    if resource is None:
        return {}
    try:
        return apigw.get_method(restApiId=api, resourceId=resource["id"], httpMethod=verb)
    except ClientError:
        return {}


def probe_no_token(ctx: Context) -> Result:
    try:
        answer = call(ctx, "GET")
    except ProbeError as exc:
        return failed(exc.reason, "401", "the API's address does not answer")
    # A function that refuses calls without claims also answers 401; only API Gateway's own 401 (marked by
    # x-amzn-ErrorType) shows that the authorizer stopped the call before the function ran.
    if answer.status_code == 200 or (answer.status_code == 401 and "x-amzn-ErrorType" not in answer.headers):
        return failed(f"{answer.status_code} without a token, from the function", "401 Unauthorized from API Gateway",
                      "GET /messages has no authorizer: set authorizationType COGNITO_USER_POOLS on it and deploy")
    if answer.status_code != 401:
        return failed(f"{answer.status_code} {answer.text[:100]}", "401 Unauthorized",
                      "the method does not use the Cognito authorizer (or the route is not deployed)")
    return passed("GET without a token → 401")


def _forged(ctx: Context) -> str:
    """An attacker's token: the claims and key id a real ID token of this pool would carry (when the pool exists),
    signed with a key of the attacker's own. Made from scratch, so the check needs no sign-in to run."""
    pool, client_id, kid = find_pool(ctx), "unknown-client", "attacker-key"
    if pool is not None:
        region = pool["Id"].split("_")[0]
        issuer = f"https://cognito-idp.{region}.amazonaws.com/{pool['Id']}"
        client_id = next((c["ClientId"] for c in app_clients(ctx, pool["Id"])), client_id)
        try:
            keys = requests.get(cognito_jwks_url(pool["Id"], ctx.cfg), timeout=10).json().get("keys", [])
            kid = next((k["kid"] for k in keys if "kid" in k), kid)
        except (requests.RequestException, ValueError):
            pass  # the key id only makes the forgery look better; any signature of ours must be refused
    else:
        issuer = f"https://cognito-idp.{ctx.cfg.region}.amazonaws.com/{ctx.cfg.region}_forged"
    now = int(time.time())
    claims = {"sub": str(uuid.uuid4()), "email": "mallory@example.com", "email_verified": True, "token_use": "id",
              "aud": client_id, "iss": issuer, "iat": now, "auth_time": now, "exp": now + 3600}
    return jwt.encode(claims, _attacker_key(), algorithm="RS256", headers={"kid": kid})


@functools.lru_cache(maxsize=1)
def _attacker_key() -> rsa.RSAPrivateKey:
    """A key no pool knows, made once per process: a 2048-bit key costs some 0.1 s, every learner of a class."""
    return rsa.generate_private_key(public_exponent=65537, key_size=2048)


@contextlib.contextmanager
def visitor(ctx: Context) -> Iterator[tuple[str, str]]:
    """(ID token, e-mail) of the run's throw-away visitor of the site's pool and app client (deleted when the
    run ends); what is missing (the pool, the app client) is a LabError naming the notebook that makes it."""
    pool = find_pool(ctx)
    if pool is None:
        raise LabError(f"no user pool named {names(ctx.cfg).user_pool} to sign a visitor in: run notebook 06")
    clients = app_clients(ctx, pool["Id"])
    client_id = next((c["ClientId"] for c in clients if c["ClientName"] == names(ctx.cfg).app_client), None)
    if client_id is None:
        raise LabError(f"no app client named {names(ctx.cfg).app_client} in the pool {pool['Id']} to sign a visitor "
                       "in: run notebook 06's app-client cell")
    yield signed_in_visitor(ctx, pool["Id"], client_id)


def post_as_visitor(ctx: Context, message: str, *, keep: bool = False) -> tuple[Any, str]:
    """POST /messages as a throw-away visitor, deleted afterwards: the API's answer and the visitor's e-mail. The
    stored message is removed too, unless ``keep`` (the caller reads it, then removes it)."""
    with visitor(ctx) as (token, email):
        answer = call(ctx, "POST", token, json={"name": "Validator", "message": message})
    if not keep:
        forget_message(ctx, email, message)
    return answer, email


def forget_message(ctx: Context, sender: str, message: str) -> None:
    """Delete what a check stored through the function (sender and text as it sent them) from the workshop's
    table, so checking a deployment again and again leaves it as it was. Best effort: a table that is not there or
    not the function's keeps nothing of ours anyway."""
    ddb, table = ctx.client("dynamodb"), names(ctx.cfg).table
    try:
        items = ddb.query(TableName=table, KeyConditionExpression="sender = :s", ConsistentRead=True,
                          ExpressionAttributeValues={":s": {"S": sender}})["Items"]
        for item in items:
            if item.get("message", {}).get("S") == message and "createdAt" in item:
                ddb.delete_item(TableName=table, Key={"sender": item["sender"], "createdAt": item["createdAt"]})
    except ClientError:
        pass


def probe_proxy(ctx: Context) -> Result:
    """Read from the configuration: the local cloud serves only proxy integrations, and on AWS a non-proxy one
    answers 200 with the function's raw return value, so the symptom alone would point elsewhere."""
    kinds = {verb: _method(ctx, verb).get("methodIntegration", {}).get("type", "none") for verb in ("GET", "POST")}
    wrong = [f"{verb} → {kind}" for verb, kind in kinds.items() if kind != "AWS_PROXY"]
    if wrong:
        return failed(", ".join(wrong), "AWS_PROXY on GET and POST",
                      "proxy vs non-proxy: a non-proxy (AWS) integration hands the function only the request body "
                      "(no requestContext.authorizer.claims, no headers) and expects mapping templates for the "
                      "request and the response; use type AWS_PROXY with integrationHttpMethod POST, then deploy")
    return passed("GET and POST → AWS_PROXY")


def _authorizer_seen(ctx: Context) -> str:
    """What the POST method's authorizer accepts, for the 401 of a valid token."""
    authorizer_id = _method(ctx, "POST").get("authorizerId")
    if not authorizer_id:
        return "POST has no authorizer"
    spec = ctx.client("apigateway").get_authorizer(restApiId=ctx.facts["api"]["id"], authorizerId=authorizer_id)
    return f"providerARNs {spec.get('providerARNs')}, identitySource {spec.get('identitySource')}"


def probe_signed_in(ctx: Context) -> Result:
    marker = f"validator {secrets.token_hex(4)}"
    with visitor(ctx) as (token, email):
        created = call(ctx, "POST", token, json={"name": "Validator", "message": marker})
        listed = call(ctx, "GET", token)
    forget_message(ctx, email, marker)
    if created.status_code == 500 and "Internal server error" in created.text:
        return failed("POST → 500 Internal server error", "201",
                      "missing Lambda permission: add_permission for apigateway.amazonaws.com with the API's "
                      "SourceArn (arn:aws:execute-api:<region>:<account>:<api-id>/*/*/messages)")
    if created.status_code == 502:
        return failed(f"POST → 502 {created.text[:100]}", "201",
                      "the function failed or answered in the wrong shape: read its logs (notebook 08); with AWS_PROXY "
                      "it must return statusCode, headers and a string body (proxy vs non-proxy)")
    if created.status_code == 401:
        pool = find_pool(ctx)
        return failed(f"POST with a valid ID token → 401; {_authorizer_seen(ctx)}", "201",
                      f"the authorizer refuses this pool's tokens: its providerARNs name another user pool (this one "
                      f"is {pool['Arn'] if pool else '?'}), or its identitySource is not "
                      "method.request.header.Authorization; fix it and deploy")
    if created.status_code != 201:
        return failed(f"POST → {created.status_code} {created.text[:150]}", "201", "the API did not store the message")
    if marker not in listed.text:
        return failed(f"GET → {listed.status_code} {listed.text[:150]}", marker, "the stored message is not listed")
    return passed("sign-in → POST 201 → GET lists the message")


def probe_forged(ctx: Context) -> Result:
    answer = call(ctx, "GET", _forged(ctx))
    if 200 <= answer.status_code < 300:
        return failed(f"forged token → {answer.status_code}", "401",
                      "the API let a forged token through: GET /messages needs the Cognito authorizer "
                      "(authorizationType COGNITO_USER_POOLS), then deploy")
    if answer.status_code != 401:
        return failed(f"forged token → {answer.status_code}", "401",
                      "the API answered something else than API Gateway's 401 for a token it cannot verify: the "
                      "observed status says what (a 403 for a route not deployed, 429 throttling, 5xx the function)")
    return passed("forged token → 401")


PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type"}
STRANGER = "https://elsewhere.example"  # an origin no allow-list names


def _preflight(ctx: Context, origin: str):
    return call(ctx, "OPTIONS", headers={"Origin": origin, **PREFLIGHT})


def probe_preflight(ctx: Context) -> Result:
    origin = site_origin(ctx.cfg)
    answer = _preflight(ctx, origin)
    if answer.status_code == 401:
        return failed("OPTIONS → 401", "200 or 204 with Access-Control-Allow-*",
                      "authorizer on OPTIONS: a browser's preflight carries no token; give OPTIONS "
                      "authorizationType NONE (its AWS_PROXY integration to the function answers it), then deploy")
    allowed = answer.headers.get("Access-Control-Allow-Origin", "")
    if answer.status_code not in (200, 204) or allowed not in ("*", origin):
        return failed(f"OPTIONS → {answer.status_code}, Allow-Origin {allowed or 'missing'}", f"200 or 204, {origin}",
                      "answer the preflight with Access-Control-Allow-Origin/-Methods/-Headers: OPTIONS → the "
                      "function (AWS_PROXY), whose ALLOWED_ORIGINS lists the site's origins (notebook 08)")
    return passed(f"preflight → {answer.status_code}, Allow-Origin {allowed}")


def probe_error_cors(ctx: Context) -> Result:
    """API Gateway's own answers (the authorizer's 401, 429, 5xx) carry no CORS headers unless gateway responses add
    them; the browser then hides the answer, and the page cannot tell an ended session from a network failure."""
    origin = site_origin(ctx.cfg)
    answer = call(ctx, "GET", headers={"Origin": origin})
    allowed = answer.headers.get("Access-Control-Allow-Origin", "")
    if allowed not in ("*", origin):
        return failed(f"{answer.status_code} without a token: Allow-Origin {allowed or 'missing'}",
                      "Access-Control-Allow-Origin '*' on API Gateway's own errors",
                      "the browser hides API Gateway's own errors (a 401 reads as 'Failed to fetch'): "
                      "put_gateway_response DEFAULT_4XX and DEFAULT_5XX with "
                      "gatewayresponse.header.Access-Control-Allow-Origin \"'*'\" (they cannot consult the "
                      "allow-list, and a fixed origin serves one of the site's names only), then deploy")
    return passed(f"{answer.status_code} without a token carries Allow-Origin {allowed}")


def _allow_list(ctx: Context) -> str:
    """The function's ALLOWED_ORIGINS, for the hints ('' when unreadable)."""
    try:
        fn = ctx.client("lambda").get_function_configuration(FunctionName=names(ctx.cfg).function)
    except ClientError:
        return ""
    return fn.get("Environment", {}).get("Variables", {}).get("ALLOWED_ORIGINS", "")


def probe_www_origin(ctx: Context) -> Result:
    """The site answers on its domain and on www (notebook 04's aliases): a page on www sends
    Origin https://www.<domain>, which the preflight and the function's answers must name, or every API call from
    that page fails ('Failed to fetch'). An allow-list that echoes any origin would let every site read a
    signed-in visitor's messages."""
    www = site_origins(ctx.cfg)[1]
    fix = (f"the allow-list lacks www: set the function's ALLOWED_ORIGINS to both site origins "
           f"(','.join(labkit.site_origins(cfg)), notebook 08; now {_allow_list(ctx) or 'unset'!r})")
    preflight = _preflight(ctx, www)
    allowed = preflight.headers.get("Access-Control-Allow-Origin", "")
    if preflight.status_code not in (200, 204) or allowed not in ("*", www):
        kind = _method(ctx, "OPTIONS").get("methodIntegration", {}).get("type", "none")
        hint = (f"OPTIONS uses a {kind} integration: it answers one fixed origin, and the site has two names; "
                "send OPTIONS to the function (AWS_PROXY, authorizationType NONE), which answers each listed origin, "
                "then deploy") if kind != "AWS_PROXY" else fix
        return failed(f"preflight from {www} → {preflight.status_code}, Allow-Origin {allowed or 'missing'}",
                      f"Allow-Origin {www}", hint)
    with visitor(ctx) as (token, _):
        listed = call(ctx, "GET", token, headers={"Origin": www})
    allowed = listed.headers.get("Access-Control-Allow-Origin", "")
    if listed.status_code != 200 or allowed not in ("*", www):
        return failed(f"signed-in GET from {www} → {listed.status_code}, Allow-Origin {allowed or 'missing'}",
                      f"200, Allow-Origin {www}", fix)
    stranger = _preflight(ctx, STRANGER).headers.get("Access-Control-Allow-Origin", "")
    if stranger == STRANGER:
        return failed(f"preflight from {STRANGER} → Allow-Origin {STRANGER}",
                      "no Allow-Origin for an unlisted origin",
                      "an origin echoed without checking: the function must answer only origins its ALLOWED_ORIGINS "
                      "lists, or any site's script may read a signed-in visitor's messages")
    return passed(f"{www}: preflight and signed-in GET → Allow-Origin {allowed}")


def probe_throttling(ctx: Context) -> Result:
    settings = ctx.facts["stage"].get("methodSettings", {})
    limits = [s for s in settings.values() if s.get("throttlingRateLimit") or s.get("throttlingBurstLimit")]
    if not limits:
        return failed("no throttling", "rate and burst limits on the stage",
                      "throttle the stage (update_stage /*/*/throttling/rateLimit and burstLimit)")
    first = limits[0]
    return passed(f"rate {first.get('throttlingRateLimit')}/s, burst {first.get('throttlingBurstLimit')}")


CHECKS = [
    Check("api.deployed", "the API is deployed to its stage", probe_api),
    Check("api.no_token", "no token → 401", probe_no_token, needs=("api.deployed",)),
    Check("api.proxy", "GET and POST use the Lambda proxy integration", probe_proxy, needs=("api.deployed",)),
    Check("api.signed_in", "a signed-in visitor stores and lists a message", probe_signed_in,
          needs=("api.deployed", "api.proxy", "cognito.client", "lambda.function")),
    Check("api.forged_token", "a forged token → 401", probe_forged, needs=("api.deployed",)),
    Check("api.preflight", "the browser's preflight is answered without auth", probe_preflight,
          needs=("api.deployed",)),
    Check("api.error_cors", "API Gateway's own errors reach the browser (CORS)", probe_error_cors,
          needs=("api.deployed",)),
    Check("api.www_origin", "the API answers the www name's origin", probe_www_origin, needs=("api.signed_in",)),
    Check("api.throttling", "the stage is throttled", probe_throttling, needs=("api.deployed",)),
]
