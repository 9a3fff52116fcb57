"""Text transformations: does each type do what the WAF Developer Guide says ("Text transformations"; the same
descriptions are in the SDK docs of TextTransformation.Type), close to ModSecurity's t: functions (aws-facts
WAFv2), and are chains applied lowest Priority first?"""

from __future__ import annotations

import hashlib

import botocore.session
import pytest

from labkit.cloud.wafv2 import transforms
from labkit.cloud.wafv2.request import as_text

CASES = [
    # URL_DECODE: "Decode a URL-encoded value"; '+' is a space and broken escapes stay (ModSecurity t:urlDecode).
    ("URL_DECODE", "%3Cscript%3E+x%41", "<script> xA"),
    ("URL_DECODE", "100%zz", "100%zz"),
    # URL_DECODE_UNI: Microsoft %u; full-width ASCII (FF01-FF5E) is adjusted to ASCII, otherwise the low byte.
    ("URL_DECODE_UNI", "%u003cscript%u003e", "<script>"),
    ("URL_DECODE_UNI", "%uff1cb%uFF1E", "<b>"),
    # HTML_ENTITY_DECODE: &quot; &nbsp; &lt; &gt; &#xhhhh; &#nnnn;
    ("HTML_ENTITY_DECODE", "&lt;b&gt;&quot;x&quot;&#60;&#x3c;&#X3C;&nbsp;", '<b>"x"<<<\xa0'),
    ("HTML_ENTITY_DECODE", "&#x3cscript&#x3e", "<script>"),  # the semicolon is optional, as in ModSecurity
    # LOWERCASE / UPPERCASE: A-Z only.
    ("LOWERCASE", "SeLeCt \xc9", "select \xc9"),
    ("UPPERCASE", "select", "SELECT"),
    # COMPRESS_WHITE_SPACE: \f \t \n \r \v and NBSP (160) become a space, runs become one space.
    ("COMPRESS_WHITE_SPACE", "a\t\n\r\f\v\xa0  b", "a b"),
    ("REMOVE_WHITESPACE", " a b\tc ", "abc"),
    ("TRIM", "  a b \t", "a b"),
    ("TRIM_LEFT", "  a b  ", "a b  "),
    ("TRIM_RIGHT", "  a b  ", "  a b"),
    # BASE64_DECODE; BASE64_DECODE_EXT ignores characters that are not Base64.
    ("BASE64_DECODE", "PHNjcmlwdD4=", "<script>"),
    ("BASE64_DECODE", "PHNjcmlwdD4", "<script>"),
    ("BASE64_DECODE", "not base64!", "not base64!"),
    ("BASE64_DECODE_EXT", "PHN.jcm-lw!dD4", "<script>"),
    ("HEX_DECODE", "3c7363726970743e", "<script>"),
    # SQL_HEX_DECODE: "0x414243 will be decoded to ABC".
    ("SQL_HEX_DECODE", "select 0x414243, 0x61646d696e", "select ABC, admin"),
    # CMD_LINE: delete \ " ' ^; delete spaces before / and (; ',' and ';' to spaces; one space; lowercase.
    ("CMD_LINE", '"C:\\Windows\\System32\\CMD.exe"  /c  "dir",x;y', "c:windowssystem32cmd.exe/c dir x y"),
    ("CMD_LINE", "w^h'o\"a\\mi (x)", "whoami(x)"),
    ("CMD_LINE_WIN", "DI^R", "dir"),
    ("CMD_LINE_UNIX", "c'a't${IFS}/etc/passwd", "cat/etc/passwd"),
    # NORMALIZE_PATH: multiple slashes, self-references and back-references not at the beginning.
    ("NORMALIZE_PATH", "/a//b/./c/../d", "/a/b/d"),
    ("NORMALIZE_PATH", "../../etc/passwd", "../../etc/passwd"),
    ("NORMALIZE_PATH", "/static/../WEB-INF/web.xml", "/WEB-INF/web.xml"),
    ("NORMALIZE_PATH_WIN", "C:\\a\\\\b\\..\\c", "C:/a/c"),
    # REPLACE_COMMENTS: each /* */ (or unterminated /*) becomes one space; a lone */ is left alone.
    ("REPLACE_COMMENTS", "UNION/**/SELECT/*x*/1", "UNION SELECT 1"),
    ("REPLACE_COMMENTS", "a/*never closed", "a "),
    ("REPLACE_COMMENTS", "a*/b", "a*/b"),
    ("REMOVE_COMMENTS_CHAR", "a/*b*/c--d#e", "abcde"),
    ("REMOVE_NULLS", "a\x00b\x00", "ab"),
    ("REPLACE_NULLS", "a\x00b", "a b"),
    # JS_DECODE: \uHHHH (full-width adjusted, otherwise the low byte), \xHH, octal, C escapes.
    ("JS_DECODE", "\\u003cscript\\u003e\\x3c\\'", "<script><'"),
    ("JS_DECODE", "\\uff1c\\u4e3c", "<<"),
    ("JS_DECODE", "\\d", "d"),
    ("JS_DECODE_EXT", "\\d\\u0041", "\\dA"),
    # CSS_DECODE: "ja\vascript" for "javascript"; hex escapes eat one following space.
    ("CSS_DECODE", "ja\\vascript", "javascript"),
    ("CSS_DECODE", "\\3c script", "<script"),
    # ESCAPE_SEQ_DECODE: ANSI C escapes, \xHH and octal; invalid ones stay.
    ("ESCAPE_SEQ_DECODE", "a\\tb\\x41\\101\\q", "a\tbAA\\q"),
    ("UTF8_TO_UNICODE", as_text("café"), "caf%u00e9"),
    ("NONE", "unchanged", "unchanged"),
]


@pytest.mark.parametrize(("kind", "value", "expected"), CASES, ids=[f"{c[0]}-{i}" for i, c in enumerate(CASES)])
def test_transformation(kind, value, expected):
    """Does the transformation turn the input into what the guide describes?"""
    assert transforms.TRANSFORMS[kind](value) == expected


def test_hashes_are_raw_digests():
    """MD5 and SHA256: "calculate a hash from the data in the input; the computed hash is in a raw binary form"."""
    assert transforms.md5("abc").encode("latin-1") == hashlib.md5(b"abc").digest()
    assert transforms.sha256("abc").encode("latin-1") == hashlib.sha256(b"abc").digest()


def test_every_model_type_is_implemented():
    """Is every TextTransformationType of the botocore wafv2 model implemented, and nothing else?"""
    model = botocore.session.get_session().get_service_model("wafv2")
    assert set(transforms.TRANSFORMS) == set(model.shape_for("TextTransformationType").enum)


def test_chain_runs_lowest_priority_first():
    """aws-facts WAFv2: transformations are applied lowest priority first, whatever their order in the list."""
    specs = [{"Priority": 5, "Type": "HTML_ENTITY_DECODE"}, {"Priority": 1, "Type": "URL_DECODE"}]
    order = transforms.chain(specs)
    assert order == ("URL_DECODE", "HTML_ENTITY_DECODE")
    # %26lt%3B is "&lt;" after URL decoding: only URL first, then entities, yields "<".
    assert transforms.apply("%26lt%3B", order) == "<"
    assert transforms.apply("%26lt%3B", tuple(reversed(order))) == "&lt;"


def test_unknown_type_is_refused():
    with pytest.raises(KeyError):
        transforms.chain([{"Priority": 0, "Type": "ROT13"}])
