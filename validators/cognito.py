"""Layer 06 · Cognito: the pool and its app client let a visitor sign up (with the mailed code) and sign in, and the
ID token verifies against the pool's published keys (JWKS) with the right issuer and audience."""

from __future__ import annotations

import contextlib
import secrets
import time
from collections.abc import Iterator

import jwt
import requests

from labkit import cognito_jwks_url, mailbox, names

from .base import Check, Context, Result, failed, passed

PASSWORD = "Validator-" + secrets.token_hex(4) + "-9a!"
REQUIRED_FLOWS = {"ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"}


def find_pool(ctx: Context) -> dict | None:
    """The learner's user pool (DescribeUserPool), looked up once per run: five layers sign in through it."""
    idp, wanted = ctx.client("cognito-idp"), names(ctx.cfg).user_pool

    def lookup() -> dict | None:
        for page in idp.get_paginator("list_user_pools").paginate(MaxResults=60):
            for pool in page["UserPools"]:
                if pool["Name"] == wanted:
                    return idp.describe_user_pool(UserPoolId=pool["Id"])["UserPool"]
        return None

    return ctx.memo("user pool", lookup)


def app_clients(ctx: Context, pool_id: str) -> list[dict]:
    """The pool's app clients (ListUserPoolClients), once per run."""
    return ctx.memo(("app clients", pool_id), lambda: ctx.client("cognito-idp").list_user_pool_clients(
        UserPoolId=pool_id, MaxResults=60)["UserPoolClients"])


def probe_pool(ctx: Context) -> Result:
    pool = find_pool(ctx)
    if pool is None:
        return failed(f"no user pool named {names(ctx.cfg).user_pool}", "the pool exists",
                      "run notebook 06's create-pool cell")
    ctx.facts["pool"] = pool
    return passed(pool["Id"])


def probe_sign_up_settings(ctx: Context) -> Result:
    pool = ctx.facts["pool"]
    problems = []
    if "email" not in pool.get("UsernameAttributes", []):
        problems.append("visitors sign in with their e-mail: UsernameAttributes=['email']")
    if "email" not in pool.get("AutoVerifiedAttributes", []):
        problems.append("AutoVerifiedAttributes=['email'], or sign-up sends no code")
    policy = pool.get("Policies", {}).get("PasswordPolicy", {})
    if policy.get("MinimumLength", 0) < 8:
        problems.append(f"a password policy of at least 8 characters (now {policy.get('MinimumLength', 0)})")
    if problems:
        return failed("; ".join(problems), "e-mail sign-in, auto-verified e-mail, passwords ≥ 8", problems[0])
    return passed(f"e-mail sign-in, passwords ≥ {policy['MinimumLength']}")


def probe_client(ctx: Context) -> Result:
    idp, pool = ctx.client("cognito-idp"), ctx.facts["pool"]
    wanted = names(ctx.cfg).app_client
    summaries = app_clients(ctx, pool["Id"])
    match = next((c for c in summaries if c["ClientName"] == wanted), None)
    if match is None:
        return failed(f"no app client named {wanted}", "the app client exists", "run notebook 06's app-client cell")
    client = idp.describe_user_pool_client(UserPoolId=pool["Id"], ClientId=match["ClientId"])["UserPoolClient"]
    if client.get("ClientSecret"):
        return failed("the client has a secret", "no secret",
                      "a web page cannot keep a secret: create the app client with GenerateSecret=False")
    missing = REQUIRED_FLOWS - set(client.get("ExplicitAuthFlows", []))
    if missing:
        return failed(f"missing {', '.join(sorted(missing))}", ", ".join(sorted(REQUIRED_FLOWS)),
                      f"add {', '.join(sorted(missing))} to the app client's ExplicitAuthFlows: the site signs in "
                      "with USER_PASSWORD_AUTH (and its SDK page with USER_SRP_AUTH), and keeps visitors signed in "
                      "with refresh tokens")
    ctx.facts["client_id"] = client["ClientId"]
    return passed(client["ClientId"])


def signed_in_visitor(ctx: Context, pool_id: str, client_id: str) -> tuple[str, str]:
    """(ID token, e-mail) of the run's throw-away visitor of that pool and app client: signed up, confirmed (with
    the mailed code on the local cloud) and signed in once per run, whichever layer asks first, and deleted when
    the run ends. One visitor, not one per check: each sign-up is a mail to wait for and a user to delete."""
    return ctx.once(("visitor", pool_id, client_id), lambda: _throw_away_visitor(ctx, pool_id, client_id))


@contextlib.contextmanager
def _throw_away_visitor(ctx: Context, pool_id: str, client_id: str) -> Iterator[tuple[str, str]]:
    idp = ctx.client("cognito-idp")
    email = f"validator-{secrets.token_hex(4)}@example.com"
    since = time.time()
    idp.sign_up(ClientId=client_id, Username=email, Password=PASSWORD,
                UserAttributes=[{"Name": "email", "Value": email}])
    try:
        if ctx.cfg.local:
            code = mailbox.code_in(mailbox.wait_for(email, since=since, cfg=ctx.cfg, progress=False, deadline=15))
            idp.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode=code)
        else:
            idp.admin_confirm_sign_up(UserPoolId=pool_id, Username=email)
        tokens = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                                   AuthParameters={"USERNAME": email, "PASSWORD": PASSWORD})["AuthenticationResult"]
        yield tokens["IdToken"], email
    finally:
        idp.admin_delete_user(UserPoolId=pool_id, Username=email)


def probe_sign_up_and_in(ctx: Context) -> Result:
    """A throw-away visitor signs up, confirms, signs in, and is deleted."""
    token, email = signed_in_visitor(ctx, ctx.facts["pool"]["Id"], ctx.facts["client_id"])
    ctx.facts["id_token"] = token
    return passed(f"{email}: signed up, confirmed, signed in")


def probe_token(ctx: Context) -> Result:
    pool, token = ctx.facts["pool"], ctx.facts["id_token"]
    jwks = requests.get(cognito_jwks_url(pool["Id"], ctx.cfg), timeout=10).json()
    header = jwt.get_unverified_header(token)
    key = next((k for k in jwks.get("keys", []) if k.get("kid") == header.get("kid")), None)
    if key is None:
        return failed(f"kid {header.get('kid')} not in the pool's JWKS", "a key of this pool",
                      "the token was not signed by this pool")
    region = pool["Id"].split("_")[0]
    claims = jwt.decode(token, jwt.PyJWK(key).key, algorithms=["RS256"], audience=ctx.facts["client_id"],
                        issuer=f"https://cognito-idp.{region}.amazonaws.com/{pool['Id']}")
    if claims.get("token_use") != "id":
        return failed(f"token_use {claims.get('token_use')}", "id", "the site sends the ID token to the API")
    return passed(f"RS256 by {header['kid']}, iss and aud verified")


CHECKS = [
    Check("cognito.pool", "the user pool exists", probe_pool),
    Check("cognito.settings", "sign-in with e-mail, codes by e-mail, a password policy", probe_sign_up_settings,
          needs=("cognito.pool",)),
    Check("cognito.client", "a public app client allowing password sign-in", probe_client,
          needs=("cognito.pool",)),
    Check("cognito.sign_up_in", "a visitor can sign up, confirm and sign in", probe_sign_up_and_in,
          needs=("cognito.settings", "cognito.client")),
    Check("cognito.token", "the ID token verifies against the pool's JWKS", probe_token, needs=("cognito.sign_up_in",)),
]
