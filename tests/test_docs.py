"""The docs match the code: the site builds strictly, and every `make X` the docs mention exists."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

import pytest

from labkit.config import PORTS, PROJECT_ROOT


def make_targets() -> set[str]:
    return set(re.findall(r"^([a-z-]+):", (PROJECT_ROOT / "Makefile").read_text(), re.M))


def doc_texts() -> dict[str, str]:
    files = [PROJECT_ROOT / "README.md", *sorted((PROJECT_ROOT / "docs").glob("*.md"))]
    return {f.name: f.read_text() for f in files}


@pytest.fixture(scope="module")
def site(tmp_path_factory) -> Path:
    """The docs site as make docs builds it (strict: a broken link or a missing page fails)."""
    out = tmp_path_factory.mktemp("docs") / "site"
    env = {**os.environ, "NO_MKDOCS_2_WARNING": "1"}
    env.pop("LAB_DOCS_URL", None)
    result = subprocess.run([sys.executable, "-m", "mkdocs", "build", "--strict", "-d", str(out)],
                            cwd=PROJECT_ROOT, env=env, capture_output=True, text=True, timeout=120)
    assert result.returncode == 0, result.stderr
    return out


def test_site_builds_strictly(site):
    assert (site / "architecture.svg").exists()
    assert (site / "troubleshooting" / "index.html").exists()


# What a page makes the browser fetch: scripts, style sheets, preconnects and preloads, images, fonts in CSS.
_FETCHED = re.compile(r"""<(?:script|img|source|iframe)\b[^>]*\bsrc=["']([^"']+)|"""
                      r"""<link\b(?=[^>]*\brel=["'](?:stylesheet|preconnect|preload|dns-prefetch|icon|modulepreload)["'])"""
                      r"""[^>]*\bhref=["']([^"']+)|url\(\s*["']?([^"')]+)""", re.I)


def test_the_docs_load_nothing_from_the_internet(site):
    """A reader offline (the workshop runs offline) gets the whole site: no Google Fonts (Material's default), no
    script or style from another host."""
    outside = set()
    for page in [*site.rglob("*.html"), *site.rglob("*.css")]:
        for found in _FETCHED.finditer(page.read_text(errors="replace")):
            url = next(g for g in found.groups() if g)
            if re.match(r"(https?:)?//", url):
                outside.add(f"{page.relative_to(site)}: {url}")
    assert not outside, sorted(outside)[:10]
    assert "fonts.googleapis.com" not in (site / "index.html").read_text()


def test_the_sitemap_lists_every_page(site):
    """mkdocs writes an empty sitemap without site_url."""
    sitemap = (site / "sitemap.xml").read_text()
    pages = re.findall(r"<loc>([^<]+)</loc>", sitemap)
    nav_pages = re.findall(r":\s*([a-z-]+)\.md\s*$", (PROJECT_ROOT / "mkdocs.yml").read_text(), re.M)
    assert len(pages) == len(nav_pages) > 5
    assert any(p.endswith("/troubleshooting/") for p in pages)


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


def test_readme_says_what_set_up_needs_how_long_it_takes_and_how_to_stop():
    readme = (PROJECT_ROOT / "README.md").read_text()
    for needed in ("Linux or macOS", "Python 3.11", "package registries", "password-less `sudo`", "root"):
        assert needed in readme, needed
    fresh = readme[readme.index("## On a fresh machine"):readme.index("## More")]
    assert re.search(r"\(about [^)]*minutes[^)]*\):\s*```bash\nmake demo", fresh)
    assert re.search(r"\(about [^)]*minutes[^)]*\):\s*```bash\nmake test", fresh)
    assert "`make down` stops it" in fresh


def test_no_page_asks_for_a_step_that_make_test_does_itself():
    for name, text in doc_texts().items():
        assert "`make browser` first" not in text, name


def test_build_output_is_neither_committed_nor_left_to_commit():
    """pip's editable install writes serverless_lab_kit.egg-info/ into the clone: ignored, never tracked."""
    tracked = subprocess.run(["git", "ls-files"], cwd=PROJECT_ROOT, capture_output=True, text=True,
                             check=True).stdout.splitlines()
    assert not [path for path in tracked if ".egg-info/" in path]
    ignored = subprocess.run(["git", "check-ignore", "-q", "serverless_lab_kit.egg-info/PKG-INFO"],
                             cwd=PROJECT_ROOT)
    assert ignored.returncode == 0
