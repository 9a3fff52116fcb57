"""One request's passage through API Gateway: its $context variables, its execution log lines, and the answers
API Gateway gives by itself. Shared by the REST (rest.py) and HTTP API (http.py) pipelines.

    Exchange(req, api_id, location)
        .ctx                      $context variables so far (access log formats and gateway response templates)
        .note(line, error=False)  an execution log line ("Execution failed due to configuration error: …")
        .fail(kind, …)            the gateway response of that type, the error recorded in the context
        .finish(answer)           status, length and latency recorded; the headers every answer carries added
"""

from __future__ import annotations

import re
import time
from typing import Any
from urllib.parse import unquote

from . import models
from .events import Incoming
from .responses import GATEWAY_RESPONSES, Answer, gateway_answer

_TOKEN = re.compile(r"[!#$%&'*+.^_`|~0-9A-Za-z-]+")  # an HTTP header name (RFC 9110 token)


def _safe(value: str) -> str:
    """A header value the wire can carry: no CR/LF (no header injection from a function's answer), latin-1."""
    value = value.replace("\r", " ").replace("\n", " ")
    return value.encode("latin-1", "replace").decode("latin-1")


class Exchange:
    def __init__(self, req: Incoming, api_id: str, location: models.ApiLocation) -> None:
        self.req = req
        self.api_id = api_id
        self.location = location
        self.started = time.perf_counter()
        self.custom: dict[str, dict[str, Any]] = {}  # the deployment's gateway responses, once known
        self.lines: list[tuple[bool, str]] = []  # (is an error, text)
        self.stage: dict[str, Any] | None = None
        self.api_name = ""  # a REST API's name, once its deployment is known (its metrics' ApiName)
        self.ctx: dict[str, Any] = {
            "requestId": req.request_id, "extendedRequestId": req.extended_id, "apiId": api_id,
            "accountId": location.account, "domainName": req.host, "domainPrefix": req.host.split(".", 1)[0],
            "httpMethod": req.method, "protocol": req.protocol, "path": unquote(req.raw_path),
            "requestTime": time.strftime("%d/%b/%Y:%H:%M:%S +0000", time.gmtime(req.time)),
            "requestTimeEpoch": int(req.time * 1000), "identity.sourceIp": req.source_ip,
            "identity.userAgent": req.lower_headers.get("user-agent"),
        }

    def note(self, line: str, *, error: bool = False) -> None:
        self.lines.append((error, f"({self.req.request_id}) {line}"))

    def fail(self, kind: str, *, status: int | None = None, message: str | None = None,
             reason: str | None = None) -> Answer:
        """The gateway response ``kind``; ``reason`` goes to the execution log and $context.integrationErrorMessage
        (why API Gateway refused, in its own words where it has them)."""
        if reason:
            self.note(reason, error=True)
            self.ctx.setdefault("integrationErrorMessage", reason)
        answer = gateway_answer(kind, self.ctx, self.custom, status=status, message=message)
        self.ctx["error.responseType"] = kind
        self.ctx["error.message"] = message or GATEWAY_RESPONSES[kind][1]
        return answer

    def finish(self, answer: Answer) -> Answer:
        headers = [(k, _safe(v)) for k, v in answer.headers
                   if _TOKEN.fullmatch(k) and k.lower() not in ("content-length", "connection", "transfer-encoding")]
        headers.append(("Content-Length", str(len(answer.body))))
        if self.location.kind == "HTTP":  # HTTP APIs name the request by one header of their own
            headers.append(("apigw-requestid", self.req.extended_id))
        else:
            headers += [("x-amzn-RequestId", self.req.request_id), ("x-amz-apigw-id", self.req.extended_id)]
        if answer.error_type is not None and self.location.kind == "REST":
            headers.append(("x-amzn-ErrorType", GATEWAY_RESPONSES[answer.error_type][2]))
        answer.headers = headers
        self.ctx["status"] = str(answer.status)
        self.ctx["responseLength"] = str(len(answer.body))
        self.ctx["responseLatency"] = str(int((time.perf_counter() - self.started) * 1000))
        return answer
