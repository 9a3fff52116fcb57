"""labkit.api_url: one helper for an API's invoke URL on either target (DESIGN.md: "Where a value differs by target
(an API's invoke URL, the HTTPS port), one documented labkit helper returns it"), and the gateway responses'
rendering on its own.

AWS facts: invoke URLs are https://<api-id>.execute-api.<region>.amazonaws.com/<stage> ("Invoke REST APIs in API
Gateway"); the $default stage of an HTTP API has no stage segment ("Stages for HTTP APIs"); gateway responses and
their templates ("Set up gateway responses to customize error responses").
"""

from __future__ import annotations

import json

import labkit
from labkit.cloud.apigateway.responses import gateway_answer, render_context
from labkit.config import Config


def test_api_url_on_both_targets():
    local = Config(target="local", ports={"https": 4443, "http": 4480, "gateway": 4566, "dns": 1053, "smtp": 2525})
    aws = Config(target="aws", region="eu-west-1")
    assert labkit.api_url("a1b2c3d4e5", "prod", local) == "https://a1b2c3d4e5.execute-api.localhost:4443/prod"
    assert labkit.api_url("a1b2c3d4e5", "prod", aws) == "https://a1b2c3d4e5.execute-api.eu-west-1.amazonaws.com/prod"
    assert labkit.api_url("abcdefgh", "$default", aws) == "https://abcdefgh.execute-api.eu-west-1.amazonaws.com"
    on_443 = Config(target="local", ports={**local.ports, "https": 443})
    assert labkit.api_url("abcdefgh", "$default", on_443) == "https://abcdefgh.execute-api.localhost"
    assert "api_url" in labkit.__all__


def test_default_gateway_responses():
    unauthorized = gateway_answer("UNAUTHORIZED", {})
    assert (unauthorized.status, json.loads(unauthorized.body)) == (401, {"message": "Unauthorized"})
    assert unauthorized.header("Content-Type") == "application/json"
    assert gateway_answer("QUOTA_EXCEEDED", {}).body == b'{"message":"Limit Exceeded"}'
    assert gateway_answer("API_CONFIGURATION_ERROR", {}, status=502).status == 502


def test_custom_gateway_responses_and_the_4xx_fallback():
    custom = {"DEFAULT_4XX": {"statusCode": "400", "responseParameters": {
        "gatewayresponse.header.Access-Control-Allow-Origin": "'*'"}},
        "THROTTLED": {"responseTemplates": {"application/json": '{"slow down": $context.error.messageString}'}}}
    throttled = gateway_answer("THROTTLED", {"requestId": "r"}, custom)
    assert throttled.status == 400  # DEFAULT_4XX's status applies to every 4XX without its own
    assert json.loads(throttled.body) == {"slow down": "Too Many Requests"}
    unauthorized = gateway_answer("UNAUTHORIZED", {}, custom)
    assert unauthorized.header("Access-Control-Allow-Origin") == "*"
    assert gateway_answer("API_CONFIGURATION_ERROR", {}, custom).status == 500  # 5XX untouched


def test_render_context():
    ctx = {"requestId": "r-1", "identity.sourceIp": "127.0.0.1", "status": "200", "error.message": ""}
    assert render_context("$context.requestId $context.identity.sourceIp.", ctx) == "r-1 127.0.0.1."
    assert render_context("${context.status} [$context.error.message] $context.nope", ctx, missing="-") == "200 [-] -"
    assert render_context('"$context.requestId"', {"requestId": 'a"b'}, quote=True) == '"a\\"b"'
