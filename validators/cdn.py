"""Layer 04 · CloudFront: the distribution is deployed and serves the site at the domain over HTTPS: the bucket
through OAC, the root object, a Miss then Hit with Age and Via, the SPA fallback, HTTP redirected to HTTPS, and the
current content (not a stale copy). Every probe is a real request to the site."""

from __future__ import annotations

import uuid

import urllib3.util.request

from labkit import NotYet, names, site_origin

from .base import Check, Context, Result, failed, passed
from .probes import ProbeError, http_request


def _get(ctx: Context, path: str, **kwargs):
    cafile = str(ctx.cfg.state_dir / "ca" / "ca.pem") if ctx.cfg.local else None
    return http_request("GET", site_origin(ctx.cfg) + path, cafile=cafile, **kwargs)


def probe_distribution(ctx: Context) -> Result:
    items = ctx.client("cloudfront").list_distributions()["DistributionList"].get("Items", []) or []
    found = next((d for d in items if d.get("Comment") == names(ctx.cfg).distribution_comment
                  or ctx.cfg.domain in (d.get("Aliases", {}).get("Items") or [])), None)
    if found is None:
        return failed("no distribution for the site", "the distribution exists", "run notebook 04")
    ctx.facts["distribution"] = found
    if found["Status"] != "Deployed":
        raise NotYet(f"{found['Status']}: CloudFront is still deploying it")
    aliases = found.get("Aliases", {}).get("Items") or []
    www = f"www.{ctx.cfg.domain}"
    if ctx.cfg.domain not in aliases:
        return failed(", ".join(aliases) or "no aliases", f"{ctx.cfg.domain} and {www}",
                      "add the domain and www as Aliases, with the us-east-1 certificate")
    if www not in aliases:
        return failed(", ".join(aliases), f"{ctx.cfg.domain} and {www}",
                      f"www missing from Aliases: visitors typing {www} get no site; add it (the certificate "
                      "already names it if notebook 02 requested both)")
    return passed(f"{found['Id']} Deployed, {found['DomainName']}, aliases {ctx.cfg.domain} and www")


def probe_origin_access(ctx: Context) -> Result:
    try:
        answer = _get(ctx, "/index.html")
    except ProbeError as exc:
        return failed(exc.reason, "200", "the site does not answer at its domain: check the aliases and DNS records")
    if answer.status_code == 403 and ("AccessDenied" in answer.text or answer.headers.get("Server") == "AmazonS3"):
        return failed("403 AccessDenied from S3", "200",
                      "missing bucket policy for OAC: allow cloudfront.amazonaws.com s3:GetObject with AWS:SourceArn = "
                      "the distribution's ARN")
    if answer.status_code != 200 or "<html" not in answer.text.lower():
        return failed(f"{answer.status_code} {answer.headers.get('Content-Type')}", "200 text/html",
                      "the origin does not serve index.html")
    return passed("GET /index.html → 200 through OAC")


def _make_fresh(ctx: Context, path: str) -> bool:
    """Drop ``path`` from the local distribution's cache, so the next request is a Miss; False on AWS.

    The cache key has to be new for a Miss to be owed. Notebook 04's cache policy keys on the path and the normalized
    Accept-Encoding only (no query strings, headers or cookies), so a unique query string reaches the cached copy, and
    a never-seen path is a 404 that the SPA error response turns into "Error from cloudfront", never a Hit. Uploading
    a probe object would write to the learner's bucket. An invalidation does it cleanly: the local cloud purges the
    matching entries when it accepts the batch. On AWS an invalidation takes minutes and counts against the free
    invalidation paths, so there the first answer may already be a Hit from an earlier visit."""
    if not ctx.cfg.local:
        return False
    ctx.client("cloudfront").create_invalidation(DistributionId=ctx.facts["distribution"]["Id"], InvalidationBatch={
        "Paths": {"Quantity": 1, "Items": [path]}, "CallerReference": f"labkit-cdn-cache-{uuid.uuid4().hex[:12]}"})
    return True


