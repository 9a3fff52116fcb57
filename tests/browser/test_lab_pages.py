"""The kit's own pages in a real Chromium, at a laptop's width and a phone's (390×844): the /_lab/ home page lights
the architecture from published results (and redraws when new ones arrive), a class gets a grid, and the mailbox
lists mail newest first, filters by address, shows a code large with a copy button and hides the validators' mail
until asked. Screenshots go to reports/screenshots/ for a person to look at."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
import requests

from labkit import checkboard
from labkit.cloud.core.mail import send_mail
from labkit.config import PROJECT_ROOT

from ..conftest import Cloud, cloud_env

SHOTS = PROJECT_ROOT / "reports" / "screenshots"
VIEWPORTS = {"desktop": {"width": 1280, "height": 800}, "phone": {"width": 390, "height": 844}}
S3_HINT = "the bucket policy lets anyone read: make CloudFront's Origin Access Control the only reader"
ADA = [
    {"check": "setup.target", "status": "pass", "title": "target"},
    {"check": "s3.bucket", "status": "pass", "title": "the bucket exists"},
    {"check": "s3.policy", "status": "fail", "title": "only CloudFront reads", "hint": S3_HINT},
    {"check": "certificate.issued", "status": "pending", "hint": "not there yet: run the check again in a minute"},
    {"check": "dns.zone", "status": "pass"},
    {"check": "cdn.deployed", "status": "blocked", "hint": "runs once certificate.issued passes"},
]


@pytest.fixture(scope="module")
def lab_cloud(tmp_path_factory) -> Iterator[Cloud]:
    """A cloud of this module's own: the board and the mailbox hold only what these tests put there."""
    instance = Cloud(cloud_env(tmp_path_factory.mktemp("lab-pages")))
    instance.up()
    yield instance
    instance.down()


@pytest.fixture(params=list(VIEWPORTS))
def screen(request, chromium) -> Iterator[tuple[str, object]]:
    context = chromium.new_context(viewport=VIEWPORTS[request.param])
    context.grant_permissions(["clipboard-read", "clipboard-write"])
    yield request.param, context.new_page()
    context.close()


def shoot(page, name: str) -> None:
    """The whole page, and on a phone also the first screenful (what a learner sees without scrolling)."""
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)
    if page.viewport_size["width"] < 500:
        page.screenshot(path=str(SHOTS / f"{name}-screen.png"))


def fits_the_width(page) -> bool:
    """Nothing wider than the window (a wide table scrolls inside its own box)."""
    return page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")


def reset_board(cloud: Cloud) -> None:
    requests.delete(f"{cloud.cfg.gateway_url}/_lab/api/checks", timeout=5).raise_for_status()


def test_home_shows_components_and_lights_the_layers(lab_cloud, screen):
    from playwright.sync_api import expect

    size, page = screen
    reset_board(lab_cloud)
    checkboard.publish(lab_cloud.cfg, "ada", ADA)
    page.goto(f"{lab_cloud.cfg.gateway_url}/")  # the gateway's root, as a learner types it: redirected to /_lab/
    assert page.url.endswith("/_lab/")
    expect(page.locator('li[data-component="mailbox"]')).to_contain_text("ok")
    expect(page.locator('li[data-component="lab"]')).to_be_visible()
    expect(page.locator("#site-link")).to_have_attribute("href", f"https://{lab_cloud.cfg.domain}:"
                                                                 f"{lab_cloud.cfg.ports['https']}")
    expect(page.locator("h2", has_text="Layers of ada")).to_be_visible()
    picture = page.locator("#picture svg")
    expect(picture.locator('g.layer[data-layer="s3"]')).to_have_attribute("data-status", "fail")
    expect(picture.locator('g.layer[data-layer="dns"]')).to_have_attribute("data-status", "pass")
    expect(picture.locator('g.layer[data-layer="cognito"]')).to_have_attribute("data-status", "none")
    expect(picture.locator('g.hint[data-layer="s3"]')).to_contain_text("the bucket policy lets anyone read")
    assert fits_the_width(page)
    shoot(page, f"lab-home-{size}")

    # The learner fixes the policy and checks again: the page redraws on its own.
    checkboard.publish(lab_cloud.cfg, "ada", [{**r, "status": "pass"} if r["check"] == "s3.policy" else r for r in ADA])
    expect(picture.locator('g.layer[data-layer="s3"]')).to_have_attribute("data-status", "pass")
    expect(page.locator('#picture g.hint[data-layer="s3"]')).to_have_count(0)
    expect(page.locator('#picture g.layer[data-layer="s3"]')).to_contain_text("passed 2/2")


def test_a_class_gets_a_grid_of_learners_by_layers(lab_cloud, screen):
    from playwright.sync_api import expect

    size, page = screen
    reset_board(lab_cloud)
    checkboard.publish(lab_cloud.cfg, "ada", ADA)
    checkboard.publish(lab_cloud.cfg, "grace", [{**r, "status": "pass", "hint": ""} for r in ADA])
    checkboard.publish(lab_cloud.cfg, "linus <b>", ADA[:2])  # a name that is markup stays text
    page.goto(f"{lab_cloud.cfg.gateway_url}/_lab/?learner=ada")
    rows = page.locator("#class table.grid tbody tr")
    expect(rows).to_have_count(3)
    expect(rows.nth(2).locator("th")).to_have_text("linus <b>")
    cell = page.locator('td.cell[data-learner="ada"][data-layer="s3"]')
    expect(cell).to_have_text("1/2")
    assert "s-fail" in cell.get_attribute("class") and S3_HINT in cell.get_attribute("title")
    cell.scroll_into_view_if_needed()
    cell.click()
    expect(page.locator("#cell-hint")).to_contain_text(S3_HINT)
    expect(page.locator('td.cell[data-learner="grace"][data-layer="s3"]')).to_have_class("cell s-pass")
    expect(page.locator('td.cell[data-learner="grace"][data-layer="journey"]')).to_have_class("cell s-none")
    assert fits_the_width(page)
    shoot(page, f"lab-class-{size}")
    page.locator("#class th.learner a", has_text="grace").click()  # a name opens that learner's picture
    expect(page.locator("h2", has_text="Layers of grace")).to_be_visible()


