"""What one evaluation carries from rule to rule: the request, the labels added so far, and caches.

    Evaluation       per request: labels, transformed field values (cached by field and transformation chain:
                     many managed rules inspect the same field the same way), detection results (batched)
    MatchDetail      what made a statement match, for WafDecision.matches (debugging, not AWS's log format)
    Resources        how the engine reads referenced IP sets, regex pattern sets and rule groups (by ARN)
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any, Protocol

from .detect import Detector
from .fields import Extracted, Field, Limits, extract
from .request import WafRequest
from .transforms import TRANSFORMS


class Resources(Protocol):
    """Reads referenced WAF resources by ARN; each raises LookupError when the ARN names nothing."""

    def ip_set(self, arn: str) -> dict[str, Any]:
        """``{"IPAddressVersion": "IPV4", "Addresses": ["192.0.2.0/24", …]}``"""

    def regex_pattern_set(self, arn: str) -> dict[str, Any]:
        """``{"RegularExpressionList": [{"RegexString": "…"}, …]}``"""

    def rule_group(self, arn: str) -> dict[str, Any]:
        """The RuleGroup as boto3 ``get_rule_group`` returns it (Name, Rules, LabelNamespace, CustomResponseBodies)."""


@dataclass
class MatchDetail:
    statement: str
    field: str = ""
    value: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"statement": self.statement, "field": self.field, "value": self.value}


Probe = tuple[str, Field, tuple[str, ...], int]  # ("sqli" | "xss", field, transformations, inspection_key)

# Every (field, transformation chain) an inspecting statement uses gets a small int key, and so does each prefix
# of its chain: the value cache is probed dozens of times per request (hashing an int is cheaper than hashing the
# dataclass), and chains that share a prefix (URL_DECODE, HTML_ENTITY_DECODE[, LOWERCASE]) share its work.
_INSPECTIONS: dict[tuple[Field, tuple[str, ...]], int] = {}
_STEPS: list[tuple[int, Any]] = []  # key → (parent key, transformation name), or (-1, Field) for the raw field
_REGISTER = threading.Lock()


def inspection_key(field: Field, transforms: tuple[str, ...]) -> int:
    key = _INSPECTIONS.get((field, transforms))
    if key is not None:
        return key
    parent = inspection_key(field, transforms[:-1]) if transforms else -1
    with _REGISTER:
        key = _INSPECTIONS.get((field, transforms))
        if key is None:
            key = len(_STEPS)
            _STEPS.append((parent, transforms[-1] if transforms else field))
            _INSPECTIONS[(field, transforms)] = key
    return key


class Evaluation:
    def __init__(self, request: WafRequest, *, limits: Limits, resources: Resources | None, detector: Detector,
                 geo: Callable[[str], str | None], now: float) -> None:
        self.request = request
        self.limits = limits
        self.resources = resources
        self.detector = detector
        self.geo = geo
        self.now = now
        self.labels: list[str] = []
        self._label_set: set[str] = set()
        self.detail: MatchDetail | None = None
        self._values: dict[int, Extracted] = {}
        self._detected: dict[tuple[str, str], bool] = {}

    # -- labels ----------------------------------------------------------------------------------------------
    def add_label(self, label: str) -> None:
        if label not in self._label_set:
            self._label_set.add(label)
            self.labels.append(label)

    # -- field values ----------------------------------------------------------------------------------------
    def values(self, field: Field, transforms: tuple[str, ...], key: int | None = None) -> Extracted:
        """The field's values after the transformations (computed once per request)."""
        return self._values.get(key) or self._compute(inspection_key(field, transforms) if key is None else key)

    def _compute(self, key: int) -> Extracted:
        found = self._values.get(key)
        if found is None:
            parent, step = _STEPS[key]
            if parent < 0:
                found = extract(step, self.request, self.limits)
            else:
                base = self._compute(parent)
                transform = TRANSFORMS[step]
                found = Extracted([transform(value) for value in base.values], base.forced)
            self._values[key] = found
        return found

    # -- detection -------------------------------------------------------------------------------------------
    def prefetch(self, probes: Iterable[Probe]) -> None:
        """Run libinjection once over every value the given SqliMatch/XssMatch statements will inspect."""
        wanted: dict[str, list[str]] = {"sqli": [], "xss": []}
        for kind, field, transforms, key in probes:
            texts = self.values(field, transforms, key).values
            if kind == "sqli" and field.kind == "UriPath":  # SqliMatch also reads a path without its "/"
                texts = texts + [text.lstrip("/") for text in texts]
            for text in texts:
                if text and (kind, text) not in self._detected:
                    self._detected[(kind, text)] = False  # placeholder, filled below
                    wanted[kind].append(text)
        if wanted["sqli"] or wanted["xss"]:
            sqli, xss = self.detector.scan(sqli=wanted["sqli"], xss=wanted["xss"])
            for text, hit in zip(wanted["sqli"], sqli):
                self._detected[("sqli", text)] = hit
            for text, hit in zip(wanted["xss"], xss):
                self._detected[("xss", text)] = hit

    def detected(self, kind: str, text: str) -> bool:
        if not text:
            return False
        hit = self._detected.get((kind, text))
        if hit is None:
            hit = self.detector.sqli(text) if kind == "sqli" else self.detector.xss(text)
            self._detected[(kind, text)] = hit
        return hit
