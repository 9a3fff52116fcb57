"""SQL injection and cross-site scripting detection: libinjection, through libmodsecurity's @detectSQLi/@detectXSS.

    Detector.scan(sqli=[…], xss=[…])   one ModSecurity transaction answers many values at once
    Detector.sqli(text) / .xss(text)    a single value

AWS does not publish how SqliMatch and XssMatch decide; libinjection is the open detector behind the same
operators in ModSecurity and the OWASP CRS (aws-facts WAFv2, "Detection engines"). libinjection sees only what it
is given: the caller applies the rule's text transformations first (it misses URL- or entity-encoded payloads).

Why batches: a transaction costs about 10 µs before any rule runs (measured here; ~25 µs more when ModSecurity
has to make up a transaction id, so we pass one), each value about 1-2 µs more. Every value gets a slot, a request
header ``s<n>`` (SQLi) or ``x<n>`` (XSS), and one rule per slot reports which slots matched.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Sequence

from libmodsecurity import ModSecurity, RulesSet, Transaction

SLOTS = 48  # values per transaction and operator; larger batches are split
_SQLI_ID, _XSS_ID = 100_000, 200_000


def _rules() -> str:
    lines = ["SecRuleEngine DetectionOnly"]
    for slot in range(SLOTS):
        lines.append(f'SecRule REQUEST_HEADERS:s{slot} "@detectSQLi" "id:{_SQLI_ID + slot},phase:1,pass,log"')
        lines.append(f'SecRule REQUEST_HEADERS:x{slot} "@detectXSS" "id:{_XSS_ID + slot},phase:1,pass,log"')
    return "\n".join(lines)


class Detector:
    """Thread-safe: the engine and rules are shared, every call runs its own transaction."""

    _shared: Detector | None = None
    _shared_lock = threading.Lock()

    def __init__(self) -> None:
        self._engine = ModSecurity()
        self._engine.set_connector_information("labkit-waf")
        self._engine.set_log_callback(lambda line: None)  # matches are read from the transaction, not the log
        self._rules = RulesSet()
        if self._rules.load(_rules()) < 0:  # pragma: no cover - the rule text is fixed
            raise RuntimeError(f"libmodsecurity refused the detection rules: {self._rules.get_parser_error()}")

    @classmethod
    def shared(cls) -> Detector:
        """One detector per process (loading the rules costs a few milliseconds)."""
        with cls._shared_lock:
            if cls._shared is None:
                cls._shared = cls()
            return cls._shared

    def scan(self, sqli: Sequence[str] = (), xss: Sequence[str] = ()) -> tuple[list[bool], list[bool]]:
        """Which of ``sqli`` libinjection calls SQL injection, and which of ``xss`` cross-site scripting."""
        sqli_hits = [False] * len(sqli)
        xss_hits = [False] * len(xss)
        for start in range(0, max(len(sqli), len(xss)), SLOTS):
            self._scan_chunk(sqli[start:start + SLOTS], xss[start:start + SLOTS], sqli_hits, xss_hits, start)
        return sqli_hits, xss_hits

    def _scan_chunk(self, sqli: Sequence[str], xss: Sequence[str], sqli_hits: list[bool], xss_hits: list[bool],
                    offset: int) -> None:
        transaction = Transaction(self._engine, self._rules, "waf")
        sent = False
        for slot, text in enumerate(sqli):
            if text:
                transaction.add_request_header(f"s{slot}", text)
                sent = True
        for slot, text in enumerate(xss):
            if text:
                transaction.add_request_header(f"x{slot}", text)
                sent = True
        if not sent:
            return
        transaction.process_request_headers()
        for message in transaction.get_rule_messages():
            if message.rule_id >= _XSS_ID:
                xss_hits[offset + message.rule_id - _XSS_ID] = True
            else:
                sqli_hits[offset + message.rule_id - _SQLI_ID] = True

    def sqli(self, text: str) -> bool:
        return self.scan(sqli=[text])[0][0]

    def xss(self, text: str) -> bool:
        return self.scan(xss=[text])[1][0]


# SQL injection shapes libinjection's fingerprints miss or only see in a value of their own (a whole JSON or form
# body hides them): UNION-based extraction, time-based blind probes, stacked DDL, catalog tables, file and shell
# functions, and tautologies. Used by SensitivityLevel HIGH and by the SQLiExtendedPatterns_* managed rules.
# Written for lowercased text that is already URL-/entity-decoded, comment-stripped and whitespace-compressed;
# lowercase and free of (?i) and leading \b, Python's regex engine runs it about four times faster.
EXTENDED_SQLI_PATTERN = (
    r"union[\s(]+(?:all[\s(]+|distinct[\s(]+)?select\b[\s(]*(?:null\b|\d|@@|'|\"|\*|\w+\s*\(|[\w\s,.]*\bfrom\b)"
    r"|(?:sleep|benchmark|randomblob)\s*\(\s*\d"
    r"|waitfor\s+(?:delay|time)\s+'"
    r"|(?:information_schema|pg_catalog|sqlite_master|mysql\.user|sys\.(?:objects|tables|databases))\b"
    r"|(?:load_file|xp_cmdshell|sp_executesql|extractvalue|updatexml|dbms_pipe\.receive_message|utl_inaddr"
    r"\.get_host_address)\s*\("
    r"|into\s+(?:out|dump)file\b"
    r"|;\s*(?:drop|truncate|alter)\s+(?:table|database|schema)\b"
    r"|['\")]\s*(?:or|and|\|\||&&)\s+['\"(]?(\w+)['\")]?\s*(?:=|like)\s*['\"(]?\1\b"
)
EXTENDED_SQLI = re.compile(EXTENDED_SQLI_PATTERN)
