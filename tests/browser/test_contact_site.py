"""The contact site (assets/site) in a real browser, on the deployment the workshop's notebooks built: headless
Chromium over HTTPS on the learner's domain (and its www name), trusting the local CA through make trust; the page
signs a visitor up (code from the mailbox), in, sends a message and lists it, with plain fetch calls to Cognito and
the API (aws-facts: Cognito User Pools, API Gateway CORS and the Cognito authorizer; CloudFront's WAF block page and
custom error responses)."""

from __future__ import annotations

import time
import uuid

import pytest
from playwright.sync_api import Error as BrowserError
from playwright.sync_api import expect

from labkit import mailbox
from labkit.config import PROJECT_ROOT

from .conftest import launch, site_url, visit

PASSWORD = "Browser-Visitor-2026!"
# The pool's password policy (notebook 06): what the page tells a visitor before they sign up.
PASSWORD_RULE = "At least 12 characters, with an upper-case and a lower-case letter, a number and a symbol."


def sign_up(page, cfg) -> tuple[str, float]:
    """Sign up a new visitor through the page: their address and when the code was asked for (for the mailbox)."""
    email = f"visitor-{uuid.uuid4().hex[:8]}@example.com"
    since = time.time()
    page.fill("#sign-up input[name=email]", email)
    page.fill("#sign-up input[name=password]", PASSWORD)
    page.click("#sign-up button")
    expect(page.locator("#status")).to_have_text(f"We sent a code to {email}.")
    expect(page.locator("#confirm")).to_be_visible()
    return email, since


def confirm(page, cfg, email: str, since: float) -> None:
    code = mailbox.code_in(mailbox.wait_for(email, since=since, cfg=cfg, progress=False))
    page.fill("#confirm input[name=code]", code)
    page.click("#confirm button:not([type=button])")
    expect(page.locator("#status")).to_have_text("Confirmed: now sign in.")


def sign_in(page, email: str) -> None:
    page.fill("#sign-in input[name=email]", email)
    page.fill("#sign-in input[name=password]", PASSWORD)
    page.click("#sign-in button")
    expect(page.locator("#status")).to_have_text(f"Signed in as {email}.")
    expect(page.locator("#contact")).to_be_visible()


def send(page, name: str, message: str) -> None:
    page.fill("#send input[name=name]", name)
    page.fill("#send textarea[name=message]", message)
    page.click("#send button")
    expect(page.locator("#status")).to_have_text("Sent. Thank you!")


def new_visitor(page, cfg) -> str:
    """A visitor signed up, confirmed and signed in through the page."""
    email, since = sign_up(page, cfg)
    confirm(page, cfg, email, since)
    sign_in(page, email)
    return email


def test_the_site_is_https_on_the_learners_domain_and_trusted_after_make_trust(workshop, playwright, page,
                                                                                 tmp_path):
    """The page loads over TLS with a certificate the browser verifies (the ACM certificate, signed by the local CA
    that make trust added), with its title and icon; a browser that has not run make trust refuses the same name."""
    assert page.url == site_url(workshop.cloud.cfg)
    expect(page).to_have_title(f"Contact · {workshop.cloud.cfg.domain}")
    assert page.evaluate("window.isSecureContext") is True
    assert page.evaluate("window.CONTACT_CONFIG.apiUrl").startswith("https://")  # written by notebook 09
    # /favicon.ico is a file of its own (image/vnd.microsoft.icon, from mimetypes as notebook 01 uploads it), not the
    # SPA fallback's HTML; the page links it.
    assert page.locator("link[rel=icon]").get_attribute("href") == "/favicon.ico"
    icon = page.evaluate("""async () => {
        const answer = await fetch("/favicon.ico");
        const bytes = new Uint8Array(await answer.arrayBuffer());
        return { status: answer.status, type: answer.headers.get("content-type"), head: Array.from(bytes.slice(0, 4)) };
    }""")
    assert icon == {"status": 200, "type": "image/vnd.microsoft.icon", "head": [0, 0, 1, 0]}  # an ICO's header
    untrusting = launch(playwright, tmp_path)  # an empty home: no NSS database, no local CA
    try:
        with pytest.raises(BrowserError, match="ERR_CERT_AUTHORITY_INVALID"):
            untrusting.new_page().goto(site_url(workshop.cloud.cfg))
    finally:
        untrusting.close()


