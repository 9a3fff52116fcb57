"""MkDocs hooks for the docs site (mkdocs.yml: hooks).

    on_config          every English page (page.md) has its Vietnamese page (page.vi.md) beside it, and no
                       Vietnamese page is left without its English one: a missing translation fails the build
    on_page_markdown   a lab page's ``<!-- notebook: NAME -->`` becomes that notebook, rendered read-only from its
                       executed copy in docs/notebooks/ (tools/notebook_markdown.py; make docs-notebooks)
"""

from __future__ import annotations

import re
import sys
from pathlib import Path

from mkdocs.exceptions import PluginError

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))  # mkdocs loads this file by path: the tools package is importable from here on

from tools.notebook_markdown import NotebookMissing, render_lab  # noqa: E402

MARKER = re.compile(r"<!--\s*notebook:\s*([\w.-]+)\s*-->")
TRANSLATION = ".vi.md"


def missing_translations(docs: Path) -> list[str]:
    """Pages without their other-language page, as paths under docs/."""
    pages = {p.relative_to(docs).as_posix() for p in docs.rglob("*.md") if "notebooks" not in p.parts}
    english = {p for p in pages if not p.endswith(TRANSLATION)}
    vietnamese = {p for p in pages if p.endswith(TRANSLATION)}
    problems = [f"{p} has no Vietnamese page {p[:-3]}{TRANSLATION}" for p in sorted(english)
                if p[:-3] + TRANSLATION not in vietnamese]
    problems += [f"{p} has no English page {p[:-len(TRANSLATION)]}.md" for p in sorted(vietnamese)
                 if p[:-len(TRANSLATION)] + ".md" not in english]
    return problems


def on_config(config):  # noqa: ANN001, ANN201 — MkDocs' hook signature
    problems = missing_translations(Path(config["docs_dir"]))
    if problems:
        raise PluginError("a page is missing its translation: " + "; ".join(problems))
    return config


def on_page_markdown(markdown: str, page, config, files) -> str:  # noqa: ANN001 — MkDocs' hook signature
    def render(match: re.Match) -> str:
        try:
            return render_lab(match.group(1))
        except NotebookMissing as err:
            raise PluginError(f"{page.file.src_uri}: {err}") from None

    return MARKER.sub(render, markdown)
