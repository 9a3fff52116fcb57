"""Layer 11 · end to end: the path a visitor's browser takes, walked without a browser over real HTTPS, starting
from the site's own origin (the learner's domain, through CloudFront) and using only what the site tells the page:

    journey.page      the home page is HTML and loads config.js
    journey.config    the config.js the site serves names live resources: the user pool and its app client, the API
                      and its deployed stage, the region and Cognito endpoint (a recreated app client or API leaves
                      it naming the deleted one: every other layer passes while the page's sign-in fails)
    journey.sign_in   a throw-away visitor signs up, confirms (the mailed code; on AWS admin_confirm_sign_up) and
                      signs in with plain POSTs to config.js's Cognito endpoint and app client, as app.js does;
                      the visitor is deleted at once (an ID token stays valid until it expires: the API's Cognito
                      authorizer checks its signature, not the user)
    journey.send      the preflight, the POST with the ID token and the GET that lists it, to config.js's API with
                      the site's Origin, each answered with CORS headers for that origin
    journey.notified  the owner's notification mail arrives (local mailbox; on AWS not observable here: skipped)
"""

from __future__ import annotations

import json
import re
import secrets
import time
from typing import Any
from urllib.parse import urlsplit

from botocore.exceptions import ClientError

from labkit import NotYet, StillPending, api_url, cognito_endpoint, mailbox, names, site_origin

from .api import find_api, forget_message
from .base import Check, Context, Result, failed, passed, skipped
from .cognito import PASSWORD, app_clients, find_pool
from .probes import ProbeError, http_request

NEEDS = ("cdn", "cognito", "api", "sns")  # the layers the journey goes through: run once they passed
KEYS = ("region", "userPoolId", "clientId", "cognitoEndpoint", "apiUrl")  # what app.js reads from config.js
REWRITE = ("re-run notebook 09's cell \"8. Tell the site where the API is\": it writes config.js with the live "
           "values and invalidates /config.js in CloudFront (or the cache keeps the old file for a day)")
MAIL_DEADLINE = 20  # seconds: the local cloud mails in well under one


def _cafile(ctx: Context) -> str | None:
    return str(ctx.cfg.state_dir / "ca" / "ca.pem") if ctx.cfg.local else None


def _request(ctx: Context, method: str, url: str, **kwargs: Any):
    return http_request(method, url, cafile=_cafile(ctx), **kwargs)


def _site_get(ctx: Context, path: str):
    """GET ``path`` from the site as a browser does; the WAF's rate rule answering 429 is waited out (NotYet)."""
    answer = _request(ctx, "GET", site_origin(ctx.cfg) + path)
    if answer.status_code == 429:
        raise NotYet("429 from the site's WAF rate rule: too many requests from this address in the last minute")
    return answer


def parse_config(text: str) -> dict[str, str] | None:
    """The string values of ``window.CONTACT_CONFIG = {…}`` (None when the text assigns no CONTACT_CONFIG). Read
    tolerantly, as JavaScript: JSON as notebook 09 writes it, or bare keys, single quotes and trailing commas as in
    assets/site/config.js."""
    start = text.find("CONTACT_CONFIG")
    if start < 0:
        return None
    body = text[start:]
    body = body[:body.find("}") + 1 or None]
    values: dict[str, str] = {}
    for key, quoted in re.findall(r"""["']?(\w+)["']?\s*:\s*("(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*')""", body):
        if quoted.startswith('"'):
            value = json.loads(quoted)
        else:
            value = re.sub(r"\\(.)", r"\1", quoted[1:-1])
        values.setdefault(key, value)
    return values


def probe_page(ctx: Context) -> Result:
    url = site_origin(ctx.cfg) + "/"
    try:
        answer = _site_get(ctx, "/")
    except ProbeError as exc:
        return failed(exc.reason, "200 text/html", "the site does not answer at its domain: notebooks 03 (DNS) and "
                      "04 (CloudFront) make it answer; validators.check('cdn') says what is missing")
    kind = answer.headers.get("Content-Type", "")
    if answer.status_code == 403 and "Error from cloudfront" in answer.headers.get("X-Cache", ""):
        return failed("403 from CloudFront (blocked)", "200 text/html",
                      "the WAF blocks the home page itself: a rule of notebook 05 matches a plain visit")
    if answer.status_code != 200 or "html" not in kind:
        return failed(f"{answer.status_code} {kind}", "200 text/html", "the site does not serve its page: "
                      "validators.check('cdn') says why (notebooks 01 and 04)")
    if not re.search(r"""<script[^>]*\bsrc=["']?/?config\.js""", answer.text):
        return failed("the page has no <script src=\"/config.js\">", "the contact page loading config.js",
                      "the page served is not the kit's contact page (assets/site/index.html): upload the site's "
                      "files again (notebook 01) and invalidate /* in CloudFront")
    return passed(f"{url} → 200 HTML, loads config.js")


