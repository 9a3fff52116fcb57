"""The contact site (assets/site) in a real browser, on the deployment the workshop's notebooks built: headless
Chromium over HTTPS on the learner's domain, trusting the local CA through make trust; the page signs a visitor up
(code from the mailbox), in, sends a message and lists it, with plain fetch calls to Cognito and the API
(aws-facts: Cognito User Pools, API Gateway CORS and the Cognito authorizer; CloudFront's WAF block page)."""

from __future__ import annotations

import time
import uuid

import pytest
from playwright.sync_api import Error as BrowserError
from playwright.sync_api import expect

from labkit import mailbox

from .conftest import launch, site_url

PASSWORD = "Browser-Visitor-2026!"


def sign_up(page, cfg) -> str:
    """Sign up a new visitor through the page; returns the address (its code is in the mailbox)."""
    email = f"visitor-{uuid.uuid4().hex[:8]}@example.com"
    page.fill("#sign-up input[name=email]", email)
    page.fill("#sign-up input[name=password]", PASSWORD)
    page.click("#sign-up button")
    expect(page.locator("#status")).to_have_text(f"We sent a code to {email}.")
    expect(page.locator("#confirm")).to_be_visible()
    return email


def test_the_site_is_https_on_the_learners_domain_and_trusted_after_make_trust(workshop, playwright, page,
                                                                                 tmp_path):
    """The page loads over TLS with a certificate the browser verifies (the ACM certificate, signed by the local CA
    that make trust added); a browser that has not run make trust refuses the same name."""
    assert page.url == site_url(workshop.cloud.cfg)
    expect(page).to_have_title("Contact")
    assert page.evaluate("window.isSecureContext") is True
    assert page.evaluate("window.CONTACT_CONFIG.apiUrl").startswith("https://")  # written by notebook 09
    untrusting = launch(playwright, tmp_path)  # an empty home: no NSS database, no local CA
    try:
        with pytest.raises(BrowserError, match="ERR_CERT_AUTHORITY_INVALID"):
            untrusting.new_page().goto(site_url(workshop.cloud.cfg))
    finally:
        untrusting.close()


def test_a_visitor_signs_up_with_the_mailed_code_signs_in_and_sends_a_message_the_owner_receives(page, workshop):
    cfg = workshop.cloud.cfg
    since = time.time()
    email = sign_up(page, cfg)
    code = mailbox.code_in(mailbox.wait_for(email, since=since, cfg=cfg, progress=False))
    page.fill("#confirm input[name=code]", code)
    page.click("#confirm button")
    expect(page.locator("#status")).to_have_text("Confirmed: now sign in.")

    page.fill("#sign-in input[name=email]", email)
    page.fill("#sign-in input[name=password]", PASSWORD)
    page.click("#sign-in button")
    expect(page.locator("#status")).to_have_text(f"Signed in as {email}.")
    expect(page.locator("#contact")).to_be_visible()
    expect(page.locator("#messages li")).to_have_count(0)  # a new visitor sees only their own messages: none

    sent_at = time.time()
    page.fill("#send input[name=name]", "Grace")
    page.fill("#send textarea[name=message]", "Hello from a real browser")
    page.click("#send button:not([type=button])")
    expect(page.locator("#status")).to_have_text("Sent. Thank you!")
    expect(page.locator("#messages li")).to_have_count(1)
    expect(page.locator("#messages li")).to_contain_text("Grace: Hello from a real browser")

    mail = mailbox.wait_for(cfg.owner_email, since=sent_at, subject="Grace", cfg=cfg, progress=False)
    assert "Hello from a real browser" in mail["text"] and email in mail["text"]

    page.reload()  # the ID token is kept for the tab's session: still signed in, the message still listed
    expect(page.locator("#messages li")).to_contain_text("Grace: Hello from a real browser")


def test_a_wrong_code_is_refused_with_cognitos_message(page, workshop):
    """aws-facts Cognito: a wrong code is CodeMismatchException; the page shows its message and keeps the form."""
    sign_up(page, workshop.cloud.cfg)
    page.fill("#confirm input[name=code]", "000000")
    page.click("#confirm button")
    expect(page.locator("#status")).to_have_class("error")
    expect(page.locator("#status")).to_contain_text("Invalid verification code")
    expect(page.locator("#confirm")).to_be_visible()


def test_a_rejected_token_signs_the_visitor_out(page):
    """The API's 401 for a token it does not accept reaches the page (the authorizer's answer carries CORS headers,
    or the browser would report only a network error) and the page signs out."""
    page.evaluate("sessionStorage.setItem('idToken', 'eyJhbGciOiJub25lIn0.e30.')")
    page.reload()
    expect(page.locator("#status")).to_have_text("Your session has ended: sign in again.")
    expect(page.locator("#auth")).to_be_visible()


def test_an_attack_in_the_address_bar_gets_cloudfronts_block_page(page, workshop):
    """aws-facts CloudFront: a WAF block is CloudFront's 403 page, 'Request blocked.'"""
    answer = page.goto(site_url(workshop.cloud.cfg, "/?q=<script>alert(document.cookie)</script>"))
    assert answer.status == 403
    assert answer.headers["x-cache"] == "Error from cloudfront"
    expect(page).to_have_title("ERROR: The request could not be satisfied")
    expect(page.locator("body")).to_contain_text("Request blocked.")
