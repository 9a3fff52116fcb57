"""The Cognito validator: green on a pool and client as notebook 06 makes them; the right hint on the classic
mistakes (no pool, a client secret, password sign-in not allowed, no auto-verified e-mail)."""

from __future__ import annotations

import uuid

import validators
from labkit import config, names
from validators.base import BLOCKED, FAIL, PASS, SKIP


def deploy(cloud, *, secret=False, flows=("ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"), verify=True):
    cfg = config.load({**cloud.env, "LAB_PREFIX": f"t{uuid.uuid4().hex[:8]}"})
    idp = cloud.client("cognito-idp")
    pool = idp.create_user_pool(PoolName=names(cfg).user_pool, UsernameAttributes=["email"],
                                AutoVerifiedAttributes=["email"] if verify else [],
                                Policies={"PasswordPolicy": {"MinimumLength": 12}})["UserPool"]
    idp.create_user_pool_client(UserPoolId=pool["Id"], ClientName=names(cfg).app_client, GenerateSecret=secret,
                                ExplicitAuthFlows=list(flows))
    return cfg


def results(cfg):
    return {r.check: r for r in validators.run(["cognito"], cfg).results}


def test_pool_as_the_notebook_makes_it_passes(cloud):
    found = results(deploy(cloud))
    assert {r.status for r in found.values()} == {PASS}, {k: r.hint for k, r in found.items()}


def test_missing_pool_names_the_notebook(cloud):
    found = results(config.load({**cloud.env, "LAB_PREFIX": f"t{uuid.uuid4().hex[:8]}"}))
    assert found["cognito.pool"].status == FAIL and "notebook 06" in found["cognito.pool"].hint
    token = found["cognito.token"]  # blocked through sign-up and the client, naming the root cause
    assert token.status == BLOCKED and token.blocked_by == "cognito.pool" and token.observed == "blocked by cognito.pool"


def test_client_secret_is_named(cloud):
    found = results(deploy(cloud, secret=True))
    assert found["cognito.client"].status == FAIL and "GenerateSecret=False" in found["cognito.client"].hint


def test_password_flow_missing_is_named(cloud):
    found = results(deploy(cloud, flows=("ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH")))
    assert found["cognito.client"].status == FAIL and "USER_PASSWORD_AUTH" in found["cognito.client"].hint


def test_unverified_email_is_named(cloud):
    found = results(deploy(cloud, verify=False))
    assert found["cognito.settings"].status == FAIL and "AutoVerifiedAttributes" in found["cognito.settings"].hint
