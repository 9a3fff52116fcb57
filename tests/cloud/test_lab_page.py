"""The /_lab/ home page and its check board: results published with labkit.checkboard (make check, a notebook's
last cell) light the learner's layers; a bad body is a 400 saying what is wrong; the board survives a restart; a
browser opening the gateway's address lands on /_lab/ while boto3's ListBuckets (GET /, signed) is unchanged."""

from __future__ import annotations

import json
import uuid
from dataclasses import replace

import pytest
import requests
from werkzeug.test import EnvironBuilder
from werkzeug.wrappers import Request

from labkit import architecture, checkboard
from labkit.cloud.lab.board import MAX_BODY, MAX_RESULTS
from labkit.cloud.lab.component import LabComponent
from labkit.config import Config

from ..conftest import free_port

BROWSER = {"Accept": "text/html,application/xhtml+xml,application/xml;q=0.9,*/*;q=0.8"}
DOC = "http://127.0.0.1:4566/_lab/docs/checks/#s3-policy"  # where validators/explain.py says s3.policy is explained
RESULTS = [
    {"check": "s3.bucket", "status": "pass", "title": "the bucket exists", "hint": "", "observed": "lab-site"},
    {"check": "s3.policy", "status": "fail", "title": "only CloudFront reads", "hint": "the policy lets anyone read",
     "observed": "Principal *", "doc": DOC},
    {"check": "waf.acl", "status": "pending", "hint": "not there yet: run the check again in a minute"},
    {"check": "cdn.deployed", "status": "blocked", "hint": "runs once certificate.issued passes"},
    {"check": "dns.zone", "status": "pass"},
    {"check": "dns.ns", "status": "skip", "observed": "not on this target"},
]


def checks_url(cloud) -> str:
    return f"{cloud.cfg.gateway_url}/_lab/api/checks"


def post(cloud, body, **kwargs) -> requests.Response:
    return requests.post(checks_url(cloud), json=body, timeout=5, **kwargs)


def learner() -> str:
    return f"learner-{uuid.uuid4().hex[:6]}"


def test_layers_come_from_the_checks_fail_first_then_pending_blocked_pass():
    layers = architecture.layers_from_results(RESULTS)
    assert layers["s3"] == {"status": "fail", "score": "1/2", "hint": "the policy lets anyone read",
                            "check": "s3.policy", "doc": DOC}
    assert layers["waf"]["status"] == "pending" and layers["cdn"]["status"] == "blocked"
    assert layers["dns"] == {"status": "pass", "score": "1/1", "hint": "", "check": "", "doc": ""}  # skip: not counted
    assert architecture.layers_from_results([{"check": "cognito.x", "status": "skip", "counted": False}]) == {
        "cognito": {"status": "skip", "score": "0/0", "hint": "", "check": "", "doc": ""}}


def test_the_picture_has_a_box_per_layer_escapes_hints_and_lists_failures():
    picture = architecture.svg(architecture.layers_from_results(
        RESULTS + [{"check": "api.cors", "status": "fail", "hint": "<script>alert(1)</script> & more"}]))
    for name in architecture.LAYERS:
        assert f'data-layer="{name}"' in picture
    assert 'data-layer="s3" data-status="fail"' in picture and 'data-layer="journey" data-status="none"' in picture
    assert "<script>" not in picture and "&lt;script&gt;alert(1)&lt;/script&gt; &amp; more" in picture
    assert "the policy lets anyone read" in picture and "not yet" in picture
    assert f'<a href="{DOC}" target="_blank"><text' in picture  # the failed check's entry in the docs, one click away
    architecture.show({})  # outside IPython: nothing happens, nothing raises


