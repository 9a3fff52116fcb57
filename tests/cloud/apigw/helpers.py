"""Helpers for the API Gateway tests: build REST APIs with plain boto3 and call them over TLS through the edge."""

from __future__ import annotations

import io
import uuid
import zipfile
from pathlib import Path
from typing import Any

import requests

from labkit import endpoints, resolver
from labkit.cloud.cognito.keys import SigningKey
from labkit.cloud.core.snapshot import SnapshotStore
from labkit.config import LOCAL_ACCOUNT
from labkit.waiting import NotYet, retry_until

HANDLERS = Path(__file__).with_name("handlers.py")
PASSWORD = "Correct-Horse-9"


def package(source: Path) -> bytes:
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.write(source, "app.py")
    return buffer.getvalue()


def unique(prefix: str) -> str:
    return f"{prefix}-{uuid.uuid4().hex[:8]}"


class RestApi:
    """A REST API under construction: ``method("/messages/{id}", "GET", …)`` makes the resources on the way."""

    def __init__(self, cloud: Any, name: str | None = None) -> None:
        self.cloud = cloud
        self.ag = cloud.client("apigateway")
        self.id = self.ag.create_rest_api(name=name or unique("api"))["id"]
        self.ids = {"/": next(r["id"] for r in self.ag.get_resources(restApiId=self.id)["items"] if r["path"] == "/")}
        self.http = https_session(cloud)

    def resource(self, path: str) -> str:
        if path in self.ids:
            return self.ids[path]
        parent, _, part = path.rpartition("/")
        parent_id = self.resource(parent or "/")
        self.ids[path] = self.ag.create_resource(restApiId=self.id, parentId=parent_id, pathPart=part)["id"]
        return self.ids[path]

    def method(self, path: str, verb: str, *, auth: str = "NONE", authorizer: str | None = None,
               scopes: list[str] | None = None, key: bool = False) -> str:
        resource = self.resource(path)
        extra: dict[str, Any] = {"authorizerId": authorizer} if authorizer else {}
        if scopes:
            extra["authorizationScopes"] = scopes
        self.ag.put_method(restApiId=self.id, resourceId=resource, httpMethod=verb, authorizationType=auth,
                           apiKeyRequired=key, **extra)
        return resource

    def proxy(self, path: str, verb: str, function_arn: str, *, timeout_ms: int | None = None, **method: Any) -> None:
        resource = self.method(path, verb, **method)
        region = self.cloud.cfg.region
        extra = {"timeoutInMillis": timeout_ms} if timeout_ms else {}
        self.ag.put_integration(
            restApiId=self.id, resourceId=resource, httpMethod=verb, type="AWS_PROXY", integrationHttpMethod="POST",
            uri=f"arn:aws:apigateway:{region}:lambda:path/2015-03-31/functions/{function_arn}/invocations", **extra)

    def mock_cors(self, path: str, *, auth: str = "NONE", authorizer: str | None = None) -> None:
        """The CORS preflight answer learners build: OPTIONS with a MOCK integration and static headers."""
        resource = self.method(path, "OPTIONS", auth=auth, authorizer=authorizer)
        self.ag.put_integration(restApiId=self.id, resourceId=resource, httpMethod="OPTIONS", type="MOCK",
                                requestTemplates={"application/json": '{"statusCode": 200}'})
        headers = {"Access-Control-Allow-Origin": "'https://contact.localhost'",
                   "Access-Control-Allow-Methods": "'GET,POST,OPTIONS'",
                   "Access-Control-Allow-Headers": "'Content-Type,Authorization'"}
        self.ag.put_method_response(restApiId=self.id, resourceId=resource, httpMethod="OPTIONS", statusCode="200",
                                    responseParameters={f"method.response.header.{h}": False for h in headers})
        self.ag.put_integration_response(
            restApiId=self.id, resourceId=resource, httpMethod="OPTIONS", statusCode="200",
            responseParameters={f"method.response.header.{h}": v for h, v in headers.items()},
            responseTemplates={"application/json": ""})

    def cognito_authorizer(self, pool_arn: str, **extra: Any) -> str:
        return self.ag.create_authorizer(restApiId=self.id, name=unique("auth"), type="COGNITO_USER_POOLS",
                                         providerARNs=[pool_arn],
                                         identitySource="method.request.header.Authorization", **extra)["id"]

    def deploy(self, stage: str = "prod", **extra: Any) -> str:
        return self.ag.create_deployment(restApiId=self.id, stageName=stage, **extra)["id"]

    def call(self, verb: str, path: str, stage: str = "prod", **kwargs: Any) -> requests.Response:
        url = endpoints.api_url(self.id, stage, self.cloud.cfg) + path
        return self.http.request(verb, url, timeout=30, **kwargs)


def https_session(cloud: Any) -> requests.Session:
    resolver.install()  # *.localhost → 127.0.0.1 in this process (DESIGN.md)
    session = requests.Session()
    session.trust_env = False  # else REQUESTS_CA_BUNDLE (and proxy settings) win over the session's own
    session.verify = str(cloud.state_dir / "ca" / "ca.pem")
    return session


def allow_api(cloud: Any, function: str, api_id: str, source: str = "*/*/*") -> None:
    """The permission learners add: principal apigateway.amazonaws.com, SourceArn of the API's methods."""
    cloud.client("lambda").add_permission(
        FunctionName=function, StatementId=unique("apigw"), Action="lambda:InvokeFunction",
        Principal="apigateway.amazonaws.com",
        SourceArn=f"arn:aws:execute-api:{cloud.cfg.region}:{LOCAL_ACCOUNT}:{api_id}/{source}")


def pool_signing_key(cloud: Any, pool_id: str, kid: str) -> Any:
    """The private key user pool ``pool_id`` signs with under ``kid``, read from the cloud's snapshot: the tests' way
    to mint a token only that pool could have signed (the key never leaves the cloud process otherwise). A running
    cloud writes its snapshot a moment after each change (server.SAVE_QUIET), so this waits for one with the key."""
    store = SnapshotStore(Path(cloud.state_dir) / "snapshot.pkl")

    def attempt() -> Any:
        keys = ((store.read() or {}).get("providers", {}).get("component:cognito") or {}).get("keys", {})
        for pem in keys.get(pool_id, {}).values():
            key = SigningKey.from_pem(pem)
            if key.kid == kid:
                return key.private
        raise NotYet(f"no key {kid} of pool {pool_id} in the snapshot yet")

    return retry_until("the pool's signing key in the snapshot", attempt, deadline=30, backoff=0.1, progress=False)
