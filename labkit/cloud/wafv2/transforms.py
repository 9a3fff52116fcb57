"""AWS WAF text transformations (``TextTransformation.Type``), applied lowest ``Priority`` first.

    TRANSFORMS          type name → function(str) -> str, for every type in the botocore model (31 types)
    apply(value, types) run a chain of types over one value
    chain(specs)        the ordered tuple of types from a rule's ``TextTransformations`` list

Values are one character per byte (see request.py), so a decode that yields bytes maps them back the same way.
The semantics follow the WAF Developer Guide ("Text transformations", quoted in the botocore/SDK docs) and, where
the guide is brief, ModSecurity's ``t:`` functions of the same name (aws-facts WAFv2: "close to ModSecurity t:
functions"). CMD_LINE_UNIX, CMD_LINE_WIN and JS_DECODE_EXT have no ModSecurity twin and only a one-line AWS
description; they are approximations, noted at each function.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import re
from collections.abc import Callable, Iterable
from urllib.parse import unquote_to_bytes

_LOWER = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")
_UPPER = str.maketrans("abcdefghijklmnopqrstuvwxyz", "ABCDEFGHIJKLMNOPQRSTUVWXYZ")
_HEX = "0123456789abcdefABCDEF"


def _bytes(value: str) -> bytes:
    return value.encode("latin-1", "replace")


def _text(data: bytes) -> str:
    return data.decode("latin-1")


def _codepoint_text(codepoint: int) -> str:
    """A decoded character above one byte, as its UTF-8 bytes (what the application would hold)."""
    try:
        return _text(chr(codepoint).encode("utf-8", "surrogatepass"))
    except (ValueError, OverflowError):
        return ""


# -- case and whitespace -----------------------------------------------------------------------------------------
def lowercase(value: str) -> str:
    """A-Z to a-z only (other letters untouched, as AWS specifies)."""
    return value.lower() if value.isascii() else value.translate(_LOWER)


def uppercase(value: str) -> str:
    return value.upper() if value.isascii() else value.translate(_UPPER)


_WS_CLASS = "\f\t\n\r\v\xa0 "
_COMPRESS = re.compile(f"[{_WS_CLASS}]+")
_ALL_WS = re.compile(f"[{_WS_CLASS}]")


def compress_white_space(value: str) -> str:
    """\\f \\t \\n \\r \\v and NBSP (160) become a space; runs of spaces become one."""
    return _COMPRESS.sub(" ", value)


def remove_whitespace(value: str) -> str:
    return _ALL_WS.sub("", value)


def trim(value: str) -> str:
    return value.strip(_WS_CLASS)


def trim_left(value: str) -> str:
    return value.lstrip(_WS_CLASS)


def trim_right(value: str) -> str:
    return value.rstrip(_WS_CLASS)


# -- URL, HTML, JS, CSS and C escapes ----------------------------------------------------------------------------
def url_decode(value: str) -> str:
    """%HH sequences and '+' (a space), like ModSecurity t:urlDecode; invalid sequences stay as they are."""
    if "%" not in value and "+" not in value:
        return value
    return _text(unquote_to_bytes(_bytes(value).replace(b"+", b" ")))


_PERCENT_U = re.compile(r"%u([0-9a-fA-F]{4})")


def _wide_to_byte(code: int) -> str:
    """AWS URL_DECODE_UNI / JS_DECODE: full-width ASCII (FF01-FF5E) maps to its ASCII twin; otherwise only the
    lower byte is kept and the higher byte is zeroed (the documented, lossy behaviour)."""
    if 0xFF01 <= code <= 0xFF5E:
        return chr((code & 0xFF) + 0x20)
    return chr(code & 0xFF)


def url_decode_uni(value: str) -> str:
    """URL_DECODE plus Microsoft %uHHHH."""
    if "%u" in value or "%U" in value:
        value = _PERCENT_U.sub(lambda m: "%" + format(ord(_wide_to_byte(int(m.group(1), 16))), "02x"), value)
    return url_decode(value)


_ENTITY = re.compile(r"&(?:#[xX]([0-9a-fA-F]{1,8});?|#([0-9]{1,10});?|(quot|amp|lt|gt|nbsp);?)")
_NAMED = {"quot": '"', "amp": "&", "lt": "<", "gt": ">", "nbsp": "\xa0"}


def _entity(match: re.Match[str]) -> str:
    hex_code, dec_code, name = match.groups()
    if name:
        return _NAMED[name.lower()] if name.lower() in _NAMED else match.group(0)
    code = int(hex_code, 16) if hex_code else int(dec_code)
    return chr(code) if code < 256 else _codepoint_text(code)


def html_entity_decode(value: str) -> str:
    """&quot; &nbsp; &lt; &gt; (and &amp;), &#xhhhh; and &#nnnn; (the semicolon optional, as in ModSecurity)."""
    return _ENTITY.sub(_entity, value) if "&" in value else value


