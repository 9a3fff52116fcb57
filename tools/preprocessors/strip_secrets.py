"""StripSecrets: outputs stay readable, but credentials and account ids in them do not leave the machine."""

from __future__ import annotations

import re
from typing import Any, Callable

from nbformat import NotebookNode

# Output fields and MIME types that hold text. Others (images, widgets) are left alone: base64 would give false hits.
TEXT_FIELDS = ("text", "evalue", "traceback")
TEXT_MIME_TYPES = ("text/plain", "text/html", "text/markdown", "application/json")

# Names whose value is a secret, with any prefix and '_'/'-' optional: SecretAccessKey, aws_secret_access_key,
# AWS_SESSION_TOKEN, X-Amz-Security-Token, TemporaryPassword, ClientSecret…
SECRET_NAME = re.compile(
    r"[\w-]*?(?:secret[_-]?access[_-]?key|session[_-]?token|security[_-]?token|password|secret[_-]?code"
    r"|refresh[_-]?token|client[_-]?secret)",
    re.IGNORECASE,
)
# key: value, key=value, "key": "value", 'key': 'value' (the key's quotes must match); the key part is kept.
KEY_VALUE = re.compile(
    rf"""(?P<key>(?P<quote>["']?)\b{SECRET_NAME.pattern}(?P=quote)\s*[:=]\s*)"""
    r"""(?P<value>"[^"\n]*"|'[^'\n]*'|[^\s"',;&)}\]]+)""",
    re.IGNORECASE,
)
JWT = re.compile(r"(?<![\w-])eyJ[\w-]+(?:\.[\w-]+){2,}", re.ASCII)  # three segments, or five for an encrypted one (JWE)
ACCESS_KEY = re.compile(r"(?<![A-Z0-9])(?:AKIA|ASIA)[A-Z0-9]{16}(?![A-Z0-9])")
# Exactly 12 digits; not the fraction or integer part of a decimal number.
ACCOUNT_ID = re.compile(r"(?<!\d)(?<!\d\.)\d{12}(?!\d)(?!\.\d)")


def _is_secret(value: str) -> bool:
    """False for what is no secret: empty, null, or a placeholder such as ``<redacted>`` (so stripping twice finds
    nothing the second time)."""
    value = value.strip("\"'")
    return bool(value) and value not in ("None", "null") and not (value.startswith("<") and value.endswith(">"))


def _redact_value(match: re.Match[str]) -> str:
    value = match["value"]
    if not _is_secret(value):
        return match[0]
    quote = value[0] if value[0] in "\"'" else ""
    return f"{match['key']}{quote}<redacted>{quote}"


# Order matters: a key's whole value goes first (a refresh token need not look like a JWT), and access key ids
# before account ids (an access key id may contain 12 digits in a row).
RULES: list[tuple[re.Pattern[str], Callable[[re.Match[str]], str]]] = [
    (KEY_VALUE, _redact_value),
    (JWT, lambda match: "<redacted:jwt>"),
    (ACCESS_KEY, lambda match: "<redacted:access-key>"),
    (ACCOUNT_ID, lambda match: "<account-id>"),
]


class StripSecrets:
    """Redact secrets in the text of every output; ``self.redactions`` then says how many values were replaced.

    Sources are not touched: what the author typed is theirs to fix, and rewriting code would change what it does.
    """

    def __init__(self) -> None:
        self.redactions = 0

    def preprocess(self, nb: NotebookNode, name: str) -> NotebookNode:
        for cell in nb.cells:
            for output in cell.get("outputs", []):
                for field in TEXT_FIELDS:
                    if field in output:
                        output[field] = self._walk(output[field])
                data = output.get("data", {})
                for mime_type in TEXT_MIME_TYPES:
                    if mime_type in data:
                        data[mime_type] = self._walk(data[mime_type])
        return nb

    def _walk(self, value: Any, key: str | None = None) -> Any:
        """Redact strings anywhere in ``value`` (a string, or JSON: lists and dicts), counting each replacement."""
        if isinstance(value, dict):
            return {k: self._walk(v, k) for k, v in value.items()}
        if isinstance(value, list):
            return [self._walk(item) for item in value]
        if not isinstance(value, str):
            return value
        if key is not None and SECRET_NAME.fullmatch(key) and _is_secret(value):
            return self._count(value, "<redacted>")
        for pattern, replace in RULES:
            value = pattern.sub(lambda match: self._count(match[0], replace(match)), value)
        return value

    def _count(self, old: str, new: str) -> str:
        if new != old:
            self.redactions += 1
        return new
