"""The docs site as a reader meets it, in a real Chromium: the whole navigation in both languages, the language
switch there and back, search in English and in Vietnamese, dark mode, and a lab page on a phone (390×844).
The built site is served over HTTP on loopback, as make docs-serve would. Screenshots go to reports/screenshots/."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from functools import partial
from http.server import SimpleHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path

import pytest

from labkit.config import PROJECT_ROOT

SHOTS = PROJECT_ROOT / "reports" / "screenshots"
PHONE = {"width": 390, "height": 844}


class _Quiet(SimpleHTTPRequestHandler):
    def log_message(self, *args: object) -> None:
        pass


@pytest.fixture(scope="module")
def docs_url(docs_site: Path) -> Iterator[str]:
    server = ThreadingHTTPServer(("127.0.0.1", 0), partial(_Quiet, directory=str(docs_site)))
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_address[1]}/"
    server.shutdown()


@pytest.fixture
def page(chromium) -> Iterator[object]:
    context = chromium.new_context(viewport={"width": 1280, "height": 900})
    yield context.new_page()
    context.close()


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"docs-{name}.png"), full_page=True)


def _nav_links(page) -> list[str]:
    return page.eval_on_selector_all("nav.md-nav--primary a.md-nav__link[href]", "links => links.map(a => a.href)")


@pytest.mark.parametrize("language", ["", "vi/"])
def test_the_whole_navigation_leads_to_real_pages(page, docs_url, language):
    home = docs_url + language
    answer = page.goto(home)
    assert answer.status == 200
    links = list(dict.fromkeys(link.split("#")[0] for link in _nav_links(page)))
    assert len(links) >= 20, links  # home, getting started, 15 lab pages, references, both troubleshooting pages
    titles = set()
    for link in links:
        answer = page.goto(link)
        assert answer.status == 200, link
        assert link.startswith(home), link  # the navigation stays in the reader's language
        title = page.locator("article h1").first.inner_text()
        assert title and "404" not in title, link
        titles.add(title)
        assert page.locator("html").get_attribute("lang") == (language.rstrip("/") or "en")
    assert len(titles) == len(links)  # each page has a title of its own
    # The footer leads on: the first lab's "next" is the second lab.
    page.goto(docs_url + language + "labs/00-setup/")
    page.locator("a.md-footer__link--next").click()
    assert page.url == docs_url + language + "labs/01-s3/"


def test_the_language_switch_goes_to_the_same_page_and_back(page, docs_url):
    page.goto(docs_url + "labs/05-waf/")
    english = page.locator("article h1").first.inner_text()
    page.locator(".md-header__option .md-select").hover()
    page.locator('a.md-select__link[hreflang="vi"]').click()
    page.wait_for_url(docs_url + "vi/labs/05-waf/")
    assert page.locator("html").get_attribute("lang") == "vi"
    assert "Thời gian" in page.locator("article").inner_text() or "phút" in page.locator("article").inner_text()
    shoot(page, "lab-vi")
    page.locator(".md-header__option .md-select").hover()
    page.locator('a.md-select__link[hreflang="en"]').click()
    page.wait_for_url(docs_url + "labs/05-waf/")
    assert page.locator("article h1").first.inner_text() == english


@pytest.mark.parametrize(("language", "query", "expected"), [
    ("", "Block Public Access", "labs/01-s3/"),
    ("vi/", "nhóm người dùng", "vi/"),
])
def test_search_finds_pages_in_both_languages(page, docs_url, language, query, expected):
    from playwright.sync_api import expect

    page.goto(docs_url + language)
    page.locator("label.md-search__icon, .md-search__input").first.click()
    box, results = page.locator("input.md-search__input"), page.locator(".md-search-result__item a")
    # The index loads in a web worker; a query typed before it is ready is not run again once it is (the box then
    # says "Type to start searching"), so the reader's retyping is what this does, until the worker answers.
    for _ in range(12):
        box.fill("")
        box.press_sequentially(query)
        try:
            expect(results.first).to_be_visible(timeout=5_000)
            break
        except AssertionError:
            continue
    expect(results.first).to_be_visible()
    hrefs = results.evaluate_all("links => links.map(a => a.href)")
    assert any(expected in href for href in hrefs), hrefs
    shoot(page, f"search-{language.rstrip('/') or 'en'}")


def test_dark_mode_is_one_click_away(page, docs_url):
    page.goto(docs_url)
    before = page.locator("body").get_attribute("data-md-color-scheme")
    page.locator("form[data-md-component=palette] label:visible").first.click()
    after = page.locator("body").get_attribute("data-md-color-scheme")
    assert {before, after} == {"default", "slate"}
    shoot(page, "home-dark")


@pytest.mark.parametrize("language", ["", "vi/"])
def test_a_lab_page_reads_on_a_phone(chromium, docs_url, language):
    context = chromium.new_context(viewport=PHONE)
    page = context.new_page()
    try:
        page.goto(docs_url + language + "labs/09-api-gateway/")
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # wide code scrolls
        assert page.locator("details").count() >= 1  # the exercises' solutions are folded
        assert page.locator(".nb-output").count() >= 3  # the run's outputs are shown
        download = page.locator('a[href$="downloads/09-api-gateway.ipynb"]')
        assert download.count() == 1
        shoot(page, f"lab-phone-{language.rstrip('/') or 'en'}")
        page.goto(docs_url + language)
        # The picture keeps a readable size (drawn 960 wide: shrunk to 390 its labels are 5 px) and scrolls inside
        # its own box; the page itself does not get wider than the phone.
        picture = page.locator("article img[src$='architecture.svg']").first
        assert picture.bounding_box()["width"] >= 700
        assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")
        shoot(page, f"home-phone-{language.rstrip('/') or 'en'}")
    finally:
        context.close()
