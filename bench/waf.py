"""WAF evaluation cost: µs per request with the three AWS managed rule groups, against an empty web ACL
(DefaultAction Allow, no rules) measured in the same run.

Scenarios, alternated ``--runs`` times (medians reported):
    empty      the baseline: the engine's fixed cost (compiled-ACL lookup, evaluation setup, decision)
    benign     a browser's POST of a JSON contact message with cookies, through Common + SQLi + KnownBadInputs
    malicious  a SQL injection in a query argument, blocked by SQLi_QUERYARGUMENTS (after all of Common's rules)
Each figure is the mean over ``ITERATIONS`` evaluations of the same request (nothing cached across requests
but the compiled web ACL, as in the data planes).
"""

from __future__ import annotations

import json
import statistics
import sys
import time

from labkit.cloud.wafv2 import StaticResources, WafEngine, WafRequest

ITERATIONS = 2000
GROUPS = ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet", "AWSManagedRulesKnownBadInputsRuleSet")
VISIBILITY = {"SampledRequestsEnabled": False, "CloudWatchMetricsEnabled": False, "MetricName": "bench"}
HEADERS = [
    ("Host", "www.contact.localhost:4443"),
    ("User-Agent", "Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
                   "Chrome/124.0.0.0 Safari/537.36"),
    ("Accept", "application/json, text/plain, */*"),
    ("Accept-Language", "en-GB,en;q=0.9"),
    ("Content-Type", "application/json"),
    ("Origin", "https://www.contact.localhost:4443"),
    ("Cookie", "_ga=GA1.1.1234567890.1714000000; theme=dark"),
]


def _acl(name: str, rules: list[dict]) -> dict:
    return {"Name": name, "ARN": f"arn:aws:wafv2:us-east-1:123456789012:global/webacl/{name}/0", "LockToken": "1",
            "DefaultAction": {"Allow": {}}, "VisibilityConfig": VISIBILITY, "Rules": rules}


def scenarios() -> dict[str, tuple[dict, WafRequest]]:
    managed = _acl("managed", [{"Name": f"AWS-{name}", "Priority": i, "OverrideAction": {"None": {}},
                                "VisibilityConfig": VISIBILITY,
                                "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": name}}}
                               for i, name in enumerate(GROUPS)])
    message = {"name": "Conor O'Brien", "email": "conor@example.com",
               "message": "Hello! I'd like a quote for 3 units -- which plan should I select?"}
    benign = WafRequest.from_target("POST", "/messages?lang=en", HEADERS, json.dumps(message).encode(),
                                    client_ip="198.51.100.7")
    malicious = WafRequest.from_target("GET", "/search?q=1%27%20OR%20%271%27%3D%271&page=2", HEADERS[:4],
                                       b"", client_ip="198.51.100.7")
    return {"empty": (_acl("empty", []), benign), "benign": (managed, benign), "malicious": (managed, malicious)}


def _time(engine: WafEngine, web_acl: dict, request: WafRequest) -> float:
    start = time.perf_counter()
    for _ in range(ITERATIONS):
        engine.evaluate(web_acl, request, now=0.0)
    return (time.perf_counter() - start) / ITERATIONS * 1e6


def run(runs: int = 5) -> dict:
    engine = WafEngine(StaticResources())
    cases = scenarios()
    expected = {"empty": "ALLOW", "benign": "ALLOW", "malicious": "BLOCK"}
    for name, (web_acl, request) in cases.items():  # warm up (compile) and check the scenario is what it says
        action = engine.evaluate(web_acl, request, now=0.0).action
        if action != expected[name]:
            raise RuntimeError(f"bench scenario {name}: expected {expected[name]}, got {action}")
    samples: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, (web_acl, request) in cases.items():
            samples[name].append(_time(engine, web_acl, request))
    us = {name: statistics.median(values) for name, values in samples.items()}
    return {
        "runs": runs,
        "iterations_per_run": ITERATIONS,
        "empty_acl_us": round(us["empty"], 1),
        "managed_benign_us": round(us["benign"], 1),
        "managed_malicious_us": round(us["malicious"], 1),
        "benign_ratio": round(us["benign"] / us["empty"], 1),
        "malicious_ratio": round(us["malicious"] / us["empty"], 1),
    }


if __name__ == "__main__":
    print(json.dumps(run(int(sys.argv[1]) if len(sys.argv) > 1 else 5), indent=2))