def test_published_results_are_served_with_their_layers(cloud):
    name = learner()
    answer = post(cloud, {"learner": name, "target": "local", "results": RESULTS})
    assert answer.status_code == 200, answer.text
    board = requests.get(checks_url(cloud), timeout=5).json()
    entry = board["learners"][name]
    assert entry["target"] == "local" and entry["updated"].endswith("Z")
    assert entry["layers"]["s3"] == {"status": "fail", "score": "1/2", "hint": "the policy lets anyone read",
                                     "check": "s3.policy", "doc": DOC}
    assert [r["check"] for r in entry["results"]] == ["s3.bucket", "s3.policy", "dns.zone", "dns.ns", "cdn.deployed",
                                                      "waf.acl"]  # in workshop order
    assert board["layers"] == list(architecture.LAYERS)
    picture = requests.get(f"{cloud.cfg.gateway_url}/_lab/architecture.svg", params={"learner": name}, timeout=5)
    assert picture.headers["Content-Type"].startswith("image/svg+xml")
    assert 'data-layer="s3" data-status="fail"' in picture.text


@pytest.mark.parametrize("body, says", [
    (b"not json", "not JSON"),
    (b"[1, 2]", "must be a JSON object"),
    (json.dumps({"results": []}).encode(), "learner must be a non-empty string"),
    (json.dumps({"learner": "x" * 65, "results": []}).encode(), "at most 64"),
    (json.dumps({"learner": "ada", "results": "all good"}).encode(), "results must be a list"),
    (json.dumps({"learner": "ada", "results": [1]}).encode(), "results[0] must be an object"),
    (json.dumps({"learner": "ada", "results": [{"check": "no spaces allowed", "status": "pass"}]}).encode(),
     "results[0].check must be a check id"),
    (json.dumps({"learner": "ada", "results": [{"check": "s3.bucket", "status": "great"}]}).encode(),
     "results[0].status must be one of pass, fail, pending, blocked, skip"),
    (json.dumps({"learner": "ada", "results": [{"check": "s3.bucket", "status": "pass", "hint": 3}]}).encode(),
     "results[0].hint must be a string"),
    (json.dumps({"learner": "ada", "results": [{"check": "s.b", "status": "pass"}] * (MAX_RESULTS + 1)}).encode(),
     f"at most {MAX_RESULTS}"),
])
def test_a_malformed_body_is_a_400_naming_what_is_wrong(cloud, body, says):
    answer = requests.post(checks_url(cloud), data=body, headers={"Content-Type": "application/json"}, timeout=5)
    assert answer.status_code == 400, answer.text
    assert says in answer.json()["message"]
    assert "Traceback" not in answer.text


def test_an_oversized_body_is_refused_and_long_texts_are_cut(cloud):
    big = requests.post(checks_url(cloud), data=b"x" * (MAX_BODY + 1), timeout=5)
    assert big.status_code == 413 and "at most" in big.json()["message"]
    name = learner()
    assert post(cloud, {"learner": name, "results": [{"check": "s3.bucket", "status": "fail",
                                                      "hint": "h" * 10_000}]}).status_code == 200
    kept = requests.get(checks_url(cloud), timeout=5).json()["learners"][name]["results"][0]["hint"]
    assert len(kept) == 2000 and kept.endswith("…")
    assert requests.put(checks_url(cloud), timeout=5).status_code == 405


def test_the_board_survives_a_restart_and_can_be_cleared(fresh_cloud):
    assert post(fresh_cloud, {"learner": "ada", "target": "local", "results": RESULTS}).status_code == 200
    fresh_cloud.restart()
    board = requests.get(checks_url(fresh_cloud), timeout=5).json()
    assert board["learners"]["ada"]["layers"]["s3"]["status"] == "fail"
    assert requests.delete(checks_url(fresh_cloud), timeout=5).json() == {"deleted": 1}
    fresh_cloud.restart()  # the clearing was saved too
    assert requests.get(checks_url(fresh_cloud), timeout=5).json()["learners"] == {}


