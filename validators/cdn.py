"""Layer 04 · CloudFront: the distribution is deployed and serves the site at the domain over HTTPS: the bucket
through OAC, the root object, a Miss then Hit with Age and Via, the SPA fallback, HTTP redirected to HTTPS, and the
current content (not a stale copy). Every probe is a real request to the site."""

from __future__ import annotations

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
    if ctx.cfg.domain not in (found.get("Aliases", {}).get("Items") or []):
        return failed(", ".join(found.get("Aliases", {}).get("Items") or []) or "no aliases", ctx.cfg.domain,
                      "add the domain and www as Aliases, with the us-east-1 certificate")
    return passed(f"{found['Id']} Deployed, {found['DomainName']}")


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


def probe_cache(ctx: Context) -> Result:
    _get(ctx, "/style.css")
    second = _get(ctx, "/style.css")
    cache, via = second.headers.get("X-Cache", ""), second.headers.get("Via", "")
    if "cloudfront" not in via.lower():
        return failed(f"Via: {via or 'none'}", "Via: … (CloudFront)", "the answer did not come through CloudFront")
    if not cache.startswith(("Hit", "RefreshHit")) or second.headers.get("Age") is None:
        return failed(f"X-Cache: {cache}, Age: {second.headers.get('Age')}", "Hit from cloudfront with Age",
                      "nothing is cached: use a cache policy with a TTL above 0 (not CachingDisabled)")
    return passed(f"{cache}, Age {second.headers['Age']}")


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
    """The site serves what S3 holds now: a stale copy means the cache kept an old version."""
    current = ctx.client("s3").get_object(Bucket=names(ctx.cfg).site_bucket, Key="index.html")["Body"].read()
    served = _get(ctx, "/index.html", headers={"Accept-Encoding": "identity"}).content
    if served != current:
        return failed("the served index.html differs from the bucket's", "the same bytes",
                      "stale object served from cache: create an invalidation for /index.html (or /*)")
    return passed("index.html matches the bucket")



CHECKS = [
    Check("cdn.distribution", "the distribution is deployed with the domain as alias", probe_distribution, gate=True,
          wait=60),
    Check("cdn.origin_access", "it reads the private bucket through OAC", probe_origin_access, gate=True),
    Check("cdn.cache", "a repeated request is a cache Hit with Age and Via", probe_cache),
    Check("cdn.root_and_spa", "/ serves index.html, unknown paths fall back to it", probe_root_and_spa),
    Check("cdn.https_redirect", "HTTP is redirected to HTTPS", probe_https_redirect),
    Check("cdn.fresh", "the served index.html is the bucket's current one", probe_fresh),
]
