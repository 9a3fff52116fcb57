"""S3's error answers, as its REST API writes them: an XML Error document with a request id.

    s3_error(status, code, message, **fields)   (status, headers, body); ``fields`` become elements after Message
                                                 (S3 adds such details: Expires, StringToSign, Method…)
"""

from __future__ import annotations

import uuid
from xml.sax.saxutils import escape


def s3_error(status: int, code: str, message: str, **fields: str) -> tuple[int, list[tuple[str, str]], bytes]:
    request_id = uuid.uuid4().hex[:16].upper()
    extra = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in fields.items())
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{escape(message)}</Message>'
            f"{extra}<RequestId>{request_id}</RequestId><HostId>{uuid.uuid4().hex}</HostId></Error>").encode()
    return status, [("Content-Type", "application/xml"), ("Content-Length", str(len(body))),
                    ("x-amz-request-id", request_id), ("Server", "AmazonS3")], body
