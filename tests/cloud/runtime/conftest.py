"""Fixtures for the Lambda runtime tests: the handler package, an execution role, and a factory of uniquely named
functions in the session cloud (so tests never share a function's warm workers)."""

from __future__ import annotations

import io
import json
import uuid
import zipfile
from pathlib import Path
from typing import Any, Callable

import pytest
import requests

HANDLERS = Path(__file__).with_name("handlers")


def package(files: dict[str, str] | None = None) -> bytes:
    """A deployment package: the handlers directory, or the given {name: source}."""
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        if files is None:
            for path in sorted(HANDLERS.glob("*.py")):
                archive.write(path, path.name)
        else:
            for name, source in files.items():
                archive.writestr(name, source)
    return buffer.getvalue()


@pytest.fixture(scope="session")
def lam(cloud: Any) -> Any:
    return cloud.client("lambda")


@pytest.fixture(scope="session")
def role(cloud: Any) -> str:
    trust = {"Version": "2012-10-17", "Statement": [
        {"Effect": "Allow", "Action": "sts:AssumeRole", "Principal": {"Service": "lambda.amazonaws.com"}}]}
    iam = cloud.client("iam")
    arn = iam.create_role(RoleName="runtime-tests", AssumeRolePolicyDocument=json.dumps(trust))["Role"]["Arn"]
    # The handlers that call AWS (app.put_item) act with this role, which IAM holds them to (test_execution_role).
    iam.put_role_policy(RoleName="runtime-tests", PolicyName="tables", PolicyDocument=json.dumps({
        "Version": "2012-10-17", "Statement": [
            {"Effect": "Allow", "Action": "dynamodb:PutItem", "Resource": "arn:aws:dynamodb:*:*:table/rt-items-*"}]}))
    return arn


@pytest.fixture
def make_function(lam: Any, role: str) -> Callable[..., str]:
    """``make_function("app.echo", Timeout=1, …)`` creates a function and returns its name."""

    def make(handler: str, *, code: bytes | None = None, runtime: str = "python3.12", **config: Any) -> str:
        name = f"rt-{handler.split('.')[-1].replace('_', '-')}-{uuid.uuid4().hex[:8]}"
        lam.create_function(FunctionName=name, Runtime=runtime, Role=role, Handler=handler,
                            Code={"ZipFile": code if code is not None else package()}, **config)
        return name

    return make


def lambda_health(cloud: Any) -> dict[str, Any]:
    return requests.get(f"{cloud.cfg.gateway_url}/_lab/health", timeout=5).json()["components"]["lambda"]
