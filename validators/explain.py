"""Where a check is explained: its entry on the docs' failed-checks page (docs/checks.md), which every failed,
pending or blocked row links to.

    anchor(check_id)        the entry's anchor: ``api.no_token`` → ``api-no-token`` (docs/checks.md writes it so)
    entry_url(check_id, cfg) the entry's address for this learner: the published docs (LAB_DOCS_URL), else the docs
                            site the local cloud serves (<gateway>/_lab/docs/, once built: make up builds it), else
                            the built site's file, else the page's source
"""

from __future__ import annotations

import os
import re

from labkit import Config
from labkit.config import PROJECT_ROOT

PAGE = "checks"
SITE = PROJECT_ROOT / "site"  # where make docs (and make up) build the site; the local cloud serves it


def anchor(check_id: str) -> str:
    return re.sub(r"[._]", "-", check_id)


def entry_url(check_id: str, cfg: Config) -> str:
    fragment = f"#{anchor(check_id)}"
    published = os.environ.get("LAB_DOCS_URL", "").strip()
    if published:
        return f"{published.rstrip('/')}/{PAGE}/{fragment}"
    if cfg.local:
        return f"{cfg.gateway_url}/_lab/docs/{PAGE}/{fragment}"
    built = SITE / PAGE / "index.html"
    if built.is_file():
        return built.as_uri() + fragment
    return f"{PROJECT_ROOT / 'docs' / f'{PAGE}.md'}{fragment}"