_C_ESCAPES = {"a": "\a", "b": "\b", "f": "\f", "n": "\n", "r": "\r", "t": "\t", "v": "\v",
              "\\": "\\", "?": "?", "'": "'", '"': '"'}
_ESCAPE_SEQ = re.compile(r"\\(x[0-9a-fA-F]{2}|0?[0-7]{1,3}|[abfnrtv\\?'\"])")


def escape_seq_decode(value: str) -> str:
    """ANSI C escapes \\a \\b \\f \\n \\r \\t \\v \\\\ \\? \\' \\" \\xHH \\0OOO; invalid ones stay."""
    def one(match: re.Match[str]) -> str:
        token = match.group(1)
        if token[0] == "x":
            return chr(int(token[1:], 16))
        if token[0] in "01234567":
            return chr(int(token, 8) & 0xFF)
        return _C_ESCAPES[token]
    return _ESCAPE_SEQ.sub(one, value) if "\\" in value else value


_JS_ESCAPE = re.compile(r"\\(u[0-9a-fA-F]{4}|x[0-9a-fA-F]{2}|[0-7]{1,3}|.)", re.DOTALL)


def _js_decode(value: str, keep_unknown: bool) -> str:
    def one(match: re.Match[str]) -> str:
        token = match.group(1)
        if token[0] == "u" and len(token) == 5:
            return _wide_to_byte(int(token[1:], 16))
        if token[0] == "x" and len(token) == 3:
            return chr(int(token[1:], 16))
        if token[0] in "01234567":
            return chr(int(token, 8) & 0xFF)
        if token in _C_ESCAPES:
            return _C_ESCAPES[token]
        return match.group(0) if keep_unknown else token
    return _JS_ESCAPE.sub(one, value) if "\\" in value else value


def js_decode(value: str) -> str:
    """JavaScript escapes \\uHHHH (lower byte; full-width ASCII adjusted), \\xHH, octal, C escapes; any other
    backslash-escaped character loses its backslash (ModSecurity t:jsDecode)."""
    return _js_decode(value, keep_unknown=False)


def js_decode_ext(value: str) -> str:
    """JS_DECODE that keeps unknown escapes whole (approximation: AWS only calls it an extended JS_DECODE)."""
    return _js_decode(value, keep_unknown=True)


_CSS_ESCAPE = re.compile(r"\\(?:([0-9a-fA-F]{1,6})[ \t\n\r\f]?|(\n)|(.))", re.DOTALL)


def css_decode(value: str) -> str:
    """CSS 2.x escapes: \\HHHHHH (one optional following space eaten), backslash-newline removed, and a backslash
    before any other character dropped (``ja\\vascript`` → ``javascript``)."""
    def one(match: re.Match[str]) -> str:
        hex_code, newline, other = match.groups()
        if hex_code:
            code = int(hex_code, 16)
            return chr(code) if code < 256 else _wide_to_byte(code)
        return "" if newline else other
    return _CSS_ESCAPE.sub(one, value) if "\\" in value else value


