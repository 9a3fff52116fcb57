"""API Gateway proxy events the validators send straight to the function (aws-facts, API Gateway: REST proxy event),
as a signed-in visitor's request would arrive through the API."""

from __future__ import annotations

import json
import uuid
from typing import Any


def proxy_event(method: str, *, email: str, body: Any = None, origin: str = "") -> dict[str, Any]:
    headers = {"Content-Type": "application/json", **({"Origin": origin} if origin else {})}
    return {
        "resource": "/messages", "path": "/messages", "httpMethod": method,
        "headers": headers, "multiValueHeaders": {k: [v] for k, v in headers.items()},
        "queryStringParameters": None, "multiValueQueryStringParameters": None, "pathParameters": None,
        "stageVariables": None,
        "requestContext": {"resourcePath": "/messages", "httpMethod": method, "stage": "prod",
                           "requestId": str(uuid.uuid4()),
                           "identity": {"sourceIp": "127.0.0.1"},
                           "authorizer": {"claims": {"email": email, "sub": str(uuid.uuid4()),
                                                     "token_use": "id"}}},
        "body": None if body is None else json.dumps(body), "isBase64Encoded": False,
    }
