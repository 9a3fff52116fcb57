"""AWS errors raised by the local cloud's providers and data planes.

A handler raises ``AwsError(code, message, status)``; one boundary renders it in the protocol of the request
(providers: moto's model-driven serializer; the gateway: ``render_plain_error`` for requests no model claims).
"""

from __future__ import annotations

import json
import uuid
from xml.sax.saxutils import escape


class AwsError(Exception):
    """An error as AWS returns it: ``code`` is the error shape's name, ``status`` its HTTP status."""

    code = "InternalFailure"
    status = 500

    def __init__(self, code: str | None = None, message: str = "", status: int | None = None) -> None:
        super().__init__(message)
        self.code = code or self.code
        self.message = message
        self.status = status or self.status


class NotImplementedByLocalCloud(AwsError):
    """501, not 500: botocore retries a 500 twice with back-off, but fails at once on 501."""

    code = "NotImplemented"
    status = 501


def render_plain_error(error: AwsError, *, json_protocol: bool) -> tuple[int, list[tuple[str, str]], bytes]:
    """(status, headers, body) for an error outside any provider: JSON for JSON protocols, XML otherwise."""
    request_id = str(uuid.uuid4())
    if json_protocol:
        body = json.dumps({"__type": error.code, "message": error.message}).encode()
        content_type = "application/x-amz-json-1.1"
    else:
        body = (
            f"<ErrorResponse><Error><Type>Receiver</Type><Code>{escape(error.code)}</Code>"
            f"<Message>{escape(error.message)}</Message></Error><RequestId>{request_id}</RequestId></ErrorResponse>"
        ).encode()
        content_type = "text/xml"
    headers = [
        ("Content-Type", content_type),
        ("Content-Length", str(len(body))),
        ("x-amzn-RequestId", request_id),
        ("x-amzn-ErrorType", error.code),
    ]
    return error.status, headers, body