def test_the_home_page_shows_components_links_and_the_lit_picture(cloud):
    name = learner()
    post(cloud, {"learner": name, "target": "local", "results": RESULTS})
    page = requests.get(f"{cloud.cfg.gateway_url}/_lab/", params={"learner": name}, timeout=5)
    assert page.status_code == 200 and page.headers["Content-Type"].startswith("text/html")
    health = requests.get(f"{cloud.cfg.gateway_url}/_lab/health", timeout=5).json()
    for component in health["components"]:
        assert f'data-component="{component}"' in page.text
    assert f'href="https://{cloud.cfg.domain}:{cloud.cfg.ports["https"]}"' in page.text  # the site's origin
    assert 'href="/_lab/mail"' in page.text and "Docs" in page.text
    assert f"Layers of {name}" in page.text and 'data-layer="s3" data-status="fail"' in page.text
    assert requests.get(f"{cloud.cfg.gateway_url}/_lab", allow_redirects=False, timeout=5).headers[
        "Location"] == "/_lab/"


def test_the_mailbox_link_opens_the_shown_learners_account(cloud):
    """make check publishes the learner's account with the results, so the home page's Mailbox link shows that
    account's mail (a class shares one mailbox); a board entry without one links the whole mailbox."""
    name, other = learner(), learner()
    post(cloud, {"learner": name, "target": "local", "account": "212345678901", "results": RESULTS})
    post(cloud, {"learner": other, "target": "local", "results": RESULTS})
    home = f"{cloud.cfg.gateway_url}/_lab/"
    assert 'href="/_lab/mail?account=212345678901"' in requests.get(home, params={"learner": name}, timeout=5).text
    assert 'href="/_lab/mail"' in requests.get(home, params={"learner": other}, timeout=5).text
    refused = post(cloud, {"learner": name, "target": "local", "account": "ada", "results": RESULTS})
    assert refused.status_code == 400 and "12-digit account id" in refused.json()["message"]


def test_a_browser_at_the_gateway_root_goes_to_the_lab_page_and_boto3_still_lists_buckets(cloud):
    root = f"{cloud.cfg.gateway_url}/"
    answer = requests.get(root, headers=BROWSER, allow_redirects=False, timeout=5)
    assert answer.status_code == 302 and answer.headers["Location"] == "/_lab/"
    signed = requests.get(root, headers={**BROWSER, "Authorization": "AWS4-HMAC-SHA256 Credential=x"},
                          allow_redirects=False, timeout=5)
    assert signed.status_code != 302
    assert requests.get(root, allow_redirects=False, timeout=5).status_code != 302  # curl, a script: not a browser
    bucket = f"lab-root-{uuid.uuid4().hex[:8]}"
    s3 = cloud.client("s3")
    s3.create_bucket(Bucket=bucket)
    assert bucket in [b["Name"] for b in s3.list_buckets()["Buckets"]]


def test_the_docs_site_is_served_once_built(tmp_path):
    """In-process: the component serves the built site (make docs) below /_lab/docs/, and nothing outside it."""
    (tmp_path / "labs").mkdir()
    (tmp_path / "index.html").write_text("<h1>docs home</h1>")
    (tmp_path / "labs" / "index.html").write_text("<h1>the labs</h1>")
    component = LabComponent(cloud=None, docs_site=tmp_path)
    handler = component.routes()["docs"]

    def get(path):
        answer = handler(Request(EnvironBuilder(path=path).get_environ()))
        answer.direct_passthrough = False  # a file sent as a stream: read it here
        return answer

    assert b"docs home" in get("/_lab/docs/").get_data()
    assert b"the labs" in get("/_lab/docs/labs/").get_data()
    assert get("/_lab/docs/labs").headers["Location"] == "/_lab/docs/labs/"
    assert get("/_lab/docs").headers["Location"] == "/_lab/docs/"
    assert get("/_lab/docs/../../etc/passwd").status_code == 404


