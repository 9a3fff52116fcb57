"""Grade the managed rule groups against tests/cloud/waf/corpus/, gotestwaf-style (aws-facts WAFv2, "Scoring
convention": TP% blocked, TN% passed, averaged; A ≥ 93).

    attack_cases() / benign_cases()   the requests: payload × placeholder × encoder, as selection.json allows
    grade(engine) -> Report           TP%, TN%, score, and every miss and false positive
    python -m tests.cloud.waf.corpus_runner    prints the report

Which combinations count, and why, is in corpus/README.md: only the request components a managed rule is
documented to inspect, and only encodings a rule's text transformations decode.
"""

from __future__ import annotations

import base64
import json
import time
from collections import Counter
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, quote_plus, urlencode

from labkit.cloud.wafv2 import StaticResources, WafEngine, WafRequest

CORPUS = Path(__file__).parent / "corpus"
SELECTION = json.loads((CORPUS / "selection.json").read_text())
GOAL = 93.0
GROUPS = ("AWSManagedRulesCommonRuleSet", "AWSManagedRulesSQLiRuleSet", "AWSManagedRulesKnownBadInputsRuleSet")
CHROME_UA = ("Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) "
             "Chrome/124.0.0.0 Safari/537.36")
BASE_HEADERS = [("Host", "www.contact.localhost:4443"), ("User-Agent", CHROME_UA),
                ("Accept", "text/html,application/xhtml+xml,*/*;q=0.8"), ("Accept-Language", "en-US,en;q=0.9")]


def managed_web_acl() -> dict:
    """The web ACL under test: the three managed groups, as a learner adds them in the console."""
    visibility = {"SampledRequestsEnabled": True, "CloudWatchMetricsEnabled": True, "MetricName": "m"}
    return {
        "Name": "corpus", "ARN": "arn:aws:wafv2:us-east-1:123456789012:global/webacl/corpus/0", "LockToken": "1",
        "DefaultAction": {"Allow": {}}, "VisibilityConfig": visibility,
        "Rules": [{"Name": f"AWS-{name}", "Priority": priority, "OverrideAction": {"None": {}},
                   "Statement": {"ManagedRuleGroupStatement": {"VendorName": "AWS", "Name": name}},
                   "VisibilityConfig": visibility} for priority, name in enumerate(GROUPS)],
    }


# -- encoders ------------------------------------------------------------------------------------------------
def _utf8(text: str) -> str:
    return text.encode("utf-8").decode("latin-1")


ENCODERS = {
    "plain": lambda payload: payload,
    "url": lambda payload: quote(payload, safe=""),
    "html_entity": lambda payload: "".join(f"&#x{ord(char):x};" for char in payload),
    "js_unicode": lambda payload: "".join(f"\\u{ord(char):04x}" for char in payload),
    "base64": lambda payload: base64.b64encode(payload.encode("latin-1")).decode(),
}


# -- placeholders ------------------------------------------------------------------------------------------------
def _escape(text: str, chars: str) -> str:
    """Percent-encode only ``chars``, control characters and non-ASCII (UTF-8): what would break the framing."""
    out = []
    for char in text:
        if char in chars or ord(char) < 0x20 or ord(char) == 0x7F:
            out.append(f"%{ord(char):02X}")
        elif ord(char) > 0x7E:
            out.append(quote(char, safe=""))
        else:
            out.append(char)
    return "".join(out)


def _request(method: str, target: str, extra: list[tuple[str, str]] = (), body: bytes = b"",
             replace_ua: str | None = None) -> WafRequest:
    headers = [(n, replace_ua if (n == "User-Agent" and replace_ua is not None) else v) for n, v in BASE_HEADERS]
    return WafRequest.from_target(method, target, headers + list(extra), body, client_ip="203.0.113.200")


def _form(value_encoded: str) -> WafRequest:
    body = ("name=Alex&message=" + value_encoded).encode("latin-1", "replace")
    return _request("POST", "/messages", [("Content-Type", "application/x-www-form-urlencoded")], body)


def _json(document: str) -> WafRequest:
    return _request("POST", "/messages", [("Content-Type", "application/json")], document.encode("utf-8"))


def attack_request(placeholder: str, encoder: str, encoded: str) -> WafRequest | None:
    """``encoded`` placed in ``placeholder``; None when it cannot travel there (a line break in a header)."""
    if placeholder == "url_path":
        return _request("GET", "/" + _escape(encoded, " ?#"))
    if placeholder == "query_param":
        return _request("GET", "/search?q=" + _escape(encoded, " &#+"))
    if placeholder == "form_body":
        return _form(_escape(encoded, " &#+"))
    if placeholder == "json_body":
        # JS escapes are JSON's own: the parser reads them back, so they go in as they are.
        literal = f'"{encoded}"' if encoder == "js_unicode" else json.dumps(encoded)
        return _json('{"name": "Alex", "message": ' + literal + "}")
    if "\n" in encoded or "\r" in encoded:
        return None
    if placeholder == "header":
        return _request("GET", "/", [("X-Payload", _utf8(encoded))])
    if placeholder == "user_agent":
        return _request("GET", "/", replace_ua=_utf8(encoded))
    if placeholder == "cookie":
        return _request("GET", "/", [("Cookie", "session=5f3c2a9e; pref=" + _escape(encoded, ";"))])
    raise ValueError(f"unknown placeholder {placeholder}")


