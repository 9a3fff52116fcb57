"""Range GETs through a distribution, on a miss and on a hit: 206 with Content-Range, 416 for a range past the end,
the whole object for what RFC 9110 says to ignore. Facts: the CloudFront developer guide, "How CloudFront processes
partial requests for an object (range GETs)" (a range is served from the cached object); RFC 9110 §14 (syntax,
Content-Range, 416 with ``bytes */size``, If-Range); S3's InvalidRange error for an unsatisfiable range."""

from __future__ import annotations

import subprocess

import pytest

from labkit.cloud.cloudfront.ranges import UNSATISFIABLE, byte_range

from .conftest import make_site, unique

BLOB = bytes(range(256)) * 8  # 2,048 bytes, every position distinguishable, not compressed (binary)


@pytest.fixture(scope="module")
def site(cdn_cloud):
    return make_site(cdn_cloud)


def fresh_object(site) -> str:
    key = f"{unique('blob')}.bin"
    site.put(key, BLOB, content_type="application/octet-stream")
    return f"/{key}"


@pytest.mark.parametrize("header, wanted", [
    ("bytes=0-99", (0, 99)), ("bytes=2000-", (2000, 2047)), ("bytes=-10", (2038, 2047)),
    ("bytes=2040-9999", (2040, 2047)), ("bytes=-5000", (0, 2047)), ("BYTES = 5 - 6", (5, 6)),
    ("bytes=2048-", UNSATISFIABLE), ("bytes=-0", UNSATISFIABLE),
    ("bytes=9-3", None), ("bytes=0-1,5-6", None), ("items=0-1", None), ("bytes=-", None), ("bytes=a-b", None),
])
def test_range_header_syntax(header, wanted):
    assert byte_range(header, len(BLOB)) == wanted


def test_a_range_is_206_on_the_miss_and_on_the_hit(site):
    path = fresh_object(site)
    miss, hit = site.get(path, Range="bytes=0-99"), site.get(path, Range="bytes=100-199")
    assert miss.headers["X-Cache"] == "Miss from cloudfront" and hit.headers["X-Cache"] == "Hit from cloudfront"
    for answer, first in ((miss, 0), (hit, 100)):
        assert answer.status_code == 206
        assert answer.headers["Content-Range"] == f"bytes {first}-{first + 99}/{len(BLOB)}"
        assert answer.headers["Content-Length"] == "100" and answer.content == BLOB[first:first + 100]
        assert answer.headers["Accept-Ranges"] == "bytes"
    whole = site.get(path)
    assert whole.status_code == 200 and whole.content == BLOB and "Content-Range" not in whole.headers


@pytest.mark.parametrize("cached", [False, True], ids=["miss", "hit"])
def test_a_range_past_the_end_is_416_with_the_size(site, cached):
    path = fresh_object(site)
    if cached:
        assert site.get(path).status_code == 200
    answer = site.get(path, Range=f"bytes={len(BLOB)}-")
    assert answer.status_code == 416
    assert answer.headers["Content-Range"] == f"bytes */{len(BLOB)}"
    assert b"<Code>InvalidRange</Code>" in answer.content
    assert f"<ActualObjectSize>{len(BLOB)}</ActualObjectSize>".encode() in answer.content
    assert site.get(path, Range="bytes=0-0").content == BLOB[:1]  # the object is still served


@pytest.mark.parametrize("header", ["bytes=0-1,5-6", "bytes=9-3", "lines=1-2"])
def test_what_cannot_be_a_single_byte_range_gets_the_whole_object(site, header):
    answer = site.get(fresh_object(site), Range=header)
    assert answer.status_code == 200 and answer.content == BLOB


def test_if_range_serves_the_range_only_while_the_object_is_unchanged(site):
    path = fresh_object(site)
    etag = site.get(path).headers["ETag"]
    same = site.get(path, Range="bytes=0-9", If_Range=etag)
    assert same.status_code == 206 and same.content == BLOB[:10]
    changed = site.get(path, Range="bytes=0-9", If_Range='"0123456789abcdef0123456789abcdef"')
    assert changed.status_code == 200 and changed.content == BLOB


def test_head_ignores_the_range(site):
    answer = site.get(fresh_object(site), method="HEAD", Range="bytes=0-9")
    assert answer.status_code == 200 and answer.headers["Content-Length"] == str(len(BLOB))


def test_curl_resumes_a_download(site, tmp_path):
    """curl -C (resume) sends Range: bytes=<what it has>- and appends the 206 body: the file ends up whole."""
    path = fresh_object(site)
    target = tmp_path / "blob.bin"
    target.write_bytes(BLOB[:1000])
    port = site.cloud.cfg.ports["https"]
    done = subprocess.run(["curl", "--silent", "--show-error", "--fail", "--cacert", site.ca,
                           "--resolve", f"{site.domain}:{port}:127.0.0.1", "-C", "-", "-o", str(target),
                           "--write-out", "%{http_code}", site.url(path)],
                          capture_output=True, text=True, timeout=30)
    assert done.returncode == 0, done.stderr
    assert done.stdout == "206" and target.read_bytes() == BLOB