# -- binary decodes ----------------------------------------------------------------------------------------------
def base64_decode(value: str) -> str:
    """Decode Base64 (padding optional); a value that is not Base64 is left as it is."""
    stripped = value.strip()
    try:
        return _text(base64.b64decode(stripped + "=" * (-len(stripped) % 4), validate=True))
    except (binascii.Error, ValueError):
        try:
            return _text(base64.urlsafe_b64decode(stripped + "=" * (-len(stripped) % 4)))
        except (binascii.Error, ValueError):
            return value


_NOT_B64 = re.compile(r"[^A-Za-z0-9+/]")


def base64_decode_ext(value: str) -> str:
    """Forgiving Base64: characters outside the alphabet are ignored."""
    cleaned = _NOT_B64.sub("", value)
    cleaned = cleaned[: len(cleaned) - len(cleaned) % 4] if len(cleaned) % 4 == 1 else cleaned
    try:
        return _text(base64.b64decode(cleaned + "=" * (-len(cleaned) % 4)))
    except (binascii.Error, ValueError):
        return value


def hex_decode(value: str) -> str:
    """A string of hexadecimal pairs to the bytes they spell; anything else is left as it is."""
    try:
        return _text(bytes.fromhex(value))
    except ValueError:
        return value


_SQL_HEX = re.compile(r"0[xX]((?:[0-9a-fA-F]{2})+)")


def sql_hex_decode(value: str) -> str:
    """``0x414243`` → ``ABC`` wherever such a literal appears."""
    return _SQL_HEX.sub(lambda m: _text(bytes.fromhex(m.group(1))), value) if "0" in value else value


def utf8_to_unicode(value: str) -> str:
    """Multi-byte UTF-8 sequences become %uHHHH (ModSecurity t:utf8toUnicode); invalid bytes stay."""
    if value.isascii():
        return value
    decoded = _bytes(value).decode("utf-8", "surrogateescape")
    out = []
    for char in decoded:
        code = ord(char)
        if code < 0x80:
            out.append(char)
        elif 0xDC80 <= code <= 0xDCFF:  # an undecodable byte, kept
            out.append(chr(code - 0xDC00))
        else:
            out.append(f"%u{code:04x}" if code <= 0xFFFF else f"%u{code:x}")
    return "".join(out)


# -- nulls, comments, paths, command lines -----------------------------------------------------------------------
def remove_nulls(value: str) -> str:
    return value.replace("\x00", "")


def replace_nulls(value: str) -> str:
    return value.replace("\x00", " ")


_C_COMMENT = re.compile(r"/\*.*?(?:\*/|\Z)", re.DOTALL)


def replace_comments(value: str) -> str:
    """Each /* … */ (or unterminated /* …) becomes one space; a lone */ is left alone."""
    return _C_COMMENT.sub(" ", value) if "/*" in value else value


_COMMENT_CHARS = re.compile(r"/\*|\*/|--|#|<!--")


def remove_comments_char(value: str) -> str:
    """Remove the comment characters themselves: /* */ -- # and <!-- (ModSecurity t:removeCommentsChar)."""
    return _COMMENT_CHARS.sub("", value)


def normalize_path(value: str) -> str:
    """Remove repeated slashes, self-references (./) and back-references (dir/..) that are not at the start."""
    if "/" not in value and "." not in value:
        return value
    absolute = value.startswith("/")
    trailing = value.endswith("/") or value.endswith("/.") or value.endswith("/..")
    parts: list[str] = []
    for segment in value.split("/"):
        if segment in ("", "."):
            continue
        if segment == ".." and parts and parts[-1] != "..":
            parts.pop()
        else:
            parts.append(segment)  # a back-reference at the beginning stays
    result = "/".join(parts)
    if absolute:
        result = "/" + result
    if trailing and result and not result.endswith("/"):
        result += "/"
    return result


def normalize_path_win(value: str) -> str:
    return normalize_path(value.replace("\\", "/"))


_CMD_DELETE = str.maketrans("", "", "\\\"'^")
_SPACE_BEFORE = re.compile(r" +(?=[/(])")
_SPACES = re.compile(r" {2,}")