def _bucket_config(ctx: Context) -> dict[str, str] | None:
    """config.js as the bucket holds it (what CloudFront fetches on a Miss); None when unreadable."""
    try:
        body = ctx.client("s3").get_object(Bucket=names(ctx.cfg).site_bucket, Key="config.js")["Body"].read()
    except ClientError:
        return None
    return parse_config(body.decode("utf-8", "replace"))


def _live(ctx: Context) -> tuple[dict[str, str], list[str]]:
    """The values config.js should hold, from the control plane, and what is missing altogether (naming the
    notebook that makes it)."""
    n, live, missing = names(ctx.cfg), {"region": ctx.cfg.region, "cognitoEndpoint": cognito_endpoint(ctx.cfg)}, []
    pool = find_pool(ctx)
    if pool is None:
        missing.append(f"no user pool named {n.user_pool} (notebook 06)")
    else:
        live["userPoolId"] = pool["Id"]
        client = next((c for c in app_clients(ctx, pool["Id"]) if c["ClientName"] == n.app_client), None)
        if client is None:
            missing.append(f"no app client named {n.app_client} in {pool['Id']} (notebook 06)")
        else:
            live["clientId"] = client["ClientId"]
    apigw = ctx.client("apigateway")
    api = find_api(ctx)
    if api is None:
        missing.append(f"no REST API named {n.api} (notebook 09)")
    else:
        try:
            stage = apigw.get_stage(restApiId=api["id"], stageName=n.stage)
        except ClientError:
            stage = {}
        if not stage.get("deploymentId"):
            missing.append(f"the API {api['id']} has no deployed stage {n.stage} (notebook 09: create_deployment)")
        live["apiUrl"] = api_url(api["id"], n.stage, ctx.cfg)
    return live, missing


def _stale(ctx: Context, served: dict[str, str], live: dict[str, str]) -> dict[str, str]:
    """What config.js names that is not live: key → what is wrong with its value, saying what the live one is."""
    problems = {}
    for key in KEYS:
        value, wanted = served.get(key, ""), live.get(key)
        if wanted is None or value == wanted:
            continue
        if not value:
            problems[key] = f"{key} is empty"
        elif key == "userPoolId":
            problems[key] = f"userPoolId {value} is not the site's pool ({names(ctx.cfg).user_pool} is {wanted})"
        elif key == "clientId":
            gone = "no longer exists" if not _client_exists(ctx, served.get("userPoolId", ""), value) else \
                f"is not the app client {names(ctx.cfg).app_client}"
            problems[key] = f"clientId {value} {gone} (the live app client is {wanted})"
        elif key == "apiUrl":
            problems[key] = f"apiUrl {value} {_api_gone(ctx, value)} (the live API is {wanted})"
        else:
            problems[key] = f"{key} {value!r}, not {wanted!r}"
    return problems


def _client_exists(ctx: Context, pool_id: str, client_id: str) -> bool:
    try:
        ctx.client("cognito-idp").describe_user_pool_client(UserPoolId=pool_id, ClientId=client_id)
    except ClientError:
        return False
    return True


def _api_gone(ctx: Context, url: str) -> str:
    """Why an apiUrl is not the live one: its API or stage no longer exists, or it is another address."""
    parts = urlsplit(url)
    api_id, stage = (parts.hostname or "").split(".")[0], parts.path.strip("/").split("/")[0]
    apigw = ctx.client("apigateway")
    try:
        apigw.get_rest_api(restApiId=api_id)
    except ClientError:
        return f"names an API ({api_id}) that no longer exists"
    try:
        apigw.get_stage(restApiId=api_id, stageName=stage)
    except ClientError:
        return f"names a stage ({stage or 'none'}) that API {api_id} no longer has"
    return "is not the live API's address"


