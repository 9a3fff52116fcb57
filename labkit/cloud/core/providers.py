"""Providers: the local cloud's answers to AWS operations that moto lacks or gets wrong.

A provider subclasses ``Provider``, names its botocore ``service`` and defines one method per operation it
claims, named as the operation in snake_case (``create_cache_policy``). The method takes the parsed input and a
``Context`` and returns the output as a dict, or raises ``AwsError``; the registry parses and serialises with the
service's own protocol. Every operation no provider claims goes to moto unchanged.

    class CachePolicies(Provider):
        service = "cloudfront"

        def get_cache_policy(self, params, ctx):
            return {"CachePolicy": ..., "ETag": ...}
"""

from __future__ import annotations

import logging
import uuid
from dataclasses import dataclass
from typing import Any, Callable

from botocore import xform_name
from werkzeug.wrappers import Request

from ..moto import protocols
from ..moto.accounts import DEFAULT_ACCOUNT
from .errors import AwsError
from .routing import OperationRouter

log = logging.getLogger("labkit.cloud.core.providers")


@dataclass
class Context:
    account: str
    region: str
    operation: str
    request: Request


class Provider:
    service: str = ""
    name: str = ""  # key of this provider's state in the snapshot; defaults to the class name

    def __init__(self, cloud: Any = None) -> None:
        self.cloud = cloud

    def snapshot(self) -> Any:
        """State to keep across restarts (picklable), or None; called with moto.LOCK held."""
        return None

    def restore(self, state: Any) -> None:
        """Take back what snapshot() returned before the restart."""


class ProviderRegistry:
    def __init__(self, providers: list[Provider]) -> None:
        self.providers = providers
        self.router = OperationRouter(sorted({p.service for p in providers}))

    def handler(self, service: str, operation: str) -> Callable[[dict, Context], dict] | None:
        """The first provider of ``service`` with a method for ``operation`` (snake_case), if any."""
        for provider in self.providers:
            if provider.service == service:
                found = getattr(provider, xform_name(operation), None)
                if found is not None:
                    return found
        return None

    def dispatch(self, environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes] | None:
        """Answer the request if a provider claims its operation; None hands it to moto."""
        if not self.providers:
            return None
        match = self.router.match(environ)
        if match is None:
            return None
        handler = self.handler(match.service, match.operation.name)
        if handler is None:
            return None
        request = Request(environ)
        account = environ.get("HTTP_X_MOTO_ACCOUNT_ID") or DEFAULT_ACCOUNT  # the gateway sets it
        ctx = Context(account, match.region, match.operation.name, request)
        try:
            params = protocols.parse_request(match.operation, request, match.uri_params)
            result = handler(params, ctx) or {}
            response = protocols.serialize_result(match.operation, result)
            status = _status_member(match.operation, result) or response["status_code"]
        except AwsError as error:
            response = protocols.serialize_error(match.operation, error)
            status = error.status
        except Exception as exc:  # a provider bug: answer as AWS's InternalFailure, keep the listener alive
            log.exception("provider %s failed on %s", match.service, match.operation.name)
            error = AwsError("InternalFailure", f"the local cloud failed on {match.operation.name}: {exc}", 500)
            response = protocols.serialize_error(match.operation, error)
            status = 500
        return answer(status, response)


def answer(status: int, response: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
    """A serialised result or error (protocols.serialize_*) as the gateway sends it, with a request id."""
    body = response["body"]
    body = body.encode() if isinstance(body, str) else body
    headers = [(k, str(v)) for k, v in response["headers"].items()]
    headers.append(("x-amzn-RequestId", str(uuid.uuid4())))
    headers.append(("Content-Length", str(len(body))))
    return status, headers, body


def _status_member(operation: Any, result: dict[str, Any]) -> int | None:
    """An output member serialised as the HTTP status (Lambda Invoke's StatusCode: 202 for Event, 204 for DryRun);
    the serializer only knows the operation's fixed responseCode."""
    shape = operation.output_shape
    for member, member_shape in (shape.members.items() if shape is not None else ()):
        if member_shape.serialization.get("location") == "statusCode" and result.get(member) is not None:
            return int(result[member])
    return None


def default_providers(cloud: Any = None) -> list[Provider]:
    """The providers the local cloud runs with; each data-plane issue adds its own here."""
    return []