def cmd_line(value: str) -> str:
    """Delete \\ " ' ^; delete spaces before / and (; ',' and ';' become spaces; collapse spaces; lowercase."""
    value = value.translate(_CMD_DELETE).replace(",", " ").replace(";", " ")
    return lowercase(_SPACES.sub(" ", _SPACE_BEFORE.sub("", value)))


def cmd_line_win(value: str) -> str:
    """CMD_LINE as written for Windows shells (``^`` is cmd.exe's escape); identical to CMD_LINE here."""
    return cmd_line(value)


_UNIX_DELETE = str.maketrans("", "", "\\\"'")
_IFS = re.compile(r"\$\{?IFS\}?")


def cmd_line_unix(value: str) -> str:
    """Approximation for POSIX shells: quotes and backslashes deleted, $IFS read as a space, ',' ';' as spaces,
    spaces before / and ( deleted, spaces collapsed; no lowercasing (POSIX commands are case-sensitive)."""
    value = _IFS.sub(" ", value.translate(_UNIX_DELETE)).replace(",", " ").replace(";", " ")
    return _SPACES.sub(" ", _SPACE_BEFORE.sub("", value))


# -- hashes ------------------------------------------------------------------------------------------------------
def md5(value: str) -> str:
    """The raw binary MD5 digest of the input."""
    return _text(hashlib.md5(_bytes(value), usedforsecurity=False).digest())


def sha256(value: str) -> str:
    return _text(hashlib.sha256(_bytes(value)).digest())


TRANSFORMS: dict[str, Callable[[str], str]] = {
    "NONE": lambda value: value,
    "COMPRESS_WHITE_SPACE": compress_white_space,
    "HTML_ENTITY_DECODE": html_entity_decode,
    "LOWERCASE": lowercase,
    "CMD_LINE": cmd_line,
    "URL_DECODE": url_decode,
    "BASE64_DECODE": base64_decode,
    "HEX_DECODE": hex_decode,
    "MD5": md5,
    "REPLACE_COMMENTS": replace_comments,
    "ESCAPE_SEQ_DECODE": escape_seq_decode,
    "SQL_HEX_DECODE": sql_hex_decode,
    "CSS_DECODE": css_decode,
    "JS_DECODE": js_decode,
    "NORMALIZE_PATH": normalize_path,
    "NORMALIZE_PATH_WIN": normalize_path_win,
    "REMOVE_NULLS": remove_nulls,
    "REPLACE_NULLS": replace_nulls,
    "BASE64_DECODE_EXT": base64_decode_ext,
    "URL_DECODE_UNI": url_decode_uni,
    "UTF8_TO_UNICODE": utf8_to_unicode,
    "REMOVE_WHITESPACE": remove_whitespace,
    "TRIM": trim,
    "TRIM_LEFT": trim_left,
    "TRIM_RIGHT": trim_right,
    "REMOVE_COMMENTS_CHAR": remove_comments_char,
    "UPPERCASE": uppercase,
    "CMD_LINE_WIN": cmd_line_win,
    "CMD_LINE_UNIX": cmd_line_unix,
    "JS_DECODE_EXT": js_decode_ext,
    "SHA256": sha256,
}


def chain(specs: Iterable[dict] | None) -> tuple[str, ...]:
    """``[{"Priority": 1, "Type": "LOWERCASE"}, {"Priority": 0, "Type": "URL_DECODE"}]`` → the types by priority.
    Raises KeyError for a type the model does not define."""
    ordered = sorted(specs or (), key=lambda spec: spec.get("Priority", 0))
    types = tuple(spec["Type"] for spec in ordered if spec["Type"] != "NONE")
    for name in types:
        if name not in TRANSFORMS:
            raise KeyError(f"unknown text transformation {name!r}")
    return types


def apply(value: str, types: tuple[str, ...]) -> str:
    for name in types:
        value = TRANSFORMS[name](value)
    return value
