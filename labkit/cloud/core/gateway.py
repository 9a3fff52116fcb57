"""The AWS API endpoint of the local cloud (http://127.0.0.1:4566): one WSGI application.

    /_lab/…              the kit's own pages and APIs (health, the home page and check board, the mailbox)
    GET / from a browser redirected to /_lab/ (an AWS call to / carries a signature or an API's headers)
    the account          every AWS call acts in one (moto/accounts.py: the header, the access key, or for a
                         browser's unsigned Cognito call the pool it names), set as x-moto-account-id
    filters              checks on every other request (e.g. S3's refusal of anonymous access), first
    answer hooks         last, on every answer's headers (S3's CORS from the bucket's configuration)
    claimed operations   answered by a provider (a service's provider.py), e.g. what moto lacks
    everything else      moto, in-process, one request at a time under LOCK

moto raises NotImplementedError for operations it lacks; the gateway answers those 501 (not 500, which botocore
would retry twice with back-off) with a message naming the operation.
"""

from __future__ import annotations

import json
import logging
import re
from collections.abc import Callable, Iterable
from typing import Any

from werkzeug.wrappers import Request, Response

from ..moto import LOCK, PINNED_MOTO, accounts, dispatch
from .errors import AwsError, NotImplementedByLocalCloud, render_plain_error
from .health import Health
from .providers import ProviderRegistry

log = logging.getLogger("labkit.cloud.core.gateway")
LabRoute = Callable[[Request], Response]
RequestFilter = Callable[[dict[str, Any]], "tuple[int, list[tuple[str, str]], bytes] | None"]
AnswerHook = Callable[[dict[str, Any], int, "list[tuple[str, str]]"], "list[tuple[str, str]]"]
_READ_METHODS = {"GET", "HEAD", "OPTIONS"}


class Gateway:
    def __init__(
        self,
        providers: ProviderRegistry,
        health: Health,
        on_change: Callable[[], None] = lambda: None,
    ) -> None:
        self.moto = dispatch.wsgi_app()
        self.providers = providers
        self.health = health
        self.on_change = on_change
        self.lab_routes: dict[str, LabRoute] = {"/_lab/health": self._health}
        self.filters: list[RequestFilter] = []
        self.answer_hooks: list[AnswerHook] = []

    def route(self, path: str, handler: LabRoute) -> None:
        """Serve ``handler`` at ``/_lab/<path>`` and below it."""
        self.lab_routes["/_lab/" + path.strip("/")] = handler

    def __call__(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        path = environ.get("PATH_INFO", "")
        if path == "/_lab" or (path == "/" and _browser_visit(environ)):
            start_response("302 Found", [("Location", "/_lab/"), ("Content-Length", "0")])
            return [b""]
        if path.startswith("/_lab/"):
            return self._lab(environ, start_response, path)
        # One account per request, decided once: providers and moto (which honours this header) then agree.
        environ["HTTP_X_MOTO_ACCOUNT_ID"] = accounts.request_account(environ)
        answered = None
        for check in self.filters:
            answered = check(environ)
            if answered is not None:
                break
        else:
            answered = self.providers.dispatch(environ)
        if answered is not None:
            status, headers, body = answered
            if environ.get("REQUEST_METHOD") not in _READ_METHODS:
                self.on_change()
            start_response(f"{status} {_reason(status)}", self._finish(environ, status, headers + _cors(environ)))
            return [body]
        return self._moto(environ, start_response)

    def _finish(self, environ: dict[str, Any], status: int, headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
        for hook in self.answer_hooks:
            headers = hook(environ, status, headers)
        return headers

    def _lab(self, environ: dict[str, Any], start_response: Callable, path: str) -> Iterable[bytes]:
        for prefix in sorted(self.lab_routes, key=len, reverse=True):
            if path == prefix or path.startswith(prefix + "/"):
                return self.lab_routes[prefix](Request(environ))(environ, start_response)
        known = ", ".join(sorted(self.lab_routes))
        return Response(json.dumps({"message": f"no such page; try {known}"}), 404, mimetype="application/json")(
            environ, start_response
        )

    def _health(self, request: Request) -> Response:
        return Response(json.dumps(self.health.document(), indent=2), mimetype="application/json")

    def _moto(self, environ: dict[str, Any], start_response: Callable) -> Iterable[bytes]:
        captured: dict[str, Any] = {}

        def capture(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
            captured["status"], captured["headers"] = status, headers
            return lambda data: None

        try:
            with LOCK:
                result = self.moto(environ, capture)
                try:
                    body = b"".join(result)  # materialise under the lock: moto may build the body lazily
                finally:
                    getattr(result, "close", lambda: None)()
        except NotImplementedError as exc:
            error = NotImplementedByLocalCloud(message=_not_implemented_message(exc))
            return self._plain_error(environ, start_response, error)
        except Exception as exc:  # keep the listener alive and say what happened
            log.exception("moto failed on %s %s", environ.get("REQUEST_METHOD"), environ.get("PATH_INFO"))
            return self._plain_error(environ, start_response, AwsError("InternalFailure", f"moto failed: {exc}", 500))
        if environ.get("REQUEST_METHOD") not in _READ_METHODS:
            self.on_change()
        status = captured["status"]
        start_response(status, self._finish(environ, int(status.split(" ", 1)[0]), list(captured["headers"])))
        return [body]

    @staticmethod
    def _plain_error(environ: dict[str, Any], start_response: Callable, error: AwsError) -> Iterable[bytes]:
        json_protocol = bool(environ.get("HTTP_X_AMZ_TARGET")) or "json" in environ.get("CONTENT_TYPE", "")
        status, headers, body = render_plain_error(error, json_protocol=json_protocol)
        start_response(f"{status} {_reason(status)}", headers)
        return [body]


def _browser_visit(environ: dict[str, Any]) -> bool:
    """A person opening the gateway's address: a GET asking for HTML with neither a signature (boto3's ListBuckets
    is a signed GET /) nor an AWS protocol's marks (X-Amz-Target, a query-protocol Action, a presigned URL), and
    not to a virtual-hosted bucket (<bucket>.s3.… : / is that bucket's listing)."""
    query = environ.get("QUERY_STRING", "")
    return (environ.get("REQUEST_METHOD") == "GET" and "text/html" in environ.get("HTTP_ACCEPT", "")
            and ".s3." not in environ.get("HTTP_HOST", "")
            and not environ.get("HTTP_AUTHORIZATION") and not environ.get("HTTP_X_AMZ_TARGET")
            and not any(mark in query for mark in ("Action=", "X-Amz-", "Signature=")))


def _cors(environ: dict[str, Any]) -> list[tuple[str, str]]:
    """The headers moto's flask-cors puts on its own answers, for the answers that bypass moto: without them a
    browser (the contact page calling Cognito) cannot read a provider's answer."""
    origin = environ.get("HTTP_ORIGIN")
    return [("Access-Control-Allow-Origin", origin), ("Vary", "Origin")] if origin else [
        ("Access-Control-Allow-Origin", "*")]


def _not_implemented_message(exc: NotImplementedError) -> str:
    found = re.search(r"The (\w+) action has not been implemented", str(exc))
    what = found.group(1) if found else (str(exc) or "this operation")
    return (
        f"the local cloud does not implement {what} (moto {PINNED_MOTO} lacks it); "
        "docs/local-cloud.md#what-is-emulated-and-how-faithfully lists what is covered"
    )


def _reason(status: int) -> str:
    from http import HTTPStatus

    try:
        return HTTPStatus(status).phrase
    except ValueError:
        return "Unknown"
