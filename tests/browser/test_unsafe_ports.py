"""The ports make up refuses are the ports a real Chromium refuses (net::ERR_UNSAFE_PORT), and the port it suggests
instead is one Chromium connects to."""

from __future__ import annotations

from labkit.cloud.core.listeners import BROWSER_REFUSED_PORTS

from .conftest import FLAGS, chromium_path

FIREFOX_ONLY = {4190, 6679}  # in Firefox's list, not Chromium's: Chromium tries to connect


def error_for(page, port: int) -> str:
    try:
        page.goto(f"http://127.0.0.1:{port}/", timeout=10_000)
    except Exception as exc:  # Playwright's Error: its message carries Chromium's net:: code
        return str(exc)
    return ""


def test_chromium_refuses_the_ports_make_up_refuses(playwright):
    browser = playwright.chromium.launch(executable_path=chromium_path(), args=FLAGS)
    try:
        page = browser.new_page()
        refused = {port for port in BROWSER_REFUSED_PORTS if "ERR_UNSAFE_PORT" in error_for(page, port)}
        assert refused == BROWSER_REFUSED_PORTS - FIREFOX_ONLY
        for port in (*FIREFOX_ONLY, 6670, 4443):
            assert "ERR_UNSAFE_PORT" not in error_for(page, port), port
    finally:
        browser.close()