def mail(cloud: Cloud, to: str, subject: str, text: str, sender: str = "no-reply@verificationemail.com") -> None:
    send_mail(int(cloud.env["LAB_SMTP_PORT"]), to, subject, text, sender=sender)


def test_the_mailbox_filters_shows_codes_and_hides_validator_mail(lab_cloud, screen):
    from playwright.sync_api import expect

    size, page = screen
    requests.delete(f"{lab_cloud.cfg.gateway_url}/_lab/mail/api/messages", timeout=5).raise_for_status()
    mail(lab_cloud, "owner@example.com", "New message from Ada", "Ada wrote:\nHello! https://contact.localhost/x",
         sender="no-reply@sns.labcloud.localhost")
    mail(lab_cloud, "validator-1a2b3c4d@example.com", "Your verification code", "Your verification code is 111111. ")
    mail(lab_cloud, "ada@example.com", "Your verification code", "Your verification code is 482913. ")
    page.goto(f"{lab_cloud.cfg.gateway_url}/_lab/mail")
    cards = page.locator("li.mail")
    expect(cards).to_have_count(2)  # the validator's mail is hidden
    expect(cards.nth(0)).to_contain_text("ada@example.com")  # newest first
    expect(cards.nth(0)).to_contain_text("From: no-reply@verificationemail.com")
    expect(cards.nth(1)).to_contain_text("New message from Ada")
    expect(cards.nth(0).locator("time")).to_have_attribute("datetime", re.compile(r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$"))
    expect(page.locator("#hidden-count")).to_have_text("(1 hidden)")
    digits = cards.nth(0).locator(".digits")
    expect(digits).to_have_text("482913")
    assert float(digits.evaluate("e => getComputedStyle(e).fontSize").removesuffix("px")) >= 28  # large
    cards.nth(0).locator("button.copy").click()
    expect(cards.nth(0).locator("button.copy")).to_have_text("Copied")
    assert page.evaluate("navigator.clipboard.readText()") == "482913"
    assert fits_the_width(page)
    shoot(page, f"mailbox-{size}")

    page.locator("#show-validator").check()
    expect(cards).to_have_count(3)
    expect(page.locator("li.mail.validator")).to_contain_text("111111")
    page.locator("#to").fill("ada@")
    expect(cards).to_have_count(1)
    assert "to=ada%40" in page.url and "validator=1" in page.url  # a reload keeps the filter
    mail(lab_cloud, "ada@example.com", "Your verification code", "Your verification code is 765432. ")
    mail(lab_cloud, "someone@example.com", "Your verification code", "Your verification code is 999999. ")
    expect(cards).to_have_count(2)  # arrived without a reload; the other address stays filtered out
    expect(cards.nth(0).locator(".digits")).to_have_text("765432")
    expect(page.locator("#to")).to_have_value("ada@")
    shoot(page, f"mailbox-filtered-{size}")

    page.locator("#to").fill("")
    page.locator("#show-validator").uncheck()
    expect(cards).to_have_count(4)
    owner = page.locator("li.mail", has_text="New message from Ada")
    owner.locator("summary").click()
    expect(owner.locator("pre a")).to_have_attribute("href", "https://contact.localhost/x")


def test_the_mailbox_shows_one_accounts_mail_and_picks_another(lab_cloud, screen):
    """Two learners of a class mailed the same owner address: ?account= shows one account's mail, and the picker
    (there once two accounts have mail) switches to the other's; new mail of the other account stays out."""
    from playwright.sync_api import expect

    size, page = screen
    requests.delete(f"{lab_cloud.cfg.gateway_url}/_lab/mail/api/messages", timeout=5).raise_for_status()
    port = int(lab_cloud.env["LAB_SMTP_PORT"])
    send_mail(port, "owner@example.com", "New message from Ada", "Ada wrote: hi", account="211111111111")
    send_mail(port, "owner@example.com", "New message from Grace", "Grace wrote: hi", account="222222222222")
    page.goto(f"{lab_cloud.cfg.gateway_url}/_lab/mail?account=211111111111")
    cards = page.locator("li.mail")
    expect(cards).to_have_count(1)
    expect(cards.nth(0)).to_contain_text("New message from Ada")
    expect(page.locator("#account")).to_have_value("211111111111")
    send_mail(port, "owner@example.com", "Grace again", "Grace wrote: hello?", account="222222222222")
    send_mail(port, "owner@example.com", "Ada again", "Ada wrote: hello?", account="211111111111")
    expect(cards).to_have_count(2)  # arrived without a reload; Grace's stays out
    expect(cards.nth(0)).to_contain_text("Ada again")
    assert fits_the_width(page)
    shoot(page, f"mailbox-account-{size}")
    page.locator("#account").select_option("222222222222")
    expect(page).to_have_url(re.compile(r"account=222222222222"))
    expect(cards).to_have_count(2)
    expect(cards.nth(0)).to_contain_text("Grace again")
    page.locator("#account").select_option("")
    expect(cards).to_have_count(4)
