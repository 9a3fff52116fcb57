"""The S3 origin as CloudFront reaches it: who is asking (Origin Access Control, a legacy OAI, or nobody) decides
what S3 answers, by the bucket's policy.

    OriginResponse                       status, headers (S3's, as S3 sends them), body
    fetch(origin, dist_arn, key, …)      GET (or a conditional GET with If-None-Match) of one object

With OAC, CloudFront signs as the service principal ``cloudfront.amazonaws.com`` with ``AWS:SourceArn`` = the
distribution's ARN; the bucket stays private and its policy must allow exactly that (aws-facts CloudFront, "S3
origin with Origin Access Control"). Without an allowing statement S3 answers 403 AccessDenied, as on AWS. For a
key that does not exist S3 answers 404 NoSuchKey only to a caller that may s3:ListBucket, 403 otherwise (S3 user
guide, "GetObject": "If you don't have the s3:ListBucket permission, Amazon S3 returns … 403"); the usual OAC policy
grants s3:GetObject only, hence the SPA pattern 403 → /index.html (aws-facts, custom error responses).
Without OAC or OAI the request is anonymous: public buckets only (labkit.cloud.s3.component.anonymous_allowed).
"""

from __future__ import annotations

import dataclasses
import secrets
import uuid
from email.utils import formatdate
from xml.sax.saxutils import escape

from ..s3 import component as s3access
from ..s3 import models as s3_models
from ..iam import policy as iampolicy
from .plan import OriginSpec

_OAI_PREFIX = "origin-access-identity/cloudfront/"


@dataclasses.dataclass(frozen=True)
class OriginResponse:
    status: int
    headers: tuple[tuple[str, str], ...]
    body: bytes = b""
    etag: str | None = None

    def header(self, name: str) -> str | None:
        wanted = name.lower()
        return next((v for k, v in self.headers if k.lower() == wanted), None)


def _request_ids() -> list[tuple[str, str]]:
    return [("x-amz-request-id", secrets.token_hex(8).upper()), ("x-amz-id-2", secrets.token_urlsafe(48))]


def s3_error(status: int, code: str, message: str, **extra: str) -> OriginResponse:
    request_id = uuid.uuid4().hex[:16].upper()
    fields = "".join(f"<{name}>{escape(value)}</{name}>" for name, value in extra.items())
    body = (f'<?xml version="1.0" encoding="UTF-8"?>\n<Error><Code>{code}</Code><Message>{message}</Message>'
            f"{fields}<RequestId>{request_id}</RequestId><HostId>{secrets.token_urlsafe(48)}</HostId></Error>")
    headers = (("Content-Type", "application/xml"), ("Date", formatdate(usegmt=True)), ("Server", "AmazonS3"),
               ("x-amz-request-id", request_id))
    return OriginResponse(status, headers, body.encode())


def _access_denied() -> OriginResponse:
    status, headers, body = s3access.access_denied()
    kept = tuple((k, v) for k, v in headers if k.lower() != "content-length")
    return OriginResponse(status, kept + (("Date", formatdate(usegmt=True)),), body)


def _allowed(origin: OriginSpec, access: s3_models.BucketAccess, dist_arn: str, action: str, resource: str) -> bool:
    if origin.oac_id:
        principal = iampolicy.Principal("Service", "cloudfront.amazonaws.com")
        keys = {"aws:sourcearn": dist_arn, "aws:sourceaccount": dist_arn.split(":")[4]}
    elif origin.oai:
        oai_id = origin.oai[len(_OAI_PREFIX):] if origin.oai.startswith(_OAI_PREFIX) else origin.oai
        identity = f"arn:aws:iam::cloudfront:user/CloudFront Origin Access Identity {oai_id}"
        principal = iampolicy.Principal("AWS", identity)
        keys = {}
    else:
        bucket, _, key = resource.split(":::", 1)[1].partition("/")
        return s3access.anonymous_allowed(access, bucket, key or None, action)
    verdict = iampolicy.decide(access.policy, iampolicy.RequestContext(principal, action, resource, keys))
    return verdict == "Allow"


def fetch(origin: OriginSpec, dist_arn: str, key: str, *, if_none_match: str | None = None,
          method: str = "GET") -> OriginResponse:
    """What S3 answers CloudFront's GET of ``key`` (already joined with the origin path); with ``if_none_match``,
    304 when the ETag still matches. Other methods are refused unless the policy allows the write, which the local
    origin does not implement (501). HEAD is fetched as GET: the cache stores the object, the edge drops the body."""
    bucket = origin.bucket or ""
    access = s3_models.s3_bucket_access(bucket)
    if access is None:
        return s3_error(404, "NoSuchBucket", "The specified bucket does not exist", BucketName=bucket)
    object_arn = f"arn:aws:s3:::{bucket}/{key}"
    if method == "OPTIONS":  # a CORS preflight: S3's answer without CORS rules (bucket CORS is not evaluated locally)
        return s3_error(403, "AccessForbidden", "CORSResponse: CORS is not enabled for this bucket.",
                        Method="OPTIONS", ResourceType="OBJECT")
    if method not in ("GET", "HEAD"):
        action = "s3:DeleteObject" if method == "DELETE" else "s3:PutObject"
        if not _allowed(origin, access, dist_arn, action, object_arn):
            return _access_denied()
        return s3_error(501, "NotImplemented", f"The local cloud's CloudFront does not write to S3 ({method}).")
    if not key:  # GET / without a DefaultRootObject asks S3 for the bucket listing
        if not _allowed(origin, access, dist_arn, "s3:ListBucket", f"arn:aws:s3:::{bucket}"):
            return _access_denied()
        return s3_error(501, "NotImplemented", "The local cloud's CloudFront does not serve bucket listings.")
    if not _allowed(origin, access, dist_arn, "s3:GetObject", object_arn):
        return _access_denied()
    conditional = if_none_match is not None
    found = s3_models.s3_object(bucket, key, body=not conditional)
    if found is None:
        if _allowed(origin, access, dist_arn, "s3:ListBucket", f"arn:aws:s3:::{bucket}"):
            return s3_error(404, "NoSuchKey", "The specified key does not exist.", Key=key)
        return _access_denied()
    base = (("Date", formatdate(usegmt=True)), ("Last-Modified", found.last_modified), ("ETag", found.etag))
    if conditional and if_none_match == found.etag:
        kept = tuple((k, v) for k, v in found.headers if k in ("Cache-Control", "Expires"))
        return OriginResponse(304, base + kept + (("Server", "AmazonS3"),), b"", found.etag)
    if conditional:  # changed: read it again, with its bytes
        return fetch(origin, dist_arn, key)
    headers = (*_request_ids(), *base, *found.headers, ("Accept-Ranges", "bytes"), ("Server", "AmazonS3"))
    if not any(k == "Content-Type" for k, _ in found.headers):
        headers += (("Content-Type", "binary/octet-stream"),)
    return OriginResponse(200, headers, found.body, found.etag)
