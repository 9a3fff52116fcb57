"""Invalidation paths: which are valid, and which cached responses they remove.

    check_paths(paths)     AwsError for a batch CloudFront rejects
    matcher(paths)         fn(path, query) -> bool over cache keys

Rules (aws-facts CloudFront, invalidations): a path starts with ``/``; ``*`` may appear only as the last character
and matches zero or more characters; ``/*`` is everything; matching is case-sensitive. A path may carry a query
string (``/page?lang=en``); without ``*`` it names exactly that variant, so ``/page`` leaves ``/page?lang=en``
cached ("To invalidate … with different query strings, use *": developer guide, invalidating files). Paths may be
URL-encoded; they are compared decoded, as the cache keys are. CloudFront takes at most 3,000 paths per batch.
"""

from __future__ import annotations

from collections.abc import Callable
from urllib.parse import unquote

from ..core.errors import AwsError

MAX_PATHS = 3000  # "BatchTooLarge": invalidation batch limit (CloudFront quotas)


def check_paths(paths: list[str], quantity: int | None) -> None:
    if quantity is not None and quantity != len(paths):
        raise AwsError("InconsistentQuantities", "The value of Quantity and the size of Items don't match.", 400)
    if not paths:
        raise AwsError("InvalidArgument", "Your request contains no invalidation paths.", 400)
    if len(paths) > MAX_PATHS:
        raise AwsError("BatchTooLarge", "Invalidation batch specified is too large.", 413)
    for path in paths:
        if not path.startswith("/") or "*" in path[:-1]:
            raise AwsError("InvalidArgument", f"Your request contains one or more invalid invalidation paths: "
                           f"{path!r} (a path starts with / and may use * only as its last character).", 400)


def matcher(paths: list[str] | tuple[str, ...]) -> Callable[[str, str], bool]:
    exact: set[str] = set()
    prefixes: list[str] = []
    for path in paths:
        decoded = unquote(path)
        if decoded.endswith("*"):
            prefixes.append(decoded[:-1])
        else:
            exact.add(decoded)

    def matches(path: str, query: str) -> bool:
        target = f"{path}?{query}" if query else path
        return target in exact or any(target.startswith(p) for p in prefixes)

    return matches
