"""S3 refuses anonymous access unless the bucket makes it public, as AWS does (moto serves anyone).

An unsigned request that moto would hand to S3 (no Authorization header, no presigned query, no X-Amz-Target) is
checked against the bucket's policy, its Block Public Access settings and public ACLs; if nothing grants the
anonymous principal the action, the answer is S3's 403 AccessDenied.

CORS is the bucket's own (cors.py): a preflight (OPTIONS) to a bucket is answered from its CORS configuration
alone, and every S3 answer carries the CORS headers of the rule matching its Origin, or none; the blanket headers
the gateway and moto's server give every other service's answers (Cognito's browser calls need them) are removed.

A signed PutBucketPolicy whose policy is public (policy.is_public) is refused with AccessDenied while the bucket's
BlockPublicPolicy is on, as S3 refuses it ("… because public policies are blocked by the BlockPublicPolicy block
public access setting"); moto stores it, and the bucket would look public in a listing of policies.

A presigned URL is checked for expiry and signature (presigned.py); moto serves any.
"""

from __future__ import annotations

import re
from typing import Any
from urllib.parse import parse_qs, unquote

from ..core.component import Component
from ..moto.accounts import peek_body
from . import models
from . import cors
from ..iam import policy as iampolicy
from .errors import s3_error
from .presigned import presigned_refusal

_NOT_S3_PREFIXES = ("/_lab", "/moto-api", "/favicon.ico")


def _bucket_and_key(environ: dict[str, Any]) -> tuple[str | None, str | None]:
    host = environ.get("HTTP_HOST", "").split(":")[0].lower()
    path = unquote(environ.get("PATH_INFO", "/"))
    if ".s3." in host or host.endswith(".s3.amazonaws.com"):  # virtual-hosted style
        bucket = host.split(".s3.", 1)[0]
        key = path.lstrip("/") or None
        return bucket, key
    parts = path.lstrip("/").split("/", 1)
    if not parts[0]:
        return None, None
    return parts[0], (parts[1] if len(parts) > 1 and parts[1] else None)


_S3_REQUEST, _PREFLIGHT = "labkit.s3.request", "labkit.s3.preflight"  # environ keys: decided once per request


def _is_cors(name: str, value: str) -> bool:
    return name.lower().startswith("access-control-") or (name.lower() == "vary" and "Origin" in value)


def _s3_request(environ: dict[str, Any]) -> tuple[str, list[cors.Rule] | None] | None:
    """(bucket, its CORS rules) of an S3 request to an existing bucket, or None for a request of another service
    or to no bucket; decided once per request."""
    if _S3_REQUEST not in environ:
        environ[_S3_REQUEST] = _find_s3_request(environ)
    return environ[_S3_REQUEST]


def _find_s3_request(environ: dict[str, Any]) -> tuple[str, list[cors.Rule] | None] | None:
    authorization = environ.get("HTTP_AUTHORIZATION", "")
    if authorization.startswith("AWS4-HMAC-SHA256") and not _S3_SIGNED.search(authorization):
        return None  # signed for another service
    query = environ.get("QUERY_STRING", "")
    if environ.get("HTTP_X_AMZ_TARGET") or "Action=" in query or (
            "X-Amz-Credential=" in query and not _S3_QUERY_SCOPE.search(query)):
        return None
    path = environ.get("PATH_INFO", "/")
    if path.startswith(_NOT_S3_PREFIXES) or "/.well-known/" in path:
        return None
    bucket, _ = _bucket_and_key(environ)
    if not bucket:
        return None
    exists, rules = models.s3_bucket_cors(bucket)
    return (bucket, rules) if exists else None


def _action(method: str, key: str | None) -> str:
    if key is None:
        return {"GET": "s3:ListBucket", "HEAD": "s3:ListBucket"}.get(method, "s3:PutBucketPolicy")
    return {"GET": "s3:GetObject", "HEAD": "s3:GetObject", "DELETE": "s3:DeleteObject"}.get(method, "s3:PutObject")


def anonymous_allowed(access: models.BucketAccess, bucket: str, key: str | None, action: str) -> bool:
    resource = f"arn:aws:s3:::{bucket}/{key}" if key else f"arn:aws:s3:::{bucket}"
    verdict = iampolicy.decide(access.policy, iampolicy.RequestContext(iampolicy.Principal("anonymous"), action, resource))
    if verdict == "Deny":
        return False
    if verdict == "Allow" and not access.block_public.get("restrictPublicBuckets"):
        return True
    if access.block_public.get("ignorePublicAcls"):
        return False
    if action == "s3:GetObject":
        return access.object_acl_public_read
    return action == "s3:ListBucket" and access.bucket_acl_public_read


_S3_SIGNED = re.compile(r"Credential=[^/]+/\d{8}/[a-z0-9-]+/s3/")
_S3_QUERY_SCOPE = re.compile(r"X-Amz-Credential=[^&/%]+(?:/|%2F)\d{8}(?:/|%2F)[a-z0-9-]+(?:/|%2F)s3(?:/|%2F)")
_POLICY_LIMIT = 20 * 1024  # S3's bucket policy size limit


