"""Lambda as moto holds it: the runtime reads a function version to run it, API Gateway reads a function's
resource policy.

    lambda_version(account, region, function, qualifier)   a function version, code bytes included, frozen
    LambdaLookupError                                      moto refused the lookup (code, message, status)
    lambda_policy(account, region, function, qualifier)    a function's resource policy (dict), or None

Importing this module corrects moto's AddPermission (when moto imports it): a StatementId the policy already has is
refused with ResourceConflictException (409), as AWS refuses it, instead of a second statement of the same Sid. A
notebook that catches that error to be re-runnable must not see it pass locally and fail on AWS only.
"""

from __future__ import annotations

import dataclasses
import json as _json
from typing import Any

from ..moto import LOCK
from ..moto.importhook import when_imported


@dataclasses.dataclass(frozen=True)
class LambdaVersion:
    account: str
    region: str
    name: str
    arn: str  # unqualified function ARN
    version: str  # "$LATEST" or a published version number
    runtime: str | None
    handler: str | None
    timeout: int
    memory_size: int
    environment: tuple[tuple[str, str], ...]
    code_sha256: str  # base64, as the API shows CodeSha256
    code: bytes = dataclasses.field(repr=False)  # the deployment package, shared with moto (bytes never change)
    package_type: str = "Zip"
    reserved_concurrency: int | None = None  # put_function_concurrency; None when unset
    role: str = ""  # the execution role's ARN: the worker acts with a session of it


class LambdaLookupError(Exception):
    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def lambda_version(account: str, region: str, function: str, qualifier: str | None = None) -> LambdaVersion:
    """The function version a name, ARN, ``name:qualifier`` or qualifier names ($LATEST, a version, an alias);
    raises LambdaLookupError as moto's Lambda API would (ResourceNotFoundException, 404…)."""
    from moto.awslambda.models import lambda_backends
    from moto.core.exceptions import JsonRESTError

    with LOCK:
        backend = lambda_backends[account][region]
        try:
            fn = backend.get_function(function, qualifier)
            latest = backend.get_function(fn.function_name)  # reserved concurrency is kept on $LATEST only
        except JsonRESTError as exc:
            raise LambdaLookupError(exc.error_type, exc.message, exc.code) from None
        reserved = getattr(latest, "reserved_concurrency", None)
        return LambdaVersion(
            account=account,
            region=region,
            name=fn.function_name,
            arn=fn.function_arn.split(f":function:{fn.function_name}")[0] + f":function:{fn.function_name}",
            version=str(fn.version),
            runtime=fn.run_time,
            handler=fn.handler,
            timeout=int(fn.timeout),
            memory_size=int(fn.memory_size),
            environment=tuple(sorted((str(k), str(v)) for k, v in (fn.environment_vars or {}).items())),
            code_sha256=fn.code_sha_256,
            code=getattr(fn, "code_bytes", b"") or b"",
            package_type=fn.package_type,
            reserved_concurrency=None if reserved is None else int(reserved),
            role=str(fn.role or ""),
        )


def lambda_policy(account: str, region: str, function: str, qualifier: str | None = None) -> dict[str, Any] | None:
    """The function's resource-based policy (GetPolicy's document), or None when it has no statement or the
    function does not exist."""
    from moto.awslambda.models import lambda_backends
    from moto.core.exceptions import JsonRESTError

    with LOCK:
        try:
            text = lambda_backends[account][region].get_policy(function, qualifier)
        except (JsonRESTError, KeyError, ValueError):
            return None
    try:
        policy = _json.loads(text)  # GetPolicy's answer: {"Policy": "<the document as a string>", "RevisionId"}
        if isinstance(policy, dict) and isinstance(policy.get("Policy"), str):
            policy = _json.loads(policy["Policy"])
    except (TypeError, ValueError):
        return None
    return policy if isinstance(policy, dict) and policy.get("Statement") else None


def _patch_policy(policy_module: Any) -> None:
    original = policy_module.Policy.add_statement
    if getattr(original, "__kit_sid__", False):
        return
    from moto.awslambda.exceptions import LambdaClientError

    class StatementIdInUse(LambdaClientError):
        code = 409

    def add_statement(self: Any, raw: str, qualifier: str | None = None) -> Any:
        sid = _json.loads(raw).get("StatementId") if raw else None  # the AddPermission request's own body
        if sid and any(statement.get("Sid") == sid for statement in self.statements):
            # AWS's answer to AddPermission with a StatementId in use
            raise StatementIdInUse("ResourceConflictException", f"The statement id ({sid}) provided already "
                                   "exists. Please provide a new statement id, or remove the existing statement.")
        return original(self, raw, qualifier)

    add_statement.__kit_sid__ = True  # type: ignore[attr-defined]
    policy_module.Policy.add_statement = add_statement


when_imported("moto.awslambda.policy", _patch_policy)