def probe_config(ctx: Context) -> Result:
    try:
        answer = _site_get(ctx, "/config.js")
    except ProbeError as exc:
        return failed(exc.reason, "config.js", "the site does not answer at its domain")
    served = parse_config(answer.text) if answer.status_code == 200 else None
    if served is None:
        seen = (f"{answer.status_code} {answer.headers.get('Content-Type', '')}: the page itself (CloudFront's "
                "error response for a missing file)" if "html" in answer.headers.get("Content-Type", "")
                else f"{answer.status_code}, no window.CONTACT_CONFIG in it")
        return failed(f"/config.js → {seen}", "window.CONTACT_CONFIG = {…}",
                      f"the site has no config.js, so the page knows no pool, app client or API: {REWRITE}")
    live, missing = _live(ctx)
    if missing:
        return failed("; ".join(missing), "the resources config.js names", f"{missing[0]}: run that notebook's cells "
                      f"again, then {REWRITE}")
    problems = _stale(ctx, served, live)
    stale = "the old " + " and ".join(problems)
    if not any(served.get(k) for k in ("userPoolId", "clientId", "apiUrl")):
        problems, stale = {"all": "config.js is notebook 01's placeholder (no pool, app client or API)"}, "nothing"
    if problems:
        bucket = _bucket_config(ctx)
        cached = bucket is not None and not _stale(ctx, bucket, live)
        hint = ("the bucket's config.js is up to date, but CloudFront still serves an older copy from its cache: "
                "invalidate /config.js (create_invalidation, as notebook 09's last cell does)" if cached else
                f"config.js names {stale}: {REWRITE}")
        return failed("; ".join(problems.values()), "config.js naming the live pool, app client and API", hint)
    ctx.facts["config"] = served
    return passed(f"the live app client {served['clientId']} and API {served['apiUrl']} (and pool, region)")


class Refused(Exception):
    """Cognito's JSON error answer to ``operation``: its status, __type and message, as the page would show them."""

    def __init__(self, operation: str, status: int, kind: str, message: str) -> None:
        super().__init__(f"{operation} → {status} {kind}: {message}")


def _cognito(ctx: Context, operation: str, body: dict[str, Any]) -> dict[str, Any]:
    """One unsigned call to config.js's Cognito endpoint with its app client, as app.js's fetch makes it."""
    config = ctx.facts["config"]
    answer = _request(ctx, "POST", config["cognitoEndpoint"], data=json.dumps({"ClientId": config["clientId"],
                      **body}), headers={"Content-Type": "application/x-amz-json-1.1", "Origin": site_origin(ctx.cfg),
                                         "X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}"})
    try:
        data = answer.json()
    except ValueError:
        data = {"message": answer.text[:100]}
    if answer.status_code != 200:
        raise Refused(operation, answer.status_code, str(data.get("__type", "")).split("#")[-1],
                      data.get("message") or data.get("Message") or "")
    return data


def probe_sign_in(ctx: Context) -> Result:
    config, email = ctx.facts["config"], f"validator-{secrets.token_hex(4)}@example.com"
    since = time.time()
    attributes = [{"Name": "email", "Value": email}]
    try:
        _cognito(ctx, "SignUp", {"Username": email, "Password": PASSWORD, "UserAttributes": attributes})
    except (Refused, ProbeError) as exc:
        return failed(str(exc), "the visitor signed up", "the page's sign-up fails the same way: "
                      "validators.check('cognito') says why (notebook 06)")
    try:
        if ctx.cfg.local:
            try:
                mail = mailbox.wait_for(email, since=since, cfg=ctx.cfg, progress=False, deadline=MAIL_DEADLINE)
            except StillPending:
                return failed(f"no code mailed to {email} within {MAIL_DEADLINE} s", "the code by e-mail",
                              "the pool mails no code: it needs AutoVerifiedAttributes=['email'] (notebook 06)")
            _cognito(ctx, "ConfirmSignUp", {"Username": email, "ConfirmationCode": mailbox.code_in(mail)})
        else:  # nobody can read a made-up address's inbox on AWS
            ctx.client("cognito-idp").admin_confirm_sign_up(UserPoolId=config["userPoolId"], Username=email)
        tokens = _cognito(ctx, "InitiateAuth", {"AuthFlow": "USER_PASSWORD_AUTH",
                                                "AuthParameters": {"USERNAME": email, "PASSWORD": PASSWORD}})
    except (Refused, ProbeError) as exc:
        return failed(str(exc), "confirmed and signed in", "the page's sign-in fails the same way: the app client "
                      "must allow ALLOW_USER_PASSWORD_AUTH (notebook 06); validators.check('cognito') says more")
    finally:
        try:
            ctx.client("cognito-idp").admin_delete_user(UserPoolId=config["userPoolId"], Username=email)
        except ClientError:
            pass  # never created, or gone already
    token = (tokens.get("AuthenticationResult") or {}).get("IdToken")
    if not token:
        return failed(f"InitiateAuth answered {sorted(tokens)}", "AuthenticationResult.IdToken",
                      f"sign-in asks for a challenge ({tokens.get('ChallengeName')}): new visitors must sign in "
                      "with a password alone (MfaConfiguration OPTIONAL, notebook 06)")
    ctx.facts.update(id_token=token, visitor=email)
    return passed(f"{email}: signed up, confirmed, signed in at {config['cognitoEndpoint']}, deleted")