def access_denied(message: str = "Access Denied") -> tuple[int, list[tuple[str, str]], bytes]:
    return s3_error(403, "AccessDenied", message)


class S3AnonymousAccess(Component):
    name = "s3-access"

    def filters(self) -> list[Any]:
        return [self.preflight, self.check, self.check_presigned, self.check_public_policy]

    def answer_hooks(self) -> list[Any]:
        return [self.cors_headers]

    def resource_policies(self) -> dict[str, Any]:
        def bucket(arn: str) -> tuple[str, str | None] | None:
            access = models.s3_bucket_access(arn.removeprefix("arn:aws:s3:::").split("/", 1)[0])
            return None if access is None else (access.owner_account, access.policy)

        return {"s3": bucket}

    # -- CORS, from the bucket's configuration (cors.py) ----------------------------------------------------------
    def preflight(self, environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes] | None:
        method = environ.get("HTTP_ACCESS_CONTROL_REQUEST_METHOD")
        if environ.get("REQUEST_METHOD") != "OPTIONS" or not method or not environ.get("HTTP_ORIGIN"):
            return None
        request = _s3_request(environ)
        if request is None:
            return None
        status, headers, body = cors.preflight(request[1], environ["HTTP_ORIGIN"], method, cors.requested_headers(
            environ.get("HTTP_ACCESS_CONTROL_REQUEST_HEADERS", "")))
        environ[_PREFLIGHT] = [(k, v) for k, v in headers if _is_cors(k, v)]  # cors_headers puts them back last
        return status, [(k, v) for k, v in headers if not _is_cors(k, v)], body

    def cors_headers(self, environ: dict[str, Any], status: int,
                     headers: list[tuple[str, str]]) -> list[tuple[str, str]]:
        """An S3 answer carries the CORS headers of the bucket's matching rule, and no others (moto's server adds
        its blanket ones to everything)."""
        request = _s3_request(environ)
        if request is None:
            return headers
        kept = [(k, v) for k, v in headers if not _is_cors(k, v)]
        if _PREFLIGHT in environ:
            return kept + environ[_PREFLIGHT]
        origin = environ.get("HTTP_ORIGIN")
        if not origin:
            return kept
        return kept + cors.actual_headers(request[1], origin, environ.get("REQUEST_METHOD", "GET"))

    def check_presigned(self, environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes] | None:
        """A presigned URL of an existing bucket is checked as S3 checks it (presigned.py)."""
        query = environ.get("QUERY_STRING", "")
        if environ.get("HTTP_AUTHORIZATION") or "Signature=" not in query:  # also matches X-Amz-Signature=
            return None
        request = _s3_request(environ)  # None: another service's presigned call, or no such bucket (moto says so)
        return presigned_refusal(environ, request[0]) if request is not None else None

    def check_public_policy(self, environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes] | None:
        if environ.get("REQUEST_METHOD") != "PUT" or "policy" not in parse_qs(
                environ.get("QUERY_STRING", ""), keep_blank_values=True):
            return None
        if not _S3_SIGNED.search(environ.get("HTTP_AUTHORIZATION", "")):
            return None
        bucket, key = _bucket_and_key(environ)
        access = models.s3_bucket_access(bucket) if bucket and key is None else None
        if access is None or not access.block_public.get("blockPublicPolicy"):
            return None
        body = peek_body(environ, _POLICY_LIMIT)
        if body is None:
            return None  # moto answers what is wrong with it
        try:
            public = iampolicy.is_public(body.decode())
        except (ValueError, UnicodeDecodeError, AttributeError):
            return None  # moto answers MalformedPolicy
        if not public:
            return None
        account = environ.get("HTTP_X_MOTO_ACCOUNT_ID", "")
        return access_denied(f"User: arn:aws:iam::{account}:root is not authorized to perform: s3:PutBucketPolicy "
                             f'on resource: "arn:aws:s3:::{bucket}" because public policies are blocked by the '
                             "BlockPublicPolicy block public access setting.")

    def check(self, environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes] | None:
        method = environ.get("REQUEST_METHOD", "GET")
        if method == "OPTIONS" or environ.get("HTTP_AUTHORIZATION") or environ.get("HTTP_X_AMZ_TARGET"):
            return None
        query = parse_qs(environ.get("QUERY_STRING", ""))
        if {"X-Amz-Signature", "Signature", "X-Amz-Credential", "Action"} & set(query):
            return None  # presigned (checked by moto) or a query-protocol call of another service
        path = environ.get("PATH_INFO", "/")
        if path.startswith(_NOT_S3_PREFIXES) or "/.well-known/" in path:
            return None
        bucket, key = _bucket_and_key(environ)
        if not bucket:
            return None
        access = models.s3_bucket_access(bucket, key)
        if access is None:
            return None  # no such bucket: moto answers NoSuchBucket, as S3 does
        if anonymous_allowed(access, bucket, key, _action(method, key)):
            return None
        return access_denied()
