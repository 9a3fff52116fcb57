"""Role sessions are held to their role's policies: a request signed with a role's temporary credentials (a Lambda
function's, or AssumeRole's) is allowed or refused as AWS would, before moto or a provider sees it.

Requests signed with the learner's own key (the notebooks', the validators') are not checked, as before: the
learner is the account's administrator. So are requests of services outside actions.CHECKED.

A refusal is the service's own error (SERVICE_ERRORS) with AWS's message: "User: arn:aws:sts::<account>:
assumed-role/<role>/<session> is not authorized to perform: <action> on resource: <arn> because no identity-based
policy allows the <action> action".
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs

from ..core.component import Component, ResourcePolicyFinder
from ..core.errors import AwsError
from ..core.providers import answer
from ..moto import protocols
from . import actions, evaluation, models

_ROLE_KEY = re.compile(r"Credential=(ASIA[A-Z0-9]{12,})(?:/|%2F)")  # header, or a presigned URL's X-Amz-Credential
# How each service answers a request its caller may not make (code, HTTP status).
SERVICE_ERRORS = {
    "dynamodb": ("AccessDeniedException", 400), "logs": ("AccessDeniedException", 400),
    "cognito-idp": ("AccessDeniedException", 400), "lambda": ("AccessDeniedException", 403),
    "apigateway": ("AccessDeniedException", 403), "sns": ("AuthorizationError", 403),
    "sqs": ("AccessDenied", 403), "s3": ("AccessDenied", 403), "sts": ("AccessDenied", 403),
    "iam": ("AccessDenied", 403),
}
# A session token that is missing or not the session's (the STS/IAM answer for an invalid token).
BAD_TOKEN = {"json": ("UnrecognizedClientException", 400), "query": ("InvalidClientTokenId", 403),
             "rest-json": ("UnrecognizedClientException", 403), "rest-xml": ("InvalidToken", 400)}
BAD_TOKEN_MESSAGE = "The security token included in the request is invalid."
_SHOWN_PREFIX = {"sns": "SNS"}  # SNS writes its actions' prefix in capitals in its messages ("SNS:Publish")


class RolePermissions(Component):
    name = "iam"

    def __init__(self, cloud: Any) -> None:
        super().__init__(cloud)
        self._finders: dict[str, ResourcePolicyFinder] | None = None

    def filters(self) -> list[Any]:
        return [self.authorize]

    def authorize(self, environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes] | None:
        found = _ROLE_KEY.search(environ.get("HTTP_AUTHORIZATION", "")) or _ROLE_KEY.search(
            environ.get("QUERY_STRING", ""))
        if found is None:
            return None  # the cheap path: not a temporary key
        session = models.session_of(environ["HTTP_X_MOTO_ACCOUNT_ID"], found.group(1))
        if session is None:
            return None  # GetSessionToken's keys act as their owner
        requested = actions.requested(environ, session.account)
        if requested is None:
            return None
        protocol = requested.operation.metadata.get("protocol", "")
        if _session_token(environ) != session.session_token:
            code, status = BAD_TOKEN.get(protocol, ("InvalidClientTokenId", 403))
            return _answer(requested, AwsError(code, BAD_TOKEN_MESSAGE, status))
        policies = models.role_policies(session)
        for ask in requested.asks:
            reason = evaluation.denial(session, policies, ask, requested.region, self._resource_policy(ask))
            if reason is not None:
                code, status = SERVICE_ERRORS.get(requested.service, ("AccessDenied", 403))
                return _answer(requested, AwsError(code, _message(session, requested.service, ask, reason), status))
        return None

    def _resource_policy(self, ask: actions.Ask) -> tuple[str, str | None] | None:
        if self._finders is None:
            self._finders = {}
            for component in self.cloud.components:
                self._finders.update(component.resource_policies())
        finder = self._finders.get(ask.action.split(":", 1)[0])
        return finder(ask.resource) if finder is not None and ask.resource.startswith("arn:") else None


def _session_token(environ: dict[str, Any]) -> str | None:
    token = environ.get("HTTP_X_AMZ_SECURITY_TOKEN")
    if token is None:
        token = parse_qs(environ.get("QUERY_STRING", "")).get("X-Amz-Security-Token", [None])[0]
    return token


def _message(session: models.RoleSession, service: str, ask: actions.Ask, reason: str) -> str:
    prefix, _, name = ask.action.partition(":")
    shown = f"{_SHOWN_PREFIX.get(service, prefix)}:{name}"
    reason = reason.replace(ask.action, shown)
    where = f" on resource: {ask.resource}" if ask.resource != "*" else ""
    return f"User: {session.arn} is not authorized to perform: {shown}{where} {reason}"


def _answer(requested: actions.Requested, error: AwsError) -> tuple[int, list[tuple[str, str]], bytes]:
    return answer(error.status, protocols.serialize_error(requested.operation, error))
