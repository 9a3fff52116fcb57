"""Range GETs: a viewer's ``Range: bytes=…`` answered from the cached object, on a miss and on a hit alike.

    byte_range(header, size)            the (first, last) a single-range header asks of ``size`` bytes; None for a
                                        header to ignore (not bytes, several ranges, malformed); UNSATISFIABLE
    partial(environ, status, headers, body)
                                        the viewer's answer: 206 with Content-Range, 416 (S3's InvalidRange, with
                                        ``Content-Range: bytes */size``), or the full answer unchanged

"If the cache in that edge location already contains the entire object or the requested part of the object,
CloudFront immediately serves the requested range from the cache" (CloudFront developer guide, "How CloudFront
processes partial requests for an object (range GETs)"): the local edge always caches whole objects, so it cuts the
range from the entry. The rules are RFC 9110 §14: a range applies to GET of a 200 only; a header it cannot parse is
ignored (200, whole object); If-Range that no longer matches the object's ETag or Last-Modified gets the whole
object; a first byte past the end is 416. Several ranges in one header (multipart/byteranges) are answered with the
whole object, as §14.2 allows a server to do.
"""

from __future__ import annotations

import re
from typing import Any

from .origin import s3_error

UNSATISFIABLE = "unsatisfiable"
_SPEC = re.compile(r"\s*bytes\s*=\s*(\d*)\s*-\s*(\d*)\s*", re.IGNORECASE)


def byte_range(header: str, size: int) -> tuple[int, int] | str | None:
    found = _SPEC.fullmatch(header or "")
    if found is None:  # another unit, several ranges, or not a range at all
        return None
    first, last = found.groups()
    if not first and not last:
        return None
    if not first:  # bytes=-N: the last N bytes
        suffix = int(last)
        if suffix == 0 or size == 0:
            return UNSATISFIABLE
        return max(0, size - suffix), size - 1
    start = int(first)
    end = int(last) if last else size - 1
    if last and end < start:  # "bytes=9-3" is invalid syntax: ignored (§14.1.1)
        return None
    if start >= size:
        return UNSATISFIABLE
    return start, min(end, size - 1)


def _if_range_holds(environ: dict[str, Any], headers: dict[str, str]) -> bool:
    """RFC 9110 §13.1.5: If-Range holds when it is the object's (strong) ETag or its exact Last-Modified date."""
    condition = (environ.get("HTTP_IF_RANGE") or "").strip()
    if not condition:
        return True
    if condition.startswith(('"', "W/")):
        return not condition.startswith("W/") and condition == headers.get("etag", "")
    return condition == headers.get("last-modified", "")


def partial(environ: dict[str, Any], status: int, headers: list[tuple[str, str]],
            body: bytes) -> tuple[int, list[tuple[str, str]], bytes]:
    header = environ.get("HTTP_RANGE")
    if not header or status != 200 or environ.get("REQUEST_METHOD") != "GET":
        return status, headers, body
    wanted = byte_range(header, len(body))
    if wanted is None or not _if_range_holds(environ, {k.lower(): v for k, v in headers}):
        return status, headers, body
    if wanted == UNSATISFIABLE:
        error = s3_error(416, "InvalidRange", "The requested range is not satisfiable",
                         RangeRequested=header.strip(), ActualObjectSize=str(len(body)))
        kept = [(k, v) for k, v in error.headers if k.lower() != "date"]
        return 416, [*kept, ("Content-Range", f"bytes */{len(body)}")], error.body
    first, last = wanted
    return 206, [*headers, ("Content-Range", f"bytes {first}-{last}/{len(body)}")], body[first:last + 1]