def test_a_visitor_signs_up_with_the_mailed_code_signs_in_and_sends_a_message_the_owner_receives(page, workshop):
    cfg = workshop.cloud.cfg
    expect(page.locator("#password-rule")).to_have_text(PASSWORD_RULE)  # told before signing up, not after
    expect(page.locator("#sign-out")).to_be_hidden()
    email, since = sign_up(page, cfg)
    expect(page.locator("#confirm input[name=code]")).to_be_focused()
    confirm(page, cfg, email, since)
    # Confirmed: the sign-in form has the address, and no password is left in either form.
    expect(page.locator("#sign-in input[name=email]")).to_have_value(email)
    expect(page.locator("#sign-in input[name=password]")).to_have_value("")
    expect(page.locator("#sign-up input[name=password]")).to_have_value("")
    expect(page.locator("#confirm")).to_be_hidden()

    sign_in(page, email)
    expect(page.locator("#sign-out")).to_be_visible()
    expect(page.locator("#messages li")).to_have_count(0)  # a new visitor sees only their own messages: none
    expect(page.locator("#no-messages")).to_have_text("No messages yet.")

    sent_at = time.time()
    send(page, "Grace", "Hello from a real browser\nSecond line\n\nAfter a blank line")
    expect(page.locator("#messages li")).to_have_count(1)
    expect(page.locator("#no-messages")).to_be_hidden()
    expect(page.locator("#messages li .who")).to_have_text("Grace")
    text = page.locator("#messages li .text")
    assert text.evaluate("e => e.textContent") == "Hello from a real browser\nSecond line\n\nAfter a blank line"
    assert text.evaluate("e => getComputedStyle(e).whiteSpace") == "pre-wrap"  # line breaks shown as sent

    mail = mailbox.wait_for(cfg.owner_email, since=sent_at, subject="Grace", cfg=cfg, progress=False)
    assert "Hello from a real browser" in mail["text"] and email in mail["text"]

    visit(page, page.url)  # the ID token is kept for the tab's session: still signed in, the message still listed
    expect(page.locator("#status")).to_have_text(f"Signed in as {email}.")
    expect(page.locator("header #who")).to_have_text(email)
    expect(page.locator("#messages li .text")).to_contain_text("Hello from a real browser")


def test_sign_out_in_the_header_clears_the_forms_and_the_banners(page, workshop):
    new_visitor(page, workshop.cloud.cfg)
    page.fill("#send input[name=name]", "Half-written")
    page.click("header #sign-out")
    expect(page.locator("#auth")).to_be_visible()
    expect(page.locator("#contact")).to_be_hidden()
    expect(page.locator("#sign-out")).to_be_hidden()
    expect(page.locator("header #who")).to_be_hidden()
    expect(page.locator("#status")).to_have_text("Signed out. Sign in to send a message.")
    expect(page.locator("#status")).not_to_have_class("error")
    for field in ("#sign-in input[name=email]", "#sign-in input[name=password]", "#send input[name=name]"):
        expect(page.locator(field)).to_have_value("")
    assert page.evaluate("sessionStorage.getItem('idToken')") is None  # signed out for good, not only hidden


def test_resend_code_mails_a_new_code_that_confirms(page, workshop):
    """aws-facts Cognito: sign-up mails a 6-digit code; ResendConfirmationCode mails a new one (the local cloud's
    Cognito replaces the old code with it)."""
    cfg = workshop.cloud.cfg
    email, _ = sign_up(page, cfg)
    resent_at = time.time()
    page.click("#resend")
    expect(page.locator("#confirm-status")).to_have_text(f"We sent a new code to {email}.")
    expect(page.locator("#status")).to_have_text(f"We sent a code to {email}.")  # the page's banner is unchanged
    confirm(page, cfg, email, resent_at)
    sign_in(page, email)


def test_buttons_are_busy_while_their_call_is_in_flight(page, workshop):
    """A slow call (held here) shows on its button: disabled, aria-busy, a label saying what is happening; the
    label comes back with the answer."""
    cognito = page.evaluate("window.CONTACT_CONFIG.cognitoEndpoint")
    held = []
    page.route(lambda url: url.startswith(cognito), lambda route: held.append(route))
    page.fill("#sign-in input[name=email]", "nobody@example.com")
    page.fill("#sign-in input[name=password]", PASSWORD)
    page.click("#sign-in button")
    button = page.locator("#sign-in button")
    expect(button).to_be_disabled()
    expect(button).to_have_attribute("aria-busy", "true")
    expect(button).to_have_text("Signing in…")
    assert len(held) == 1
    held[0].continue_()
    expect(page.locator("#status")).to_have_class("error")  # no such visitor: Cognito's refusal is shown
    expect(button).to_be_enabled()
    expect(button).to_have_text("Sign in")
    expect(button).not_to_have_attribute("aria-busy", "true")


def test_a_wrong_code_is_refused_with_cognitos_message(page, workshop):
    """aws-facts Cognito: a wrong code is CodeMismatchException; the page shows its message and keeps the form."""
    sign_up(page, workshop.cloud.cfg)
    page.fill("#confirm input[name=code]", "000000")
    page.click("#confirm button:not([type=button])")
    expect(page.locator("#status")).to_have_class("error")
    expect(page.locator("#status")).to_contain_text("Invalid verification code")
    expect(page.locator("#confirm")).to_be_visible()