def test_publish_is_a_no_op_on_aws_and_silent_when_the_cloud_is_down(cloud, monkeypatch):
    sent = []
    monkeypatch.setattr(requests, "post", lambda *a, **k: sent.append(a))
    checkboard.publish(Config(target="aws", aws_account="111122223333"), "ada", RESULTS)
    assert sent == []
    monkeypatch.undo()
    down = replace(cloud.cfg, ports={**cloud.cfg.ports, "gateway": free_port()})  # nothing listens there
    checkboard.publish(down, "ada", RESULTS)  # returns, raises nothing
    checkboard.publish(cloud.cfg, "ada", [object()])  # not a result: ignored, raises nothing


def test_publish_sends_the_results_to_the_board(cloud):
    name = learner()
    checkboard.publish(cloud.cfg, name, [{**r, "detail": "Traceback …"} for r in RESULTS])
    entry = requests.get(checks_url(cloud), timeout=5).json()["learners"][name]
    assert entry["layers"]["s3"]["status"] == "fail" and "detail" not in entry["results"][0]
    assert [r["check"] for r in checkboard.latest(cloud.cfg, name)] == [r["check"] for r in entry["results"]]
    assert checkboard.latest(cloud.cfg, "nobody-" + name) == []
    assert checkboard.latest(Config(target="aws", aws_account="111122223333"), name) == []


def test_one_layer_checked_again_replaces_that_layer_only(cloud):
    """A notebook's last cell checks its own layer: the learner's other layers stay lit."""
    name = learner()
    checkboard.publish(cloud.cfg, name, RESULTS)
    checkboard.publish(cloud.cfg, name, [{"check": "s3.bucket", "status": "pass"},
                                         {"check": "s3.policy", "status": "pass"}])
    entry = requests.get(checks_url(cloud), timeout=5).json()["learners"][name]
    assert entry["layers"]["s3"] == {"status": "pass", "score": "2/2", "hint": "", "check": "", "doc": ""}
    assert entry["layers"]["waf"]["status"] == "pending"  # kept
    assert [r["check"] for r in entry["results"]][:3] == ["s3.bucket", "s3.policy", "dns.zone"]  # workshop order
    checkboard.publish(cloud.cfg, name, [{"check": "setup.target", "status": "pass"}], replace=True)
    assert list(requests.get(checks_url(cloud), timeout=5).json()["learners"][name]["layers"]) == ["setup"]
    assert post(cloud, {"learner": name, "results": [], "replace": "yes"}).json()["message"] == (
        "replace must be true or false")


def test_the_mailbox_api_names_the_code_and_the_validators_mail(cloud):
    """The mailbox page shows a Cognito code large and hides validator-<hex>@example.com mail: both decided once,
    in the API's summary (new fields; the old ones are unchanged for labkit.mailbox)."""
    from labkit.cloud.core.mail import send_mail

    port, tag = int(cloud.env["LAB_SMTP_PORT"]), uuid.uuid4().hex[:8]
    send_mail(port, f"code-{tag}@example.com", "Your verification code", "Your verification code is 482913. ")
    send_mail(port, f"validator-{tag}@example.com", "Your verification code", "Your verification code is 111111. ")
    send_mail(port, f"note-{tag}@example.com", "New message", "Order 123456 shipped")  # a number, not a code
    url = f"{cloud.cfg.gateway_url}/_lab/mail/api/messages"
    found = {m["to"][0].split("-")[0]: m for m in requests.get(url, timeout=5).json()["messages"] if tag in m["to"][0]}
    assert (found["code"]["code"], found["code"]["validator"]) == ("482913", False)
    assert (found["validator"]["code"], found["validator"]["validator"]) == ("111111", True)
    assert found["note"]["code"] is None
    page = requests.get(f"{cloud.cfg.gateway_url}/_lab/mail", params={"to": "<script>"}, timeout=5).text
    assert "<script>" not in page.split("<script type='application/json'")[0]  # the filter value is escaped
