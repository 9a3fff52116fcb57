"""The docs match the code: the site builds strictly, and every `make X` the docs mention exists."""

from __future__ import annotations

import os
import re
import subprocess
import sys
from pathlib import Path

from html.parser import HTMLParser
from urllib.parse import unquote, urlsplit

import pytest

from labkit.config import PORTS, PROJECT_ROOT


def make_targets() -> set[str]:
    return set(re.findall(r"^([a-z-]+):", (PROJECT_ROOT / "Makefile").read_text(), re.M))


def doc_texts() -> dict[str, str]:
    docs = PROJECT_ROOT / "docs"
    files = [PROJECT_ROOT / "README.md", *sorted(p for p in docs.rglob("*.md") if "notebooks" not in p.parts)]
    return {str(f.relative_to(PROJECT_ROOT)): f.read_text() for f in files}


@pytest.fixture(scope="module")
def site(docs_site) -> Path:
    return docs_site


def test_site_builds_strictly_in_both_languages(site):
    assert (site / "architecture.svg").exists()
    for prefix in (site, site / "vi"):
        assert (prefix / "troubleshooting" / "index.html").exists()
        assert (prefix / "labs" / "01-s3" / "index.html").exists()
    assert '<html lang="vi"' in (site / "vi" / "index.html").read_text()
    assert '<html lang="en"' in (site / "index.html").read_text()


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


def nav_pages() -> list[str]:
    """Every page mkdocs.yml's nav lists, as its path under docs/ (English)."""
    return re.findall(r"^\s*-\s*(?:[^:\n]+:\s*)?([\w/.-]+\.md)\s*$", (PROJECT_ROOT / "mkdocs.yml").read_text(), re.M)


def page_url(path: str, language: str = "") -> str:
    stem = path[:-3]
    stem = stem[:-len("index")] if stem.endswith("index") else stem + "/"
    return (f"{language}/" if language else "") + stem


def test_the_sitemap_lists_every_page_in_both_languages(site):
    """mkdocs writes an empty sitemap without site_url."""
    sitemap = (site / "sitemap.xml").read_text()
    listed = {loc.removeprefix("http://127.0.0.1:8000/") for loc in re.findall(r"<loc>([^<]+)</loc>", sitemap)}
    pages = nav_pages()
    assert len(pages) > 20
    for path in pages:
        assert page_url(path) in listed, path
        assert (site / page_url(path, "vi") / "index.html").is_file(), path


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


def test_every_page_has_its_vietnamese_page_and_a_missing_one_is_named(tmp_path):
    from tools.docs_hooks import missing_translations

    assert missing_translations(PROJECT_ROOT / "docs") == []
    (tmp_path / "labs").mkdir()
    for name in ("index.md", "index.vi.md", "labs/01-s3.md", "old.vi.md"):
        (tmp_path / name).write_text("# page\n")
    assert missing_translations(tmp_path) == ["labs/01-s3.md has no Vietnamese page labs/01-s3.vi.md",
                                              "old.vi.md has no English page old.md"]


def test_every_check_has_its_entry_in_both_languages(site):
    """A failed row links to <docs>/checks/#<anchor> (validators/explain.py): each check's anchor is there."""
    import importlib

    import validators
    from validators.explain import anchor

    ids = [check.id for module in validators.ALL_LAYERS.values() for check in importlib.import_module(module).CHECKS]
    assert len(ids) > 50
    for page in (site / "checks" / "index.html", site / "vi" / "checks" / "index.html"):
        found = set(re.findall(r'\bid="([^"]+)"', page.read_text()))
        missing = [check for check in ids if anchor(check) not in found]
        assert not missing, f"{page.relative_to(site)} has no entry for {missing}"


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.links: list[str] = []
        self.ids: set[str] = set()

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if found.get("id"):
            self.ids.add(found["id"])
        if tag == "a" and found.get("href"):
            self.links.append(found["href"])


def _parsed(path: Path, cache: dict[Path, _Links]) -> _Links:
    if path not in cache:
        cache[path] = _Links()
        cache[path].feed(path.read_text(errors="replace"))
    return cache[path]


