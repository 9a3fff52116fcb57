"""USER_SRP_AUTH as Cognito answers it, checked with two client libraries nobody here wrote: pycognito (Python)
and amazon-cognito-identity-js under node (what browser apps and Amplify sign in with). The right password signs
in; a wrong password, a forged signature and a replayed SECRET_BLOCK are refused with NotAuthorizedException
"Incorrect username or password.", a stale TIMESTAMP with InvalidParameterException naming it (the kit's own
wording and 5-minute tolerance); an unknown or unconfirmed user gets Cognito's UserNotFoundException and
UserNotConfirmedException. moto let any PASSWORD_CLAIM_SIGNATURE in (issue: "USER_SRP_AUTH is fake")."""

from __future__ import annotations

import base64
import datetime
import hashlib
import hmac
import json
import shutil
import subprocess
import uuid
from pathlib import Path

import botocore.exceptions
import jwt
import pytest
from pycognito.aws_srp import AWSSRP, hex_to_long

PASSWORD = "Corr3ct-horse!"
NODE_CLIENT = Path(__file__).parents[1] / "clients" / "node" / "cognito_sign_in.mjs"
INCORRECT = "Incorrect username or password."


def srp_pool(cloud):
    """The workshop's pool (sign-in by e-mail, auto-verified) and an app client allowing SRP, as front ends use."""
    idp = cloud.client("cognito-idp")
    pool_id = idp.create_user_pool(PoolName=f"p-{uuid.uuid4().hex[:8]}", UsernameAttributes=["email"],
                                   AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web",
        ExplicitAuthFlows=["ALLOW_USER_SRP_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    return idp, pool_id, client_id


def confirmed_user(idp, pool_id, password=PASSWORD):
    email = f"u{uuid.uuid4().hex[:10]}@example.com"
    idp.admin_create_user(UserPoolId=pool_id, Username=email, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": email},
                                          {"Name": "email_verified", "Value": "true"}])
    idp.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=password, Permanent=True)
    return email


def pycognito_sign_in(idp, pool_id, client_id, email, password):
    return AWSSRP(username=email, password=password, pool_id=pool_id, client_id=client_id,
                  client=idp).authenticate_user()["AuthenticationResult"]


