"""StripSecrets: each kind of secret in outputs is redacted, and nothing else is."""

from __future__ import annotations

import pytest
from nbformat.v4 import new_code_cell, new_notebook, new_output

from tools.preprocessors import StripSecrets

JWT = "eyJhbGciOiJSUzI1NiJ9.eyJzdWIiOiJhZGEifQ.c2lnbmF0dXJl-_x"


def strip(*outputs, source=""):
    """The outputs after StripSecrets, and the number of redactions it reports."""
    step = StripSecrets()
    nb = step.preprocess(new_notebook(cells=[new_code_cell(source, outputs=list(outputs))]), "lab.ipynb")
    return nb.cells[0].outputs, step.redactions


def stdout(text):
    return new_output("stream", name="stdout", text=text)


@pytest.mark.parametrize(("text", "expected"), [
    (f"IdToken: {JWT}\n", "IdToken: <redacted:jwt>\n"),
    ("key AKIAIOSFODNN7EXAMPLE in use", "key <redacted:access-key> in use"),
    ("temporary ASIAY34FZKBOKMUTVV7A.", "temporary <redacted:access-key>."),
    ("SecretAccessKey: wJalrXUtnFEMI/K7MDENG+bPxRfiCY", "SecretAccessKey: <redacted>"),
    ("aws_secret_access_key=wJalrXUtnFEMI/K7MDENG", "aws_secret_access_key=<redacted>"),
    ('{"SessionToken": "FwoGZXIvYXdzEBY=", "Expiration": 3600}', '{"SessionToken": "<redacted>", "Expiration": 3600}'),
    ("{'Password': 'hunter2', 'Username': 'ada'}", "{'Password': '<redacted>', 'Username': 'ada'}"),
    ("password = s3cret!", "password = <redacted>"),
    ("'SecretCode': 'ABCD1234'", "'SecretCode': '<redacted>'"),
    ("RefreshToken=abc.def", "RefreshToken=<redacted>"),
    ('"ClientSecret": "1q2w3e"', '"ClientSecret": "<redacted>"'),
    ("Account 123456789012 ready", "Account <account-id> ready"),
    ("arn:aws:iam::123456789012:role/lab", "arn:aws:iam::<account-id>:role/lab"),
])
def test_each_kind_of_secret_is_redacted(text, expected):
    """Is each kind of secret in a stream's text replaced by its placeholder, with one redaction counted?"""
    [output], redactions = strip(stdout(text))
    assert (output.text, redactions) == (expected, 1)


@pytest.mark.parametrize("text", [
    "1234567890123",  # 13 digits
    "12345678901",  # 11 digits
    "created 2024-05-01T12:34:56.789012Z, epoch ms 1714566896789",
    "pi = 3.141592653589",  # 12 digits after a decimal point
    "PasswordPolicy: strict, MinimumPasswordLength: 12",
    "Password: None",
])
def test_ordinary_text_is_not_redacted(text):
    """Are ordinary numbers, timestamps and harmless keys left alone, with no redaction counted?"""
    [output], redactions = strip(stdout(text))
    assert (output.text, redactions) == (text, 0)


def test_rich_outputs_and_json_are_redacted():
    """Are text/plain, text/html, text/markdown and JSON (walked as a dict) redacted, but images left alone?"""
    data = {
        "text/plain": "'Account': '123456789012'",
        "text/html": f"<td>{JWT}</td>",
        "text/markdown": "`AKIAIOSFODNN7EXAMPLE`",
        "application/json": {"Credentials": {"SecretAccessKey": "wJalr/K7MDENG", "AccessKeyId": "ASIAY34FZKBOKMUTVV7A"},
                             "Arns": ["arn:aws:sns:us-east-1:123456789012:topic"], "Count": 123456789012},
        "image/png": "iVBORw0KGgo123456789012eyJhbGciOiJ9.eyJ9.sig",
    }
    [output], redactions = strip(new_output("display_data", data=data))
    assert output.data == {
        "text/plain": "'Account': '<account-id>'",
        "text/html": "<td><redacted:jwt></td>",
        "text/markdown": "`<redacted:access-key>`",
        "application/json": {"Credentials": {"SecretAccessKey": "<redacted>", "AccessKeyId": "<redacted:access-key>"},
                             "Arns": ["arn:aws:sns:us-east-1:<account-id>:topic"], "Count": 123456789012},
        "image/png": data["image/png"],
    }
    assert redactions == 6


def test_error_outputs_are_redacted():
    """Is an error's message and traceback redacted too (AWS errors quote ARNs)?"""
    message = "User arn:aws:iam::123456789012:user/ada is not authorized"
    [output], redactions = strip(new_output("error", ename="ClientError", evalue=message, traceback=[message]))
    assert output.evalue == "User arn:aws:iam::<account-id>:user/ada is not authorized"
    assert output.traceback == [output.evalue]
    assert redactions == 2


def test_sources_are_not_touched():
    """Is a secret in a cell's source left as typed (only outputs are stripped)?"""
    step = StripSecrets()
    nb = step.preprocess(new_notebook(cells=[new_code_cell("account = '123456789012'")]), "lab.ipynb")
    assert (nb.cells[0].source, step.redactions) == ("account = '123456789012'", 0)


def test_stripping_twice_finds_nothing_new():
    """Does a second pass over stripped outputs count no redactions (so --check passes after a strip)?"""
    [output], first = strip(stdout(f"Password: hunter2 SessionToken='{JWT}' 123456789012 AKIAIOSFODNN7EXAMPLE"))
    [again], second = strip(output)
    assert (first, second) == (4, 0)
    assert again.text == output.text
