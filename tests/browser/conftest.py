"""Browser fixtures: the system's Chromium driven by Playwright (no browser is ever downloaded), trusting the local
CA the way a learner's browser does after ``make trust`` (an NSS database under $HOME/.pki/nssdb)."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest

# As the machine's notes advise for headless Chromium as root with no network beyond loopback.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]


def chromium_path() -> str:
    found = os.environ.get("LAB_CHROMIUM") or shutil.which("chromium") or shutil.which("chromium-browser")
    if not found:
        pytest.fail("no Chromium: run make browser (or set LAB_CHROMIUM=<path to chromium or chrome>)")
    return found


@pytest.fixture(scope="session")
def playwright() -> Iterator[object]:
    from playwright.sync_api import expect, sync_playwright

    expect.set_options(timeout=20_000)  # a shared 2-core machine: waiting on a condition, not a clock
    with sync_playwright() as instance:
        yield instance


def launch(playwright, home: Path):
    """A headless Chromium whose NSS database is ``home``/.pki/nssdb (where make trust writes)."""
    return playwright.chromium.launch(executable_path=chromium_path(), args=FLAGS,
                                      env={**os.environ, "HOME": str(home)})


@pytest.fixture(scope="module")
def chromium(playwright, tmp_path_factory):
    """A Chromium trusting nothing of the kit's: for plain-HTTP pages of the gateway (/_lab/…), no workshop needed."""
    instance = launch(playwright, tmp_path_factory.mktemp("home"))
    yield instance
    instance.close()


@pytest.fixture(scope="session")
def trusted_home(workshop, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A home directory in which ``python -m labkit trust`` (make trust) has run against the workshop's cloud."""
    home = tmp_path_factory.mktemp("home")
    done = subprocess.run([sys.executable, "-m", "labkit", "trust"], env={**os.environ, **workshop.cloud.env,
                          "HOME": str(home)}, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert "trusted: Serverless Lab Kit Local CA" in done.stdout
    return home


@pytest.fixture(scope="session")
def browser(playwright, trusted_home: Path) -> Iterator[object]:
    instance = launch(playwright, trusted_home)
    yield instance
    instance.close()


@pytest.fixture
def page(browser, workshop) -> Iterator[object]:
    """A new browser context (no cookies, no storage) on the contact site's home page."""
    workshop.require_built()
    context = browser.new_context()
    page = context.new_page()
    visit(page, site_url(workshop.cloud.cfg))
    yield page
    context.close()


def visit(page, url: str, deadline: float = 90):
    """page.goto, waiting out the site's WAF rate rule (notebook 05: 100 requests per IP in 60 s, answered 429):
    every page load here is four to seven requests from the one loopback address, and the tests load many pages.
    A load whose page or any of its scripts and styles got 429 is tried again."""
    from playwright.sync_api import Error

    end = time.monotonic() + deadline
    while True:
        limited: list[str] = []

        def note(response) -> None:
            if response.status == 429:
                limited.append(response.url)

        page.on("response", note)
        try:
            answer = page.goto(url)
        except Error as exc:
            # The WAF's 429 has no body, so Chromium fails the navigation itself instead of showing a page.
            if "ERR_HTTP_RESPONSE_CODE_FAILURE" not in str(exc) or time.monotonic() > end:
                raise
            answer = None
        else:
            if answer is None or not limited or time.monotonic() > end:
                return answer
        finally:
            page.remove_listener("response", note)
        time.sleep(5)


def site_url(cfg, path: str = "/", *, www: bool = False) -> str:
    """The site's URL on the learner's domain, or on its www name (both are the distribution's aliases)."""
    from labkit import site_origins

    apex, www_origin = site_origins(cfg)
    return (www_origin if www else apex) + path
