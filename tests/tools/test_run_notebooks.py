"""tools.run_notebooks: notebooks executed in a real kernel, one line each, stopping at the first failure."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook


def write(path, *sources):
    nbformat.write(new_notebook(cells=[new_code_cell(source) for source in sources]), path)
    return path


def test_passing_notebook_runs_in_its_folder_and_is_saved_stripped(cli, tmp_path):
    """Does a passing notebook print a ✓ line, exit 0, run in its own folder, and leave a stripped executed copy?"""
    (tmp_path / "data.txt").write_text("arn:aws:iam::123456789012:root")
    notebook = write(tmp_path / "00-ok.ipynb", "print(open('data.txt').read())")
    out = tmp_path / "out"
    result = cli("run_notebooks", notebook, "--out", out)
    assert result.returncode == 0, result.stdout + result.stderr
    [line] = result.stdout.splitlines()
    assert line.startswith(f"✓ {notebook}  ") and line.endswith(" s")
    executed = nbformat.read(out / "00-ok.ipynb", as_version=4)
    assert executed.cells[0].outputs[0].text == "arn:aws:iam::<account-id>:root\n"


def test_failure_is_one_line_and_stops_the_run(cli, tmp_path):
    """Does a failing cell give one ✗ line with its index and error, exit 1, and keep later notebooks from running?"""
    nb = new_notebook(cells=[new_markdown_cell("# Broken"), new_code_cell("x = 1"), new_code_cell("x / 0")])
    nbformat.write(nb, tmp_path / "01-broken.ipynb")
    later = write(tmp_path / "02-later.ipynb", "print('should not run')")
    out = tmp_path / "out"
    result = cli("run_notebooks", tmp_path / "01-broken.ipynb", later, "--out", out)
    assert result.returncode == 1
    lines = result.stdout.splitlines()
    assert lines[0].startswith(f"✗ {tmp_path / '01-broken.ipynb'} cell 2 (id ")
    assert lines[0].endswith("): ZeroDivisionError: division by zero")
    assert "Traceback" not in result.stdout + result.stderr
    assert (out / "01-broken.ipynb").exists() and not (out / "02-later.ipynb").exists()


def test_unmatched_glob_is_ignored_and_nothing_to_run_fails(cli, tmp_path):
    """Is a glob that matched nothing ignored, so that with no notebooks left the run says so and exits 1?"""
    result = cli("run_notebooks", f"{tmp_path}/*.ipynb", "--out", tmp_path / "out")
    assert result.returncode == 1
    assert result.stdout.startswith("no notebooks to run")
