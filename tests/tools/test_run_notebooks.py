"""tools.run_notebooks: notebooks executed in a real kernel, one line each, stopping at the first failure."""

from __future__ import annotations

import nbformat
from nbformat.v4 import new_code_cell, new_markdown_cell, new_notebook

from tools.notebooks import ROOT
from tools.run_notebooks import executed_copy


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
    executed = nbformat.read(out / tmp_path.name / "00-ok.ipynb", as_version=4)
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
    assert (out / tmp_path.name / "01-broken.ipynb").exists() and not (out / tmp_path.name / "02-later.ipynb").exists()


def test_unmatched_glob_is_ignored_and_nothing_to_run_fails(cli, tmp_path):
    """Is a glob that matched nothing ignored, so that with no notebooks left the run says so and exits 1?"""
    result = cli("run_notebooks", f"{tmp_path}/*.ipynb", "--out", tmp_path / "out")
    assert result.returncode == 1
    assert result.stdout.startswith("no notebooks to run")


def test_a_lab_and_its_solution_keep_separate_executed_copies(cli, tmp_path):
    """Does running labs/01-s3.ipynb leave the executed copy of solutions/01-s3.ipynb as it was?"""
    for folder, word in (("solutions", "answer"), ("labs", "stub")):
        (tmp_path / folder).mkdir()
        write(tmp_path / folder / "01-s3.ipynb", f"print({word!r})")
    out = tmp_path / "out"
    result = cli("run_notebooks", tmp_path / "solutions" / "01-s3.ipynb", tmp_path / "labs" / "01-s3.ipynb",
                 "--out", out)
    assert result.returncode == 0, result.stdout + result.stderr
    solution = nbformat.read(out / "solutions" / "01-s3.ipynb", as_version=4)
    lab = nbformat.read(out / "labs" / "01-s3.ipynb", as_version=4)
    assert (solution.cells[0].outputs[0].text, lab.cells[0].outputs[0].text) == ("answer\n", "stub\n")


def test_executed_copies_of_the_repository_notebooks_go_under_their_folder_name():
    """Do the repository's labs and solutions map to reports/notebooks/labs/… and …/solutions/…, however named?"""
    out = ROOT / "reports" / "notebooks"
    assert executed_copy(ROOT / "labs" / "01-s3.ipynb", out) == out / "labs" / "01-s3.ipynb"
    assert executed_copy(ROOT / "solutions" / "01-s3.ipynb", out) == out / "solutions" / "01-s3.ipynb"
    assert executed_copy(ROOT / "labs" / ".." / "solutions" / "01-s3.ipynb", out) == out / "solutions" / "01-s3.ipynb"