def test_the_www_name_signs_in_and_sends_through_the_api(page, workshop):
    """The distribution serves the domain and www (notebook 04's aliases); the page on www calls the same API, whose
    CORS allow-list holds both origins (aws-facts API Gateway, CORS: the preflight without the authorizer, and the
    function's own Access-Control-Allow-Origin)."""
    cfg = workshop.cloud.cfg
    visit(page, site_url(cfg, www=True))
    assert page.evaluate("location.origin") == site_url(cfg, "", www=True)
    new_visitor(page, cfg)
    # A message is the visitor's text: markup in it is shown, not run (textContent, no innerHTML).
    markup = "Hello from www <img src=x onerror=\"document.title='owned'\">"
    send(page, "<b>Mallory</b>", markup)
    expect(page.locator("#messages li .who")).to_have_text("<b>Mallory</b>")
    expect(page.locator("#messages li .text")).to_have_text(markup)
    assert page.locator("#messages img, #messages b").count() == 0


def test_a_nested_unknown_path_is_the_working_page(page, workshop):
    """aws-facts CloudFront: the single-page-app pattern answers a missing path with /index.html and 200; the page's
    files are linked from the root, so on /no/such/page they still load as CSS and JavaScript, not as the page."""
    cfg = workshop.cloud.cfg
    answer = visit(page, site_url(cfg, "/no/such/page"))
    assert answer.status == 200
    assert page.evaluate("getComputedStyle(document.querySelector('#status')).borderRadius") != "0px"  # style.css
    assert page.evaluate("window.CONTACT_CONFIG.apiUrl").startswith("https://")  # config.js
    new_visitor(page, cfg)  # app.js, signing in against Cognito and the API


def test_a_rejected_token_signs_the_visitor_out(page):
    """The API's 401 for a token it does not accept reaches the page (the authorizer's answer carries CORS headers,
    or the browser would report only a network error) and the page signs out."""
    page.evaluate("sessionStorage.setItem('idToken', 'eyJhbGciOiJub25lIn0.e30.')")
    visit(page, page.url)
    expect(page.locator("#status")).to_have_text("Your session has ended: sign in again.")
    expect(page.locator("#auth")).to_be_visible()
    expect(page.locator("#sign-out")).to_be_hidden()


def test_an_attack_in_the_address_bar_gets_cloudfronts_block_page(page, workshop):
    """aws-facts CloudFront: a WAF block is CloudFront's 403 page, 'Request blocked.'"""
    answer = visit(page, site_url(workshop.cloud.cfg, "/?q=<script>alert(document.cookie)</script>"))
    assert answer.status == 403
    assert answer.headers["x-cache"] == "Error from cloudfront"
    expect(page).to_have_title("ERROR: The request could not be satisfied")
    expect(page.locator("body")).to_contain_text("Request blocked.")


def test_the_sdk_version_signs_up_and_in_with_amazon_cognito_identity_js_and_sends(page, workshop):
    """/?sdk: the same page through amazon-cognito-identity-js (vendored, no CDN), which signs in by USER_SRP_AUTH:
    the visitor signs up with the mailed code, signs in with the right password (a wrong one gets Cognito's
    "Incorrect username or password."), and sends through the API with the SDK's ID token."""
    cfg = workshop.cloud.cfg
    sdk_calls = []
    page.on("request", lambda r: sdk_calls.append(r.post_data or "") if "x-amz-target" in r.headers else None)
    visit(page, site_url(cfg, "/?sdk"))
    expect(page.locator("#way")).to_contain_text("amazon-cognito-identity-js (USER_SRP_AUTH)")
    email, since = sign_up(page, cfg)
    confirm(page, cfg, email, since)
    page.fill("#sign-in input[name=email]", email)
    page.fill("#sign-in input[name=password]", "Wrong-Visitor-2026!")
    page.click("#sign-in button")
    expect(page.locator("#status")).to_have_text("Incorrect username or password.")
    sign_in(page, email)
    assert any('"USER_SRP_AUTH"' in body for body in sdk_calls)  # the SDK's flow, not the plain page's
    assert not any("USER_PASSWORD_AUTH" in body for body in sdk_calls)
    send(page, "Ada", "Sent through the SDK version")
    expect(page.locator("#messages li .text")).to_have_text("Sent through the SDK version")
    shots = PROJECT_ROOT / "reports" / "screenshots"
    shots.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(shots / "contact-sdk.png"), full_page=True)
    stored = "Object.keys(localStorage).filter(k => k.startsWith('CognitoIdentityServiceProvider.')).length"
    assert page.evaluate(stored) > 0  # the library's own session store
    page.click("#sign-out")
    expect(page.locator("#auth")).to_be_visible()
    assert page.evaluate(stored) == 0  # signing out of the page signs the library out too
    page.locator("#way a").click()  # the link to the other way
    expect(page.locator("#way")).to_contain_text("plain Cognito API calls (USER_PASSWORD_AUTH)")
