"""A real browser for the notebooks: the system's Chromium driven by Playwright, trusting what a learner's does.

    chromium_path()                 the Chromium to drive: LAB_CHROMIUM, else chromium / chromium-browser on PATH
    home(cfg)                       a private $HOME for it; on the local cloud its NSS database trusts the local CA,
                                    added by make trust's own code (trust.py), so the learner's own is left alone
    launch(playwright, cfg)         a headless Chromium with that home (await it with Playwright's async API)
    await visit(page, url)          page.goto, waiting out the site's WAF rate rule (429) with a progress line

No browser is ever downloaded: Playwright is given the system's Chromium (``executable_path``); make browser
installs it and certutil. On AWS the site's certificate is public (ACM), so nothing extra is trusted. Notebooks
use Playwright's async API: Jupyter runs cells inside an asyncio loop, where its sync API refuses to start.
"""

from __future__ import annotations

import asyncio
import os
import shutil
import threading
import time
from pathlib import Path
from typing import Any

from . import config as _config
from . import trust as _trust
from .config import Config
from .errors import LabError

# As for the browser tests: headless Chromium run as root, with no network beyond loopback.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]
INSTALL = "run make browser (it installs Chromium and certutil with apt-get)"
RATE_LIMITED = 429  # notebook 05's rate rule: 100 requests per address in 60 s
_HOME_LOCK = threading.Lock()  # trust.py finds the NSS database under $HOME: one swap at a time


def chromium_path() -> str:
    """The Chromium executable; LabError saying how to get one when there is none."""
    found = os.environ.get("LAB_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found or not Path(found).exists():
        raise LabError(f"no Chromium found{f' at LAB_CHROMIUM={found}' if found else ''}: {INSTALL}, or set "
                       "LAB_CHROMIUM=<path to chromium or chrome>")
    return found


def home(cfg: Config | None = None) -> Path:
    """The browser's $HOME under the state directory. On the local cloud its ~/.pki/nssdb trusts the local CA, as
    ``python -m labkit trust`` makes a learner's own (idempotent: the same CA again is a no-op)."""
    cfg = cfg or _config.load()
    path = Path(cfg.state_dir) / "browser-home"
    path.mkdir(parents=True, exist_ok=True)
    if cfg.local:
        if shutil.which("certutil") is None:
            raise LabError(f"certutil is missing, so the browser cannot be told to trust the local CA: {INSTALL}")
        with _HOME_LOCK:
            saved = os.environ.get("HOME")
            os.environ["HOME"] = str(path)
            try:
                _trust.trust(cfg, echo=lambda line: None)
            finally:
                if saved is None:
                    os.environ.pop("HOME", None)
                else:
                    os.environ["HOME"] = saved
    return path


def launch(playwright: Any, cfg: Config | None = None, **options: Any) -> Any:
    """A headless Chromium trusting the site's certificates: ``browser = await launch(pw, cfg)`` with the async
    API (what it returns is Playwright's), ``launch(pw, cfg)`` with the sync one. ``options`` go to
    ``chromium.launch`` (``headless=False`` to watch it on a desktop)."""
    cfg = cfg or _config.load()
    env = {**os.environ, "HOME": str(home(cfg))}
    return playwright.chromium.launch(executable_path=chromium_path(), args=FLAGS, env=env, **options)


async def visit(page: Any, url: str, *, deadline: float = 90, echo: Any = print) -> Any:
    """``await page.goto(url)``; while the site's WAF rate rule answers 429 (too many requests from this address
    in the last minute) to the page or to a file it loads (config.js, app.js: a page without them is broken), wait
    and load it again, up to ``deadline`` seconds, saying so once and again when let in. Returns the page's answer;
    still limited at the deadline, the last one (or Playwright's error: Chromium fails a navigation answered with
    an error that has no body, as the WAF's 429)."""
    start, told = time.monotonic(), False
    while True:
        limited: list[str] = []

        def note(response: Any) -> None:
            if response.status == RATE_LIMITED:
                limited.append(response.url)

        page.on("response", note)
        try:
            answer = await page.goto(url)  # returns on the load event: after the page's scripts have loaded
        except Exception:
            if not limited or time.monotonic() - start > deadline:
                raise  # a failure of its own, not the rate rule's
            answer = None
        finally:
            page.remove_listener("response", note)
        waited = time.monotonic() - start
        if not limited or waited > deadline:
            if told and not limited:
                echo(f"let in again after {waited:.0f} s")
            return answer
        if not told:
            told = True
            echo(f"{limited[0]} answered 429: the WAF's rate rule (notebook 05) counts too many requests from this "
                 f"address in the last minute; waiting until it lets this address in again (up to {deadline:.0f} s)")
        await asyncio.sleep(5)
