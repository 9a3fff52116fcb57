"""What notebook 11 (end to end) builds on besides the workshop run (the ``workshop`` fixture runs it under nbval):
labkit.browser finds the system's Chromium or says to run make browser, trusts the local CA in a private NSS
database with make trust's own code, trusts nothing extra on AWS, and waits out the WAF rate rule's 429."""

from __future__ import annotations

import asyncio
import concurrent.futures
import dataclasses
import os
import shutil
import subprocess

import pytest

from labkit import LabError, browser


def test_no_chromium_says_run_make_browser(monkeypatch):
    monkeypatch.setenv("LAB_CHROMIUM", "/nonexistent/chromium")
    with pytest.raises(LabError, match="no Chromium found at LAB_CHROMIUM=/nonexistent/chromium: run make browser"):
        browser.chromium_path()


def test_no_certutil_says_run_make_browser(cloud, monkeypatch):
    real = shutil.which
    monkeypatch.setattr(shutil, "which", lambda name: None if name == "certutil" else real(name))
    with pytest.raises(LabError, match="certutil is missing.*run make browser"):
        browser.home(cloud.cfg)


def test_the_browsers_home_trusts_the_local_ca_and_leaves_home_alone(cloud):
    before = os.environ.get("HOME")
    home = browser.home(cloud.cfg)
    again = browser.home(cloud.cfg)  # idempotent: the same CA again is a no-op
    assert home == again == cloud.state_dir / "browser-home" and os.environ.get("HOME") == before
    listed = subprocess.run(["certutil", "-L", "-d", f"sql:{home / '.pki' / 'nssdb'}"], capture_output=True,
                            text=True, check=True).stdout
    assert listed.count("Serverless Lab Kit Local CA") == 1 and "C,," in listed


def test_on_aws_nothing_extra_is_trusted(cloud, monkeypatch, tmp_path):
    monkeypatch.setattr(shutil, "which", lambda name: None)  # not even certutil is needed
    cfg = dataclasses.replace(cloud.cfg, target="aws", state_dir=tmp_path)
    home = browser.home(cfg)
    assert home.is_dir() and not (home / ".pki").exists()


class FakePage:
    """A page whose loads answer the given statuses in turn: the page's own, or (page, script) pairs."""

    def __init__(self, *statuses) -> None:
        self.statuses, self.visits, self.listeners = list(statuses), 0, []

    def on(self, event, listener):
        self.listeners.append(listener)

    def remove_listener(self, event, listener):
        self.listeners.remove(listener)

    async def goto(self, url):
        self.visits += 1
        page, *files = (lambda s: s if isinstance(s, tuple) else (s,))(self.statuses.pop(0))
        for status in (page, *files):
            for listener in self.listeners:
                listener(type("Response", (), {"status": status, "url": url})())
        if page == 429:  # as Chromium fails a navigation answered with an error without a body (the WAF's 429)
            raise RuntimeError(f"Page.goto: net::ERR_HTTP_RESPONSE_CODE_FAILURE at {url}")
        return type("Answer", (), {"status": page})()


def _run(coroutine):
    """asyncio.run in a thread of its own: Playwright's sync API, used by earlier tests, leaves a loop running here."""
    with concurrent.futures.ThreadPoolExecutor(1) as pool:
        return pool.submit(asyncio.run, coroutine).result()


def test_visit_waits_out_the_rate_rules_429_saying_so(monkeypatch):
    async def no_sleep(seconds):
        pass

    monkeypatch.setattr(asyncio, "sleep", no_sleep)
    said, page = [], FakePage(429, (200, 429), 200)  # the page, then its config.js, limited
    answer = _run(browser.visit(page, "https://contact.localhost/", echo=said.append))
    assert answer.status == 200 and page.visits == 3 and page.listeners == []
    assert said[0].startswith("https://contact.localhost/ answered 429: the WAF's rate rule") and len(said) == 2
    assert said[1].startswith("let in again after")
    gives_up = FakePage(429, 429)
    with pytest.raises(RuntimeError, match="ERR_HTTP_RESPONSE_CODE_FAILURE"):
        _run(browser.visit(gives_up, "https://x/", deadline=0, echo=said.append))
    assert gives_up.visits == 1 and len(said) == 2  # nothing said: it gave up at once
