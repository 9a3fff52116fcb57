"""tools.strip_outputs: secrets redacted in place, and --check failing while any are left."""

from __future__ import annotations

import shutil

import nbformat
import pytest

from tools.strip_outputs import strip


@pytest.fixture
def notebook(tmp_path, files):
    """A copy of secrets-in-outputs.ipynb: an account id twice, an access key id and a secret key in its outputs."""
    return shutil.copy(files / "secrets-in-outputs.ipynb", tmp_path)


def test_strip_redacts_in_place_and_counts(notebook):
    """Does strip rewrite the notebook with its secrets redacted, and return how many values it replaced?"""
    assert strip(notebook) == 4
    text = open(notebook, encoding="utf-8").read()
    assert "123456789012" not in text and "AKIAIOSFODNN7EXAMPLE" not in text and "wJalrXUtnFEMI" not in text
    assert "aws_secret_access_key=<redacted>" in text
    assert nbformat.read(notebook, as_version=4).cells[0].source == "sts.get_caller_identity()"
    assert strip(notebook) == 0


def test_check_fails_on_secrets_and_changes_nothing(cli, notebook):
    """Does --check exit 1 on a notebook with secrets, name the count, and leave the file byte for byte?"""
    before = open(notebook, "rb").read()
    result = cli("strip_outputs", "--check", notebook)
    assert result.returncode == 1
    assert "4 values to redact" in result.stdout
    assert open(notebook, "rb").read() == before


def test_check_passes_after_stripping(cli, notebook):
    """Does the CLI strip and report the count, after which --check exits 0?"""
    stripped = cli("strip_outputs", notebook)
    assert (stripped.returncode, "4 values redacted" in stripped.stdout) == (0, True)
    assert cli("strip_outputs", "--check", notebook).returncode == 0


def test_unreadable_notebook_is_one_line(cli, tmp_path):
    """Does a file that is not a notebook give one 'error:' line and exit 1?"""
    broken = tmp_path / "broken.ipynb"
    broken.write_text("{not json")
    result = cli("strip_outputs", broken)
    assert result.returncode == 1
    [line] = result.stderr.splitlines()
    assert line.startswith("error: ") and "broken.ipynb: cannot read the notebook" in line
