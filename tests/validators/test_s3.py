"""The S3 validator: green on a correct bucket, and the right hint on each broken one."""

from __future__ import annotations

import json
import mimetypes
import uuid

import pytest

import validators
from labkit import config, names
from validators.base import FAIL, PASS
from validators.s3 import SITE_DIR


@pytest.fixture
def deployment(cloud):
    """A correct layer 01 under a prefix of its own; tests break one thing each."""
    cfg = config.load({**cloud.env, "LAB_PREFIX": f"t{uuid.uuid4().hex[:8]}"})
    bucket = names(cfg).site_bucket
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket=bucket)
    s3.put_public_access_block(Bucket=bucket, PublicAccessBlockConfiguration={
        k: True for k in ("BlockPublicAcls", "IgnorePublicAcls", "BlockPublicPolicy", "RestrictPublicBuckets")})
    for path in SITE_DIR.iterdir():
        s3.upload_file(str(path), bucket, path.name, ExtraArgs={"ContentType": mimetypes.guess_type(path.name)[0]})
    return cfg, bucket, s3


def results(cfg):
    return {r.check: r for r in validators.run(["s3"], cfg).results}


def test_correct_bucket_passes(deployment):
    cfg, _, _ = deployment
    assert {r.status for r in results(cfg).values()} == {PASS}


def test_missing_bucket_fails_the_gate_naming_the_notebook(cloud):
    cfg = config.load({**cloud.env, "LAB_PREFIX": f"t{uuid.uuid4().hex[:8]}"})
    found = results(cfg)
    assert found["s3.bucket"].status == FAIL and "notebook 01" in found["s3.bucket"].hint
    assert found["s3.site_objects"].status == "blocked" and found["s3.site_objects"].counted


def test_public_bucket_is_caught_by_behaviour(deployment):
    cfg, bucket, s3 = deployment
    s3.delete_public_access_block(Bucket=bucket)
    s3.put_bucket_policy(Bucket=bucket, Policy=json.dumps({"Statement": [{
        "Effect": "Allow", "Principal": "*", "Action": "s3:GetObject", "Resource": f"arn:aws:s3:::{bucket}/*"}]}))
    found = results(cfg)
    assert found["s3.block_public_access"].status == FAIL
    assert found["s3.anonymous_denied"].status == FAIL and "the bucket is public" in found["s3.anonymous_denied"].hint


def test_missing_content_type_is_named(deployment):
    cfg, bucket, s3 = deployment
    s3.put_object(Bucket=bucket, Key="style.css", Body=(SITE_DIR / "style.css").read_bytes())
    found = results(cfg)["s3.site_objects"]
    assert found.status == FAIL and "style.css" in found.observed and "ContentType" in found.hint