# -- cases -------------------------------------------------------------------------------------------------------
@dataclass
class Case:
    category: str
    placeholder: str
    encoder: str
    payload: str
    request: WafRequest


def _lines(name: str) -> list[str]:
    text = (CORPUS / name).read_text(encoding="utf-8")
    return [line for line in text.splitlines() if line.strip() and not line.startswith("#")]


def attack_cases() -> list[Case]:
    cases = []
    for category, spec in SELECTION["categories"].items():
        for line in _lines(spec["file"]):
            payload = bytes.fromhex(line).decode("latin-1") if spec.get("format") == "hex" else line
            for encoder in spec["encoders"]:
                encoded = ENCODERS[encoder](payload)
                for placeholder in spec["placeholders"]:
                    request = attack_request(placeholder, encoder, encoded)
                    if request is not None:
                        cases.append(Case(category, placeholder, encoder, line, request))
    return cases


def benign_cases() -> list[Case]:
    cases = []
    for text in _lines(SELECTION["benign"]["text"]["file"]):
        cases.append(Case("text", "query_param", "browser", text, _request("GET", "/search?q=" + quote_plus(text))))
        cases.append(Case("text", "form_body", "browser", text, _form(urlencode({"message": text})[len("message="):])))
        cases.append(Case("text", "json_body", "browser", text, _json(json.dumps({"name": "Alex", "message": text}))))
        if text.isascii():
            cases.append(Case("text", "header", "browser", text, _request("GET", "/", [("X-Comment", text)])))
    for document in _lines(SELECTION["benign"]["json"]["file"]):
        cases.append(Case("json", "json_body", "plain", document, _json(document)))
    for header_set in json.loads((CORPUS / SELECTION["benign"]["headers"]["file"]).read_text()):
        headers = [(name, _utf8(value)) for name, value in header_set["headers"]]
        request = WafRequest.from_target("GET", "/", headers, b"", client_ip="203.0.113.200")
        cases.append(Case("headers", "headers", "plain", header_set["name"], request))
    for target in _lines(SELECTION["benign"]["paths"]["file"]):
        cases.append(Case("paths", "url_path", "plain", target, _request("GET", target)))
    return cases


# -- grading -----------------------------------------------------------------------------------------------------
@dataclass
class Report:
    attacks: int = 0
    blocked: int = 0
    benign: int = 0
    passed: int = 0
    misses: list[Case] = field(default_factory=list)
    false_positives: list[tuple[Case, str]] = field(default_factory=list)
    by_category: Counter = field(default_factory=Counter)  # category → attacks
    blocked_by_category: Counter = field(default_factory=Counter)
    seconds: float = 0.0

    @property
    def tp(self) -> float:
        return 100.0 * self.blocked / self.attacks

    @property
    def tn(self) -> float:
        return 100.0 * self.passed / self.benign

    @property
    def score(self) -> float:
        return (self.tp + self.tn) / 2

    def summary(self) -> str:
        lines = [f"TP {self.tp:.1f}% ({self.blocked}/{self.attacks})  TN {self.tn:.1f}% ({self.passed}/{self.benign})"
                 f"  score {self.score:.1f} (goal {GOAL})  [{self.seconds:.2f} s]"]
        for category in self.by_category:
            total, hit = self.by_category[category], self.blocked_by_category[category]
            lines.append(f"  {category:16} {100.0 * hit / total:5.1f}%  ({hit}/{total})")
        return "\n".join(lines)

    def details(self, limit: int = 40) -> str:
        lines = ["misses:"] + [f"  {c.category}/{c.placeholder}/{c.encoder}: {c.payload}" for c in self.misses[:limit]]
        lines += ["false positives:"] + [f"  {c.category}/{c.placeholder}: {c.payload!r} ← {rule}"
                                         for c, rule in self.false_positives[:limit]]
        return "\n".join(lines)


def grade(engine: WafEngine | None = None) -> Report:
    engine = engine or WafEngine(StaticResources())
    web_acl = managed_web_acl()
    report = Report()
    start = time.perf_counter()
    for case in attack_cases():
        decision = engine.evaluate(web_acl, case.request, now=0.0)
        report.attacks += 1
        report.by_category[case.category] += 1
        if decision.action == "BLOCK":
            report.blocked += 1
            report.blocked_by_category[case.category] += 1
        else:
            report.misses.append(case)
    for case in benign_cases():
        decision = engine.evaluate(web_acl, case.request, now=0.0)
        report.benign += 1
        if decision.action == "ALLOW":
            report.passed += 1
        else:
            report.false_positives.append((case, decision.terminating_rule or ""))
    report.seconds = time.perf_counter() - start
    return report


if __name__ == "__main__":
    result = grade()
    print(result.summary())
    print(result.details(limit=200))
