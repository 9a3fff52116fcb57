"""Layer 01 · S3: the site bucket exists, is private (an anonymous GET is refused), and holds the site's files
with the content types a browser needs."""

from __future__ import annotations

import mimetypes

from botocore.exceptions import ClientError

from labkit import names, s3_object_url
from labkit.config import PROJECT_ROOT

from .base import Check, Context, Result, failed, passed
from .probes import ProbeError, http_request

SITE_DIR = PROJECT_ROOT / "assets" / "site"


def site_files() -> dict[str, str]:
    """Key → the content type it must be served with."""
    return {p.name: mimetypes.guess_type(p.name)[0] or "application/octet-stream"
            for p in sorted(SITE_DIR.iterdir()) if p.is_file()}


def _bucket(ctx: Context) -> str:
    return ctx.facts.setdefault("bucket", names(ctx.cfg).site_bucket)


def probe_bucket(ctx: Context) -> Result:
    bucket = _bucket(ctx)
    try:
        ctx.client("s3").head_bucket(Bucket=bucket)
    except ClientError as exc:
        code = exc.response["Error"]["Code"]
        return failed(f"{bucket}: {code}", "the bucket exists",
                      "run notebook 01's create-bucket cell" if code in ("404", "NoSuchBucket")
                      else "S3 refuses to show the bucket: it belongs to another account (choose another LAB_PREFIX), "
                      "or your credentials may not s3:ListBucket on it")
    return passed(bucket)


def probe_block_public_access(ctx: Context) -> Result:
    try:
        config = ctx.client("s3").get_public_access_block(Bucket=_bucket(ctx))["PublicAccessBlockConfiguration"]
    except ClientError:
        config = {}
    off = [k for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")
           if not config.get(k)]
    if off:
        return failed(f"off: {', '.join(off)}", "all four settings on",
                      "turn Block Public Access fully on: CloudFront reads the bucket through OAC, nobody else should")
    return passed("all four settings on")


def probe_anonymous_denied(ctx: Context) -> Result:
    """Behaviour, not configuration: an anonymous visitor asks for index.html directly."""
    url = s3_object_url(_bucket(ctx), "index.html", ctx.cfg)
    try:
        answer = http_request("GET", url)
    except ProbeError as exc:
        return failed(exc.reason, "403 Forbidden", "the bucket's endpoint did not answer")
    if answer.status_code == 200:
        return failed(f"GET {url} → 200", "403 Forbidden",
                      "the bucket is public: remove the public bucket policy or ACL (visitors go through CloudFront)")
    if answer.status_code not in (403, 404):
        return failed(f"GET {url} → {answer.status_code}", "403 Forbidden", "unexpected answer from S3")
    return passed(f"anonymous GET index.html → {answer.status_code}")


def probe_site_objects(ctx: Context) -> Result:
    s3 = ctx.client("s3")
    missing, wrong = [], []
    for key, content_type in site_files().items():
        try:
            head = s3.head_object(Bucket=_bucket(ctx), Key=key)
        except ClientError:
            missing.append(key)
            continue
        served = head.get("ContentType", "").split(";")[0]
        if served != content_type:
            wrong.append(f"{key} is {served or 'untyped'}, not {content_type}")
    if missing:
        return failed(f"missing: {', '.join(missing)}", ", ".join(site_files()), "upload every file of assets/site")
    if wrong:
        return failed("; ".join(wrong), "each file with its content type",
                      "upload each file with its ContentType (upload_file's ExtraArgs, from mimetypes.guess_type), "
                      "or browsers will download it, not show it")
    return passed(f"{len(site_files())} files with their content types")


CHECKS = [
    Check("s3.bucket", "the site bucket exists", probe_bucket),
    Check("s3.block_public_access", "Block Public Access is fully on", probe_block_public_access, needs=("s3.bucket",)),
    Check("s3.anonymous_denied", "an anonymous GET of the bucket is refused", probe_anonymous_denied, needs=("s3.bucket",)),
    Check("s3.site_objects", "the site's files are there with their content types", probe_site_objects,
          needs=("s3.bucket",)),
]
