"""S3 presigned URLs checked as S3 checks them (moto serves any of them: expired, altered, or moved to another key).

    presigned_refusal(environ, bucket)   S3's answer to a presigned request it refuses, or None to let it through

Both query forms are read: Signature Version 4 (X-Amz-Algorithm, X-Amz-Credential, X-Amz-Date, X-Amz-Expires,
X-Amz-SignedHeaders, X-Amz-Signature) and Version 2 (AWSAccessKeyId, Expires, Signature), which boto3 still makes
for us-east-1. Past its expiry a URL is 403 AccessDenied "Request has expired"; one whose signature is not the one
its request computes to (another key, another method, a changed parameter) is 403 SignatureDoesNotMatch; an
X-Amz-Expires over a week is 400 AuthorizationQueryParametersError. botocore's own signers compute the expected
signature. The local cloud knows the secret of its own keys only (moto/accounts.kit_key_secret); a URL signed with
any other key is checked for expiry alone.
"""

from __future__ import annotations

import time
from datetime import datetime, timezone
from typing import Any
from urllib.parse import parse_qsl, urlsplit, urlunsplit

from botocore.auth import HmacV1QueryAuth, S3SigV4QueryAuth
from botocore.awsrequest import AWSRequest
from botocore.credentials import Credentials

from ..moto.accounts import kit_key_secret
from .errors import s3_error

MAX_EXPIRES = 604800  # a week: SigV4's longest presigned URL
_AMZ_DATE = "%Y%m%dT%H%M%SZ"
_MISMATCH = "The request signature we calculated does not match the signature you provided. Check your key and " \
            "signing method."

Answer = tuple[int, list[tuple[str, str]], bytes]


def _iso(moment: float) -> str:
    return datetime.fromtimestamp(moment, timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ")


def _url(environ: dict[str, Any], query: str) -> str:
    path = (environ.get("RAW_URI") or environ.get("PATH_INFO") or "/").split("?", 1)[0]
    return urlunsplit((environ.get("wsgi.url_scheme", "http"), environ.get("HTTP_HOST", ""), path, query, ""))


def _without(query: str, name: str) -> str:
    return "&".join(pair for pair in query.split("&") if pair and pair.split("=", 1)[0] != name)


def _headers(environ: dict[str, Any], names: list[str] | None = None) -> dict[str, str]:
    """The request's headers by lower-case name: the ``names`` given, or those SigV2 signs."""
    found = {"content-type": environ.get("CONTENT_TYPE", ""), "content-md5": environ.get("HTTP_CONTENT_MD5", "")}
    for key, value in environ.items():
        if key.startswith("HTTP_"):
            found[key[5:].replace("_", "-").lower()] = value
    if names is not None:
        return {name: found.get(name, "") for name in names}
    return {k: v for k, v in found.items() if v and (k.startswith("x-amz-") or k in ("content-type", "content-md5"))}


def _v4(environ: dict[str, Any], params: dict[str, str], now: float) -> Answer | None:
    credential = params.get("X-Amz-Credential", "").split("/")
    try:
        signed_at = datetime.strptime(params.get("X-Amz-Date", ""), _AMZ_DATE).replace(tzinfo=timezone.utc).timestamp()
        expires = int(params.get("X-Amz-Expires", ""))
    except ValueError:
        return s3_error(400, "AuthorizationQueryParametersError",
                      "X-Amz-Date must be in the ISO8601 Long Format \"yyyyMMdd'T'HHmmss'Z'\" and X-Amz-Expires a "
                      "number of seconds")
    if expires > MAX_EXPIRES:
        return s3_error(400, "AuthorizationQueryParametersError",
                      f"X-Amz-Expires must be less than a week (in seconds) that is {MAX_EXPIRES}")
    if now > signed_at + expires:
        return s3_error(403, "AccessDenied", "Request has expired", **{
            "X-Amz-Expires": str(expires), "Expires": _iso(signed_at + expires), "ServerTime": _iso(now)})
    secret = kit_key_secret(credential[0]) if len(credential) == 5 else None
    if secret is None:
        return None
    # The query as the client sent it, less the signature: SDKs write it canonically encoded, and botocore's
    # canonical request takes its pairs as they are.
    url = _url(environ, _without(environ.get("QUERY_STRING", ""), "X-Amz-Signature"))
    request = AWSRequest(method=environ.get("REQUEST_METHOD", "GET"), url=url,
                         headers=_headers(environ, params.get("X-Amz-SignedHeaders", "host").split(";")))
    request.context["timestamp"] = params["X-Amz-Date"]
    signer = S3SigV4QueryAuth(Credentials(credential[0], secret), credential[3], credential[2], expires=expires)
    string_to_sign = signer.string_to_sign(request, signer.canonical_request(request))
    if signer.signature(string_to_sign, request) != params.get("X-Amz-Signature"):
        return s3_error(403, "SignatureDoesNotMatch", _MISMATCH, AWSAccessKeyId=credential[0],
                      StringToSign=string_to_sign, SignatureProvided=params.get("X-Amz-Signature", ""))
    return None


class _AtExpiry(HmacV1QueryAuth):
    """botocore's SigV2 query signer, for a given Expires instead of now plus a duration."""

    def __init__(self, credentials: Credentials, expires: str) -> None:
        super().__init__(credentials)
        self._at = expires

    def _get_date(self) -> str:
        return self._at


def _v2(environ: dict[str, Any], params: dict[str, str], now: float, bucket: str) -> Answer | None:
    try:
        expires = int(params["Expires"])
    except ValueError:
        return s3_error(403, "AccessDenied", "Invalid date (should be seconds since epoch): " + params["Expires"])
    if now > expires:
        return s3_error(403, "AccessDenied", "Request has expired", Expires=_iso(expires), ServerTime=_iso(now))
    secret = kit_key_secret(params["AWSAccessKeyId"])
    if secret is None:
        return None
    signer = _AtExpiry(Credentials(params["AWSAccessKeyId"], secret), params["Expires"])
    method, split, headers = environ.get("REQUEST_METHOD", "GET"), urlsplit(_url(environ, "")), _headers(environ)
    split = split._replace(query=environ.get("QUERY_STRING", ""))
    # SigV2 signs /bucket/key whichever style addressed it
    auth_path = split.path if split.path.startswith(f"/{bucket}") else f"/{bucket}{split.path}"
    if signer.get_signature(method, split, dict(headers), auth_path=auth_path) != params["Signature"]:
        return s3_error(403, "SignatureDoesNotMatch", _MISMATCH, AWSAccessKeyId=params["AWSAccessKeyId"],
                      StringToSign=signer.canonical_string(method, split, dict(headers), auth_path=auth_path),
                      SignatureProvided=params["Signature"])
    return None


def presigned_refusal(environ: dict[str, Any], bucket: str, now: float | None = None) -> Answer | None:
    """For a request to ``bucket`` (the caller has checked it is S3's)."""
    params = dict(parse_qsl(environ.get("QUERY_STRING", ""), keep_blank_values=True))
    now = time.time() if now is None else now
    if params.get("X-Amz-Algorithm") == "AWS4-HMAC-SHA256" and "X-Amz-Signature" in params:
        return _v4(environ, params, now)
    if {"AWSAccessKeyId", "Signature", "Expires"} <= set(params):
        return _v2(environ, params, now, bucket)
    return None