def _cors_problem(answer, origin: str, what: str) -> str:
    allowed = answer.headers.get("Access-Control-Allow-Origin", "")
    return "" if allowed in ("*", origin) else f"{what} → {answer.status_code}, Allow-Origin {allowed or 'missing'}"


PREFLIGHT = {"Access-Control-Request-Method": "POST", "Access-Control-Request-Headers": "authorization,content-type"}
CORS_HINT = ("the browser hides an answer without Access-Control-Allow-Origin for the page's origin: the function's "
             "ALLOWED_ORIGINS must list the site's origins (notebook 08), and OPTIONS must reach it without the "
             "authorizer (notebook 09); validators.check('api') says more")


def probe_send(ctx: Context) -> Result:
    url, origin = ctx.facts["config"]["apiUrl"].rstrip("/") + "/messages", site_origin(ctx.cfg)
    signed = {"Authorization": ctx.facts["id_token"], "Origin": origin}
    marker, since = f"journey {secrets.token_hex(4)}", time.time()
    try:
        preflight = _request(ctx, "OPTIONS", url, headers={"Origin": origin, **PREFLIGHT})
        if preflight.status_code not in (200, 204) or _cors_problem(preflight, origin, "preflight"):
            return failed(_cors_problem(preflight, origin, "preflight") or f"preflight → {preflight.status_code}",
                          f"200 or 204, Allow-Origin {origin}", CORS_HINT)
        created = _request(ctx, "POST", url, json={"name": "Validator", "message": marker}, headers=signed)
        if created.status_code // 100 != 2:
            return failed(f"POST {url} → {created.status_code} {created.text[:150]}", "201",
                          "the page's Send fails the same way: validators.check('api') says why (notebook 09)")
        listed = _request(ctx, "GET", url, headers=signed)
        forget_message(ctx, ctx.facts["visitor"], marker)
    except ProbeError as exc:
        return failed(exc.reason, f"answers from {url}", "the API's address in config.js does not answer: "
                      "validators.check('api') says why (notebook 09)")
    cors = _cors_problem(created, origin, "POST") or _cors_problem(listed, origin, "GET")
    if cors:
        return failed(cors, f"Allow-Origin {origin}", CORS_HINT)
    if listed.status_code != 200 or marker not in listed.text:
        return failed(f"GET → {listed.status_code} {listed.text[:150]}", f"the message {marker!r} listed",
                      "the message was accepted but is not listed to its sender: the function's GET must query "
                      "the table by the caller's e-mail (assets/lambda/app.py, notebook 08)")
    ctx.facts.update(marker=marker, sent_at=since)
    return passed(f"preflight, POST → {created.status_code}, GET lists it; Allow-Origin {origin}")


def probe_notified(ctx: Context) -> Result:
    if not ctx.cfg.local:
        return skipped("on AWS the notification goes to the owner's real inbox, which no validator can read "
                       "(sns.delivery observes the topic through a temporary SQS subscription instead)")
    owner = ctx.cfg.owner_email
    try:
        mail = mailbox.wait_for(owner, since=ctx.facts["sent_at"], text=ctx.facts["marker"], cfg=ctx.cfg,
                                progress=False, deadline=MAIL_DEADLINE)
    except StillPending:
        return failed(f"no mail to {owner} with the message within {MAIL_DEADLINE} s", "the owner's notification",
                      "the function publishes to a topic without the owner's confirmed e-mail subscription "
                      "(notebook 10; validators.check('sns') says more)")
    return passed(f"mail to {owner}: {mail['subject']}")


CHECKS = [
    Check("journey.page", "the site's home page loads config.js", probe_page, wait=75),
    Check("journey.config", "the site's config.js names the live pool, app client and API", probe_config, wait=75,
          needs=("journey.page",)),
    Check("journey.sign_in", "a visitor signs up and in with the app client config.js names", probe_sign_in,
          needs=("journey.config",)),
    Check("journey.send", "the message reaches the API config.js names, from the site's origin", probe_send,
          needs=("journey.sign_in",)),
    Check("journey.notified", "the owner is notified of the message", probe_notified, needs=("journey.send",)),
]
