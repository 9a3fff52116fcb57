"""Chromium enforces S3's CORS as configured: a page on one origin (http://localhost:<port>) fetches an object
from the gateway on another (http://127.0.0.1:<port>). With no CORS rule the browser refuses to hand the answer to
the page; with a rule for the page's origin it reads it; a rule for another origin leaves it refused again."""

from __future__ import annotations

import uuid

FETCH = """async url => {
  try { const answer = await fetch(url); return 'read: ' + (await answer.text()); }
  catch (err) { return 'refused: ' + err.name; }
}"""


def test_the_browser_reads_across_origins_only_what_the_buckets_cors_allows(cloud, chromium):
    s3 = cloud.client("s3")
    bucket = f"photos-{uuid.uuid4().hex[:8]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="caption.txt", Body=b"a lighthouse at dusk")
    def url(expires: int) -> str:  # a new URL each time: nothing comes from the browser's cache
        return s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "caption.txt"},
                                         ExpiresIn=expires)

    port = cloud.cfg.ports["gateway"]
    page_origin = f"http://localhost:{port}"
    context = chromium.new_context()
    page = context.new_page()
    try:
        page.goto(f"{page_origin}/_lab/")  # any page of another origin than the gateway's 127.0.0.1
        assert page.evaluate(FETCH, url(600)) == "refused: TypeError"  # no CORS configuration
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
            {"AllowedOrigins": [page_origin], "AllowedMethods": ["GET"]}]})
        assert page.evaluate(FETCH, url(601)) == "read: a lighthouse at dusk"
        s3.put_bucket_cors(Bucket=bucket, CORSConfiguration={"CORSRules": [
            {"AllowedOrigins": ["https://www.contact.localhost"], "AllowedMethods": ["GET"]}]})
        assert page.evaluate(FETCH, url(602)) == "refused: TypeError"
    finally:
        context.close()
