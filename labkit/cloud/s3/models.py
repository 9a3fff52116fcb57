"""S3 as moto holds it: what decides access to a bucket, and the objects CloudFront serves.

    BucketAccess, s3_bucket_access(bucket, key)   policy, Block Public Access and ACLs of a bucket (and object)
    S3Object, s3_object(bucket, key, body=True)   an object's bytes and the headers S3 serves with it, or None
    s3_bucket_cors(bucket)                          (the bucket exists, its CORS rules or None without any)

A new bucket starts with all four Block Public Access settings on, as AWS creates every bucket since April 2023
("Amazon S3 now applies Block Public Access and disables ACLs by default for new buckets"; moto creates it with
none): a public policy then needs PutPublicAccessBlock first, on AWS and here.
"""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from typing import Any

from ..moto import LOCK
from ..moto.importhook import when_imported
from .cors import Rule


@dataclass
class BucketAccess:
    """What decides anonymous and service access to a bucket: its policy, Block Public Access and public ACLs."""

    owner_account: str
    policy: str | None
    block_public: dict[str, bool]  # blockPublicAcls, ignorePublicAcls, blockPublicPolicy, restrictPublicBuckets
    bucket_acl_public_read: bool
    object_acl_public_read: bool


def _find_bucket(bucket: str) -> tuple[str, Any] | None:
    """(owning account, moto's bucket) of a bucket name (global, as on AWS), or None; call with LOCK held."""
    from moto.s3.models import s3_backends

    for account, per_account in s3_backends.items():
        backend = per_account.get("aws")
        found = backend.buckets.get(bucket) if backend else None
        if found is not None:
            return account, found
    return None


def s3_bucket_access(bucket: str, key: str | None = None) -> BucketAccess | None:
    """Access facts of a bucket (and object), or None if the bucket does not exist."""
    with LOCK:
        located = _find_bucket(bucket)
        if located is not None:
            account, found = located
            pab = found.public_access_block.to_config_dict() if found.public_access_block else {}
            obj = found.keys.get(key) if key else None
            return BucketAccess(
                owner_account=account,
                policy=found.policy.decode() if found.policy else None,
                block_public={k: bool(v) for k, v in pab.items()},
                bucket_acl_public_read=bool(found.acl and found.acl.public_read),
                object_acl_public_read=bool(obj is not None and obj.acl and obj.acl.public_read),
            )
    return None


def s3_bucket_cors(bucket: str) -> tuple[bool, list[Rule] | None]:
    with LOCK:
        located = _find_bucket(bucket)
        if located is None:
            return False, None
        rules = [Rule(tuple(r.allowed_origins or ()), tuple(r.allowed_methods or ()), tuple(r.allowed_headers or ()),
                      tuple(r.exposed_headers or ()),
                      int(r.max_age_seconds) if r.max_age_seconds not in (None, "") else None)
                 for r in located[1].cors or ()]
        return True, rules or None


_S3_SERVED = {"content-type": "Content-Type", "cache-control": "Cache-Control", "expires": "Expires",
              "content-encoding": "Content-Encoding", "content-disposition": "Content-Disposition",
              "content-language": "Content-Language",
              "x-amz-website-redirect-location": "x-amz-website-redirect-location"}

@dataclasses.dataclass(frozen=True)
class S3Object:
    key: str
    body: bytes  # b"" when read without the body
    size: int
    etag: str  # quoted, as S3 sends it
    last_modified: str  # RFC 1123
    headers: tuple[tuple[str, str], ...]  # Content-Type, Cache-Control, Expires, x-amz-meta-*… as stored

def s3_object(bucket: str, key: str, *, body: bool = True) -> S3Object | None:
    """The current version of an object, or None if the bucket has no such key (a delete marker counts as none)."""
    from moto.s3.models import FakeKey

    with LOCK:
        located = _find_bucket(bucket)
        if located is not None:
            obj = located[1].keys.get(key)
            if not isinstance(obj, FakeKey):
                return None
            headers = [(_S3_SERVED[name], str(value)) for name, value in obj.metadata.items() if name in _S3_SERVED]
            headers += [(name, str(value)) for name, value in obj.metadata.items() if name.startswith("x-amz-meta-")]
            return S3Object(key=key, body=obj.value if body else b"", size=int(obj.size), etag=obj.etag,
                            last_modified=obj.last_modified_RFC1123, headers=tuple(headers))
    return None


def _patch_new_buckets(models: Any) -> None:
    original = models.S3Backend.create_bucket
    if getattr(original, "__kit_s3__", False):
        return

    def create_bucket(self: Any, bucket_name: str, *args: Any, **kwargs: Any) -> Any:
        bucket = original(self, bucket_name, *args, **kwargs)
        if bucket.public_access_block is None:
            bucket.public_access_block = models.PublicAccessBlock("true", "true", "true", "true")
        return bucket

    create_bucket.__kit_s3__ = True  # type: ignore[attr-defined]
    models.S3Backend.create_bucket = create_bucket


when_imported("moto.s3.models", _patch_new_buckets)