def node_sign_in(cloud, pool_id, client_id, email, password) -> dict:
    assert shutil.which("node"), "node is missing: make clients installs it"
    assert (NODE_CLIENT.parent / "node_modules").is_dir(), "the node clients are missing: run make clients"
    done = subprocess.run(["node", str(NODE_CLIENT), cloud.cfg.gateway_url, pool_id, client_id, email, password],
                          capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def refused(call) -> tuple[str, str]:
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        call()
    error = caught.value.response["Error"]
    return error["Code"], error["Message"]


def claim(srp: AWSSRP, challenge: dict, when: datetime.datetime) -> dict:
    """pycognito's PASSWORD_VERIFIER answer (its own key derivation), signed for the TIMESTAMP of ``when``."""
    parameters = challenge["ChallengeParameters"]
    user_id = parameters["USER_ID_FOR_SRP"]
    timestamp = srp.get_cognito_formatted_timestamp(when)
    key = srp.get_password_authentication_key(user_id, srp.password, hex_to_long(parameters["SRP_B"]),
                                              parameters["SALT"])
    message = (srp.pool_id.split("_")[1].encode() + user_id.encode()
               + base64.standard_b64decode(parameters["SECRET_BLOCK"]) + timestamp.encode())
    signature = base64.standard_b64encode(hmac.new(key, message, hashlib.sha256).digest()).decode()
    return {"USERNAME": parameters["USERNAME"], "TIMESTAMP": timestamp, "PASSWORD_CLAIM_SIGNATURE": signature,
            "PASSWORD_CLAIM_SECRET_BLOCK": parameters["SECRET_BLOCK"]}


def start(idp, pool_id, client_id, email, password=PASSWORD):
    srp = AWSSRP(username=email, password=password, pool_id=pool_id, client_id=client_id, client=idp)
    return srp, idp.initiate_auth(AuthFlow="USER_SRP_AUTH", ClientId=client_id, AuthParameters=srp.get_auth_params())


def test_the_right_password_signs_in_and_a_wrong_one_is_refused_with_pycognito(cloud):
    idp, pool_id, client_id = srp_pool(cloud)
    email = confirmed_user(idp, pool_id)
    tokens = pycognito_sign_in(idp, pool_id, client_id, email, PASSWORD)
    claims = jwt.decode(tokens["IdToken"], options={"verify_signature": False})
    assert claims["email"] == email and claims["email_verified"] is True  # not the sub moto wrote after SRP
    assert refused(lambda: pycognito_sign_in(idp, pool_id, client_id, email, "Wrong-horse1!")) == (
        "NotAuthorizedException", INCORRECT)


def test_the_right_password_signs_in_and_a_wrong_one_is_refused_with_amazon_cognito_identity_js(cloud):
    idp, pool_id, client_id = srp_pool(cloud)
    email = confirmed_user(idp, pool_id)
    signed_in = node_sign_in(cloud, pool_id, client_id, email, PASSWORD)
    assert signed_in["ok"] is True and signed_in["idTokenPayload"]["email"] == email, signed_in
    assert node_sign_in(cloud, pool_id, client_id, email, "Wrong-horse1!") == {
        "ok": False, "code": "NotAuthorizedException", "message": INCORRECT}


def test_after_a_password_change_only_the_new_password_signs_in(cloud):
    """The verifier is made from the password of the moment: moto let the old one in by SRP after a reset."""
    idp, pool_id, client_id = srp_pool(cloud)
    email = confirmed_user(idp, pool_id)
    idp.admin_set_user_password(UserPoolId=pool_id, Username=email, Password="N3w-horse-staple", Permanent=True)
    assert refused(lambda: pycognito_sign_in(idp, pool_id, client_id, email, PASSWORD))[1] == INCORRECT
    assert node_sign_in(cloud, pool_id, client_id, email, PASSWORD)["code"] == "NotAuthorizedException"
    assert pycognito_sign_in(idp, pool_id, client_id, email, "N3w-horse-staple")["IdToken"]


def test_unknown_and_unconfirmed_users_get_cognitos_errors(cloud):
    idp, pool_id, client_id = srp_pool(cloud)
    assert refused(lambda: pycognito_sign_in(idp, pool_id, client_id, "nobody@example.com", PASSWORD)) == (
        "UserNotFoundException", "User does not exist.")
    email = f"u{uuid.uuid4().hex[:10]}@example.com"
    idp.sign_up(ClientId=client_id, Username=email, Password=PASSWORD)
    assert refused(lambda: pycognito_sign_in(idp, pool_id, client_id, email, PASSWORD))[0] == (
        "UserNotConfirmedException")


def test_a_secret_block_answers_once_and_a_stale_timestamp_is_refused(cloud):
    idp, pool_id, client_id = srp_pool(cloud)
    email = confirmed_user(idp, pool_id)
    now = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None)

    srp, challenge = start(idp, pool_id, client_id, email)
    answer = claim(srp, challenge, now)
    signed_in = idp.respond_to_auth_challenge(ClientId=client_id, ChallengeName="PASSWORD_VERIFIER",
                                              Session=challenge["Session"], ChallengeResponses=answer)
    assert signed_in["AuthenticationResult"]["AccessToken"]
    assert refused(lambda: idp.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="PASSWORD_VERIFIER", Session=challenge["Session"],
        ChallengeResponses=answer)) == ("NotAuthorizedException", INCORRECT)  # replayed

    srp, challenge = start(idp, pool_id, client_id, email)
    stale = claim(srp, challenge, now - datetime.timedelta(minutes=30))
    code, message = refused(lambda: idp.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="PASSWORD_VERIFIER", Session=challenge["Session"],
        ChallengeResponses=stale))
    assert code == "InvalidParameterException" and "TIMESTAMP" in message

    srp, challenge = start(idp, pool_id, client_id, email)
    forged = {**claim(srp, challenge, now), "PASSWORD_CLAIM_SIGNATURE": base64.b64encode(b"0" * 32).decode()}
    assert refused(lambda: idp.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="PASSWORD_VERIFIER", Session=challenge["Session"],
        ChallengeResponses=forged)) == ("NotAuthorizedException", INCORRECT)


def test_pycognitos_cognito_class_signs_in_and_verifies_the_token(cloud, monkeypatch):
    """pycognito's whole sign-in (SRP, then verifying the ID token against the pool's keys) with no code of ours:
    AWS_ENDPOINT_URL points boto3 at the local cloud, and pycognito's own COGNITO_JWKS setting gives it the keys
    the local cloud serves at <gateway>/<pool id>/.well-known/jwks.json (docs/getting-started.md)."""
    import requests
    from pycognito import Cognito

    idp, pool_id, client_id = srp_pool(cloud)
    email = confirmed_user(idp, pool_id)
    for key, value in {"AWS_ENDPOINT_URL": cloud.cfg.gateway_url, "AWS_ACCESS_KEY_ID": "testing",
                       "AWS_SECRET_ACCESS_KEY": "testing", "AWS_DEFAULT_REGION": "us-east-1"}.items():
        monkeypatch.setenv(key, value)
    monkeypatch.delenv("AWS_PROFILE", raising=False)
    monkeypatch.setenv("COGNITO_JWKS", requests.get(
        f"{cloud.cfg.gateway_url}/{pool_id}/.well-known/jwks.json", timeout=5).text)
    user = Cognito(pool_id, client_id, username=email)
    user.authenticate(password=PASSWORD)  # raises TokenVerificationException on a bad signature or issuer
    assert user.id_claims["email"] == email
    with pytest.raises(botocore.exceptions.ClientError):
        Cognito(pool_id, client_id, username=email).authenticate(password="Wrong-horse1!")
