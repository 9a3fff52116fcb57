"""Which account a request belongs to, without creating IAM backends nobody asked for.

    request_account(environ)   the account of a gateway request: the x-moto-account-id header, else the SigV4
                               access key, else (an unsigned call from a browser, Cognito's) the account of what
                               its parameters name; moto's default account when nothing says
    peek_body(environ, limit)  a small request body, read and put back (filters that look before moto does)
    kit_key_secret(key)        the secret of a key the kit hands out ("testing"), None for any other key
    register_unsigned(prefix, account_of)   a service's finder for its unsigned calls (X-Amz-Target prefix →
                               params → account or None): the cognito package registers its pools' and clients'
                               finder, so this package need not know the services above it
Importing this module patches moto.iam.models (when moto imports it): a learner's key AKIALAB0<account>
(labkit.target.local_credentials) acts in that account, so one local cloud serves a class of learners, each in an
account of their own, as moto does for keys made with IAM CreateAccessKey.
"""

from __future__ import annotations

import io
import json
import re
from collections.abc import Callable
from typing import Any

from .importhook import when_imported

DEFAULT_ACCOUNT = "123456789012"  # moto.core.DEFAULT_ACCOUNT_ID, without importing moto here
_LEARNER_KEY = re.compile(r"AKIALAB0(\d{12})")
_KIT_SECRET = "testing"  # the secret of the default key and of every learner's (labkit.target.local_credentials)
_SIGV4_KEY = re.compile(r"Credential=([A-Za-z0-9]+)(?:/|%2F)")  # header, or a presigned URL's X-Amz-Credential
_ACCOUNT_HEADER = "HTTP_X_MOTO_ACCOUNT_ID"
_UNSIGNED: dict[str, Callable[[dict[str, Any]], str | None]] = {}  # X-Amz-Target prefix → account of the params
_UNSIGNED_BODY_LIMIT = 64 * 1024  # an unsigned Cognito call is a small JSON document
# Keys found in an account's IAM backend (a Lambda worker's role session signs every call with one): a key never
# moves to another account, so the search over every account is made once per key.
_FOUND_KEYS: dict[str, str] = {}
_FOUND_KEYS_LIMIT = 100_000


def request_account(environ: dict[str, Any]) -> str:
    """The account a request acts in (see the module docstring); reads (and puts back) the body only of an
    unsigned Cognito call."""
    header = environ.get(_ACCOUNT_HEADER, "")
    if re.fullmatch(r"\d{12}", header):
        return header
    signed = _SIGV4_KEY.search(environ.get("HTTP_AUTHORIZATION", "")) or _SIGV4_KEY.search(
        environ.get("QUERY_STRING", ""))
    if signed:
        return _account_of_access_key(signed.group(1))
    target = environ.get("HTTP_X_AMZ_TARGET", "")
    account_of = next((finder for prefix, finder in _UNSIGNED.items() if target.startswith(prefix)), None)
    if account_of is not None:
        return _unsigned_caller(environ, account_of) or DEFAULT_ACCOUNT
    return DEFAULT_ACCOUNT


def register_unsigned(prefix: str, account_of: Callable[[dict[str, Any]], str | None] | None) -> None:
    """``account_of(params)`` answers for unsigned calls whose X-Amz-Target starts with ``prefix``; None removes."""
    if account_of is None:
        _UNSIGNED.pop(prefix, None)
    else:
        _UNSIGNED[prefix] = account_of


def peek_body(environ: dict[str, Any], limit: int) -> bytes | None:
    """A request's body of at most ``limit`` bytes, put back for whoever reads it next (a provider, moto); None for
    an empty, larger or unreadable one, which is left as it was."""
    try:
        length = int(environ.get("CONTENT_LENGTH") or 0)
    except ValueError:
        return None
    if not 0 < length <= limit:
        return None
    body = environ["wsgi.input"].read(length)
    environ["wsgi.input"] = io.BytesIO(body)
    return body


def _unsigned_caller(environ: dict[str, Any], account_of: Callable[[dict[str, Any]], str | None]) -> str | None:
    """The account an unsigned JSON call names, by its service's finder."""
    body = peek_body(environ, _UNSIGNED_BODY_LIMIT)
    if body is None:
        return None
    try:
        params = json.loads(body)
    except ValueError:
        return None
    if not isinstance(params, dict):
        return None
    return account_of(params)


def kit_key_secret(access_key: str) -> str | None:
    """What a signature by one of the kit's keys was made with: the local cloud can check those signatures only."""
    return _KIT_SECRET if access_key == "testing" or _LEARNER_KEY.fullmatch(access_key) else None


def _account_of_access_key(access_key: str) -> str:
    """moto's get_account_id_from, looking only at IAM backends that exist. moto's own asks every account for every
    partition, which creates an IAM backend per partition (each holding ~1,600 AWS managed policies: ~0.4 s on the
    second request, and a snapshot five times larger). An access key can only live in a backend that exists."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.iam.models import iam_backends

    learner = _LEARNER_KEY.fullmatch(access_key)
    if learner:
        return learner.group(1)
    known = _FOUND_KEYS.get(access_key)
    if known is not None:
        return known
    for account_id, per_account in list(iam_backends.items()):
        for backend in list(dict.values(per_account)):
            if access_key in backend.access_keys:
                if len(_FOUND_KEYS) < _FOUND_KEYS_LIMIT:
                    _FOUND_KEYS[access_key] = account_id
                return account_id
    return DEFAULT_ACCOUNT_ID


def _visit_account(original: Callable[..., None]) -> Callable[..., None]:
    """moto's mark_account_as_visited (an access key's "last used"), skipped while the account's IAM backend for
    that partition does not exist: it holds no access key then, and creating it on every service's first request
    loads ~1,600 managed policies (~0.1 s) that only IAM calls need."""

    def visit(account_id: str, access_key: str, service: str, region: str) -> None:
        from moto.iam.models import iam_backends
        from moto.utilities.utils import get_partition

        per_account = dict.get(iam_backends, account_id)
        if per_account is not None and dict.get(per_account, get_partition(region)) is not None:
            original(account_id, access_key, service, region)

    visit.__kit_iam__ = True  # type: ignore[attr-defined]
    return visit


def _patch_iam(models: Any) -> None:
    models.get_account_id_from = _account_of_access_key
    if not getattr(models.mark_account_as_visited, "__kit_iam__", False):
        models.mark_account_as_visited = _visit_account(models.mark_account_as_visited)


when_imported("moto.iam.models", _patch_iam)
