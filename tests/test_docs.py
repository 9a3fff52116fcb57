"""The docs match the code: the site builds strictly, and every `make X` the docs mention exists."""

from __future__ import annotations

import os
import re
import subprocess
import sys

from labkit.config import PORTS, PROJECT_ROOT


def make_targets() -> set[str]:
    return set(re.findall(r"^([a-z-]+):", (PROJECT_ROOT / "Makefile").read_text(), re.M))


def doc_texts() -> dict[str, str]:
    files = [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
    return {f.name: f.read_text() for f in files}


def test_site_builds_strictly(tmp_path):
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(tmp_path / "site")],
                            cwd=PROJECT_ROOT, env={**os.environ, "NO_MKDOCS_2_WARNING": "1"}, capture_output=True,
                            text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    assert (tmp_path / "site" / "architecture.svg").exists()


def test_every_make_command_in_the_docs_exists():
    targets = make_targets()
    for name, text in doc_texts().items():
        for target in re.findall(r"`make ([a-z-]+)", text):
            assert target in targets, f"{name} mentions make {target}"


def test_readme_gives_the_two_fresh_machine_commands_and_ci_runs_the_test_one():
    readme = (PROJECT_ROOT / "README.md").read_text()
    assert "```bash\nmake demo\n```" in readme and "```bash\nmake test\n```" in readme
    assert "make test" in (PROJECT_ROOT / ".ci" / "run").read_text()


def test_documented_settings_and_defaults_match_the_config():
    text = (PROJECT_ROOT / "docs" / "getting-started.md").read_text()
    for var, default, _ in PORTS.values():
        assert var in text and str(default) in text