def test_no_internal_link_is_dead(site):
    """Every link of every page, both languages, the navigation and the language switch included, leads to a file
    of the site, and to an element with that id when it names one."""
    cache: dict[Path, _Links] = {}
    dead = []
    pages = sorted(site.rglob("*.html"))
    assert len(pages) > 40
    for page in pages:
        for href in _parsed(page, cache).links:
            parts = urlsplit(href)
            if parts.scheme or parts.netloc or href.startswith(("mailto:", "javascript:")):
                continue
            if parts.path.startswith("/"):  # 404.html links from the site's root (site_url), wherever it is shown
                target = (site / unquote(parts.path).lstrip("/")).resolve()
            else:
                target = (page.parent / unquote(parts.path)).resolve() if parts.path else page
            if target.is_dir():
                target = target / "index.html"
            if not target.is_file():
                dead.append(f"{page.relative_to(site)}: {href}")
            elif parts.fragment and target.suffix == ".html" and unquote(parts.fragment) not in \
                    _parsed(target, cache).ids:
                dead.append(f"{page.relative_to(site)}: {href} (no such anchor)")
    assert not dead, dead[:20]


def test_each_lab_page_shows_its_notebook_and_offers_the_student_copy(site):
    from tools.notebook_markdown import stale

    for solution in sorted((PROJECT_ROOT / "solutions").glob("*.ipynb")):
        assert stale(solution.stem) is None
        for language in ("", "vi/"):
            html = (site / f"{language}labs" / solution.stem / "index.html").read_text()
            assert "labkit.activate()" in re.sub(r"<[^>]+>", "", html), solution.stem  # its first code cell
            assert f"downloads/{solution.stem}.ipynb" in html, solution.stem
        download = site / "downloads" / solution.name
        assert download.read_bytes() == (PROJECT_ROOT / "labs" / solution.name).read_bytes()


def _literal_start(node) -> str:
    """The fixed text a hint expression starts with: a string, an f-string up to its first placeholder, the left of
    a + (an IfExp gives both branches elsewhere)."""
    import ast

    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return node.value
    if isinstance(node, ast.JoinedStr):
        text = ""
        for part in node.values:
            if not isinstance(part, ast.Constant):
                break
            text += part.value
        return text
    if isinstance(node, ast.BinOp) and isinstance(node.op, ast.Add):
        return _literal_start(node.left)
    return ""


def test_every_hint_a_check_gives_is_quoted_on_the_failed_checks_page_in_both_languages():
    """Issue (docs): one troubleshooting entry per validator hint. Each failed(observed, expected, hint) and each
    LabError a layer's module raises starts with fixed words; both languages' page quotes them (hints stay in
    English). The kit's own messages (a layer that does not exist, a roster) are troubleshooting.md's."""
    import ast

    pages = {name: " ".join(re.sub(r"\\([*_])", r"\1", (PROJECT_ROOT / "docs" / name).read_text()).split())
             for name in ("checks.md", "checks.vi.md")}  # Markdown escapes (\*) read as the hint does
    import validators

    found = 0
    for source in [PROJECT_ROOT / (module.replace(".", "/") + ".py") for module in validators.ALL_LAYERS.values()]:
        for node in ast.walk(ast.parse(source.read_text())):
            if not isinstance(node, ast.Call):
                continue
            name = getattr(node.func, "id", None) or getattr(node.func, "attr", None)
            hint = node.args[2] if name == "failed" and len(node.args) >= 3 else \
                node.args[0] if name == "LabError" and node.args else None
            if hint is None:
                continue
            for branch in ([hint.body, hint.orelse] if isinstance(hint, ast.IfExp) else [hint]):
                start = " ".join(_literal_start(branch).split())[:45].strip()
                if len(start) < 12:  # too short to name a hint ("add …"): its entry is found by the check's id
                    continue
                found += 1
                for page, text in pages.items():
                    assert start in text, f"{source.name}:{node.lineno}: {page} does not quote {start!r}"
    assert found > 80