def probe_cache(ctx: Context) -> Result:
    """Miss then Hit: a fresh key is fetched from the origin, then answered from the cache with its Age."""
    fresh = _make_fresh(ctx, "/style.css")
    first, second = _get(ctx, "/style.css"), _get(ctx, "/style.css")
    caches = [a.headers.get("X-Cache", "").split(" ")[0] or "none" for a in (first, second)]
    via = second.headers.get("Via", "")
    if "cloudfront" not in via.lower():
        return failed(f"Via: {via or 'none'}", "Via: … (CloudFront)", "the answer did not come through CloudFront")
    seen = f"X-Cache {caches[0]} then {caches[1]}, Age: {second.headers.get('Age')}"
    if caches[1] != "Hit" or second.headers.get("Age") is None:
        return failed(seen, "Miss then Hit from cloudfront with Age",
                      "nothing is cached: use a cache policy with a TTL above 0 (not CachingDisabled)")
    if fresh and caches[0] not in ("Miss", "RefreshHit"):
        return failed(seen, "Miss (or RefreshHit) after the invalidation, then Hit",
                      "the first request after an invalidation was not fetched from the origin: the local cloud's "
                      "cache ignored the invalidation (report it)")
    return passed(f"{seen}{'' if fresh else ' (the first may be a Hit from an earlier visit)'}")


def probe_root_and_spa(ctx: Context) -> Result:
    root, route = _get(ctx, "/"), _get(ctx, "/some/client/route")
    if root.status_code != 200:
        return failed(f"GET / → {root.status_code}", "200", "set DefaultRootObject to index.html (no leading slash)")
    if route.status_code != 200 or "<html" not in route.text.lower():
        return failed(f"GET /some/client/route → {route.status_code}", "200 with index.html",
                      "add a custom error response 404 → /index.html with 200, and let CloudFront s3:ListBucket so a "
                      "missing key is 404, not 403")
    return passed("/ → index.html; unknown paths → index.html")


def probe_https_redirect(ctx: Context) -> Result:
    base = (f"http://{ctx.cfg.domain}:{ctx.cfg.ports['http']}" if ctx.cfg.local else f"http://{ctx.cfg.domain}")
    answer = http_request("GET", base + "/")
    location = answer.headers.get("Location", "")
    if answer.status_code not in (301, 302, 307, 308) or not location.startswith("https://"):
        return failed(f"http:// → {answer.status_code} {location}", "301 to https://",
                      "set ViewerProtocolPolicy to redirect-to-https")
    return passed(f"http:// → {answer.status_code} {location}")


def probe_fresh(ctx: Context) -> Result:
    """The site serves what S3 holds now: a stale copy means the cache kept an old version.

    The cache key holds the normalized Accept-Encoding (br, gzip or none), so each is a copy of its own: a browser's
    (br) can be stale while a fresh identity request is a Miss. Each is compared, decoded."""
    current = ctx.client("s3").get_object(Bucket=names(ctx.cfg).site_bucket, Key="index.html")["Body"].read()
    decodable = ["br"] if "br" in urllib3.util.request.ACCEPT_ENCODING else []  # urllib3 decodes br with brotli
    stale = [encoding for encoding in [*decodable, "gzip", "identity"]
             if _get(ctx, "/index.html", headers={"Accept-Encoding": encoding}).content != current]
    if stale:
        return failed(f"the served index.html ({', '.join(stale)}) differs from the bucket's", "the same bytes",
                      "stale object served from cache: create an invalidation for /index.html (or /*)")
    return passed("index.html matches the bucket")


CHECKS = [
    Check("cdn.distribution", "the distribution is deployed with the domain and www as aliases", probe_distribution,
          wait=60),
    Check("cdn.origin_access", "it reads the private bucket through OAC", probe_origin_access,
          needs=("cdn.distribution",)),
    Check("cdn.cache", "a fresh request is a Miss, the repeat a Hit with Age and Via", probe_cache,
          needs=("cdn.origin_access",)),
    Check("cdn.root_and_spa", "/ serves index.html, unknown paths fall back to it", probe_root_and_spa,
          needs=("cdn.origin_access",)),
    Check("cdn.https_redirect", "HTTP is redirected to HTTPS", probe_https_redirect, needs=("cdn.distribution",)),
    Check("cdn.fresh", "the served index.html is the bucket's current one", probe_fresh,
          needs=("cdn.origin_access",)),
]
