"""Cognito user pools over the real local cloud: codes are mailed and checked, TOTP secrets are per user and codes are
checked (RFC 6238), each pool signs with its own key served at its JWKS URL, and all of it survives a restart.

Boto3 calls are signed; ``browser()`` calls are unsigned POSTs with X-Amz-Target, as the contact page makes them.
AWS facts: research/aws-facts.md (Cognito User Pools) and the AWS pages named in each docstring, among them
    RECOVERY        https://docs.aws.amazon.com/cognito/latest/developerguide/how-to-recover-a-user-account.html
    VERIFYING_JWTS  https://docs.aws.amazon.com/cognito/latest/developerguide/amazon-cognito-user-pools-using-tokens-verifying-a-jwt.html
    API_<Operation> https://docs.aws.amazon.com/cognito-user-identity-pools/latest/APIReference/API_<Operation>.html
"""

from __future__ import annotations

import datetime
import re
import uuid

import botocore.exceptions
import jwt
import pyotp
import pytest
import requests

from labkit.cloud.cognito import codes as cognito_codes
from labkit.cloud.cognito.codes import FORGOT_PASSWORD, SIGN_UP, CodeBook

from ..conftest import Cloud, cloud_env

PASSWORD = "Correct-Horse-9"
TARGET = "AWSCognitoIdentityProviderService."


# -- helpers -----------------------------------------------------------------------------------------------------
def make_pool(cloud, **settings):
    """A pool that signs in by e-mail and auto-verifies it (the workshop's pool), and a public app client."""
    idp = cloud.client("cognito-idp")
    settings.setdefault("AutoVerifiedAttributes", ["email"])
    pool_id = idp.create_user_pool(PoolName=f"p-{uuid.uuid4().hex[:8]}", UsernameAttributes=["email"],
                                   **settings)["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(
        UserPoolId=pool_id, ClientName="web",
        ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    return idp, pool_id, client_id


def new_email() -> str:
    return f"u{uuid.uuid4().hex[:10]}@example.com"  # the session cloud's mailbox is shared: unique addresses


def mails(cloud, to):
    url = f"{cloud.cfg.gateway_url}/_lab/mail/api/messages"
    return requests.get(url, params={"to": to}, timeout=5).json()["messages"]  # newest first


def mailed_code(cloud, to) -> str:
    found = re.findall(r"\b\d{6}\b", mails(cloud, to)[0]["text"])
    assert len(found) == 1, mails(cloud, to)[0]
    return found[0]


def other_code(code: str) -> str:
    return f"{(int(code) + 1) % 10**6:06d}"


def accepted_totps(secret: str) -> set[str]:
    """The codes that may be accepted now: this 30-second step and (with room for drift) two either side."""
    totp = pyotp.TOTP(secret)
    step = totp.timecode(datetime.datetime.now())
    return {totp.generate_otp(step + offset) for offset in range(-2, 3)}


def wrong_totp(secret: str) -> str:
    accepted = accepted_totps(secret)
    return next(c for c in ("000000", "111111", "222222", "333333", "444444", "555555") if c not in accepted)


def error_code(excinfo) -> str:
    return excinfo.value.response["Error"]["Code"]


def browser(cloud, operation, body):
    """An unsigned Cognito call, as fetch() in the contact page sends it."""
    return requests.post(f"{cloud.cfg.gateway_url}/", json=body, timeout=10, headers={
        "X-Amz-Target": TARGET + operation, "Content-Type": "application/x-amz-json-1.1",
        "Origin": "http://contact.localhost:8000"})


def sign_up_confirmed(cloud, idp, client_id, email=None):
    email = email or new_email()
    idp.sign_up(ClientId=client_id, Username=email, Password=PASSWORD)
    idp.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode=mailed_code(cloud, email))
    return email


def sign_in(idp, client_id, email, password=PASSWORD):
    return idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH",
                             AuthParameters={"USERNAME": email, "PASSWORD": password})


def jwks_client(cloud, pool_id) -> jwt.PyJWKClient:
    return jwt.PyJWKClient(f"{cloud.cfg.gateway_url}/{pool_id}/.well-known/jwks.json", cache_keys=False)


def issuer(pool_id: str) -> str:
    return f"https://cognito-idp.us-east-1.amazonaws.com/{pool_id}"


# -- sign-up codes -------------------------------------------------------------------------------------------------
def test_sign_up_mails_a_six_digit_code_and_says_where(cloud):
    """aws-facts.md: sign-up sends a 6-digit code to the verified attribute (e-mail). CodeDeliveryDetails names the
    masked address and medium (API_SignUp); the default message is Cognito's "Your verification code is {####}."
    from its default sender. moto instead reports SMS to "+*******9934" and sends nothing."""
    idp, _, client_id = make_pool(cloud)
    email = new_email()
    answer = idp.sign_up(ClientId=client_id, Username=email, Password=PASSWORD)
    assert answer["UserConfirmed"] is False
    assert answer["CodeDeliveryDetails"] == {"Destination": f"{email[0]}***@e***", "DeliveryMedium": "EMAIL",
                                             "AttributeName": "email"}
    (mail,) = mails(cloud, email)
    assert mail["subject"] == "Your verification code"
    assert re.fullmatch(r"Your verification code is \d{6}\.\s*", mail["text"])
    assert mail["mail_from"] == "no-reply@verificationemail.com"


def test_browser_signs_up_confirms_and_signs_in_unsigned(cloud):
    """aws-facts.md: unconfirmed sign-in → UserNotConfirmedException; wrong code → CodeMismatchException; the right
    one confirms. Unsigned X-Amz-Target calls reach the corrected operations as the page's fetch() sends them."""
    _, _, client_id = make_pool(cloud)
    email = new_email()
    signed_up = browser(cloud, "SignUp", {"ClientId": client_id, "Username": email, "Password": PASSWORD})
    assert signed_up.status_code == 200 and signed_up.json()["CodeDeliveryDetails"]["DeliveryMedium"] == "EMAIL"
    sign_in_body = {"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                    "AuthParameters": {"USERNAME": email, "PASSWORD": PASSWORD}}
    early = browser(cloud, "InitiateAuth", sign_in_body)
    assert early.status_code == 400 and early.json()["__type"].endswith("UserNotConfirmedException")
    code = mailed_code(cloud, email)
    wrong = browser(cloud, "ConfirmSignUp", {"ClientId": client_id, "Username": email,
                                             "ConfirmationCode": other_code(code)})
    assert wrong.status_code == 400 and wrong.json()["__type"].endswith("CodeMismatchException")
    assert wrong.json()["message"] == "Invalid verification code provided, please try again."
    assert browser(cloud, "ConfirmSignUp", {"ClientId": client_id, "Username": email,
                                            "ConfirmationCode": code}).status_code == 200
    tokens = browser(cloud, "InitiateAuth", sign_in_body).json()["AuthenticationResult"]
    assert jwt.decode(tokens["IdToken"], options={"verify_signature": False})["email"] == email


def test_browser_can_read_the_corrected_answers(cloud):
    """research/moto-persistence.md (D): POST answers carry Access-Control-Allow-Origin, or a browser cannot read
    them. The contact page reads SignUp's and ConfirmSignUp's answers."""
    _, _, client_id = make_pool(cloud)
    answer = browser(cloud, "SignUp", {"ClientId": client_id, "Username": new_email(), "Password": PASSWORD})
    assert answer.headers.get("Access-Control-Allow-Origin") == "http://contact.localhost:8000"


def test_pool_verification_template_words_the_mail(cloud):
    """The pool's VerificationMessageTemplate (EmailSubject, EmailMessage with {####}) is the mail sent (Cognito
    developer guide, "Customizing email verification messages")."""
    idp, _, client_id = make_pool(cloud, VerificationMessageTemplate={
        "DefaultEmailOption": "CONFIRM_WITH_CODE", "EmailSubject": "Welcome to the contact site",
        "EmailMessage": "Hello! Your code: {####} (valid 24 hours)"})
    email = new_email()
    idp.sign_up(ClientId=client_id, Username=email, Password=PASSWORD)
    (mail,) = mails(cloud, email)
    assert mail["subject"] == "Welcome to the contact site"
    assert re.fullmatch(r"Hello! Your code: \d{6} \(valid 24 hours\)\s*", mail["text"])


def test_no_code_without_auto_verified_email(cloud):
    """API_SignUp: CodeDeliveryDetails only in pools that auto-verify an attribute; otherwise nothing is sent and
    an administrator confirms the user (ResendConfirmationCode refuses)."""
    idp, _, client_id = make_pool(cloud, AutoVerifiedAttributes=[])
    email = new_email()
    answer = idp.sign_up(ClientId=client_id, Username=email, Password=PASSWORD)
    assert "CodeDeliveryDetails" not in answer and mails(cloud, email) == []
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        idp.resend_confirmation_code(ClientId=client_id, Username=email)
    assert error_code(refused) == "InvalidParameterException"


def test_resend_mails_a_new_code_and_the_old_one_stops_working(cloud):
    """ResendConfirmationCode (moto: not implemented) sends a new code; the previous one no longer confirms. Once
    confirmed, ConfirmSignUp is NotAuthorizedException and a resend InvalidParameterException."""
    idp, _, client_id = make_pool(cloud)
    email = new_email()
    idp.sign_up(ClientId=client_id, Username=email, Password=PASSWORD)
    old = mailed_code(cloud, email)
    resent = idp.resend_confirmation_code(ClientId=client_id, Username=email)
    assert resent["CodeDeliveryDetails"]["Destination"] == f"{email[0]}***@e***" and len(mails(cloud, email)) == 2
    new = mailed_code(cloud, email)
    if new != old:  # one chance in a million that the two codes are equal
        with pytest.raises(botocore.exceptions.ClientError) as stale:
            idp.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode=old)
        assert error_code(stale) == "CodeMismatchException"
    idp.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode=new)
    with pytest.raises(botocore.exceptions.ClientError) as again:
        idp.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode=new)
    assert error_code(again) == "NotAuthorizedException"
    with pytest.raises(botocore.exceptions.ClientError) as resend_confirmed:
        idp.resend_confirmation_code(ClientId=client_id, Username=email)
    assert error_code(resend_confirmed) == "InvalidParameterException"


def test_repeated_wrong_codes_end_in_limit_exceeded(cloud):
    """RECOVERY: Cognito allows "between 5 and 20 attempts" an hour, then answers LimitExceededException; here the
    sixth try of one code is refused, even with the right code, until a new code is sent."""
    idp, _, client_id = make_pool(cloud)
    email = new_email()
    idp.sign_up(ClientId=client_id, Username=email, Password=PASSWORD)
    code = mailed_code(cloud, email)
    for _ in range(cognito_codes.MAX_FAILURES):
        with pytest.raises(botocore.exceptions.ClientError) as wrong:
            idp.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode=other_code(code))
        assert error_code(wrong) == "CodeMismatchException"
    with pytest.raises(botocore.exceptions.ClientError) as limited:
        idp.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode=code)
    assert error_code(limited) == "LimitExceededException"
    idp.resend_confirmation_code(ClientId=client_id, Username=email)
    idp.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode=mailed_code(cloud, email))


def test_expired_code_is_refused(tmp_path):
    """aws-facts.md: an expired code → ExpiredCodeException. LAB_COGNITO_CODE_TTL=0 makes every code expire at
    once, so no test waits 24 hours (the lifetimes themselves: test_code_lifetimes_are_aws_ones)."""
    short = Cloud({**cloud_env(tmp_path / "state"), "LAB_COGNITO_CODE_TTL": "0"})
    short.up()
    try:
        idp, _, client_id = make_pool(short)
        idp.sign_up(ClientId=client_id, Username="late@example.com", Password=PASSWORD)
        with pytest.raises(botocore.exceptions.ClientError) as expired:
            idp.confirm_sign_up(ClientId=client_id, Username="late@example.com",
                                ConfirmationCode=mailed_code(short, "late@example.com"))
        assert error_code(expired) == "ExpiredCodeException"
        assert expired.value.response["Error"]["Message"] == "Invalid code provided, please request a code again."
    finally:
        short.down()


def test_code_lifetimes_are_aws_ones(monkeypatch):
    """Sign-up codes last 24 hours (aws-facts.md; the issue), password-reset codes one hour ("The recovery code is
    valid for one hour", RECOVERY)."""
    now = [1_000_000.0]
    monkeypatch.setattr(cognito_codes, "clock", lambda: now[0])
    book = CodeBook()
    sign_up, reset = book.issue(SIGN_UP, "pool", "ada"), book.issue(FORGOT_PASSWORD, "pool", "ada")
    now[0] += 3599
    book.check(FORGOT_PASSWORD, "pool", "ada", reset)
    now[0] += 2
    with pytest.raises(cognito_codes.ExpiredCode):
        book.check(FORGOT_PASSWORD, "pool", "ada", reset)
    book.check(SIGN_UP, "pool", "ada", sign_up)
    now[0] = 1_000_000.0 + 24 * 3600
    with pytest.raises(cognito_codes.ExpiredCode):
        book.check(SIGN_UP, "pool", "ada", sign_up)


# -- the messages a visitor reads ---------------------------------------------------------------------------------
@pytest.mark.parametrize("password, problem", [
    ("Ab1-efg", "Password not long enough"),
    ("abcdef1-", "Password must have uppercase characters"),
    ("ABCDEF1-", "Password must have lowercase characters"),
    ("Abcdefg-", "Password must have numeric characters"),
    ("Abcdefg1", "Password must have symbol characters"),
])
def test_a_weak_password_is_refused_in_cognitos_words(cloud, password, problem):
    """aws-facts.md: weak password → InvalidPasswordException, whose message Cognito words "Password did not
    conform with policy: <the rule>" (one rule at a time); moto says "does not confirm to the configured password
    policy" for all of them. The pool's policy here is Cognito's default (8 characters, the four classes)."""
    _, _, client_id = make_pool(cloud)
    answer = browser(cloud, "SignUp", {"ClientId": client_id, "Username": new_email(), "Password": password})
    assert answer.status_code == 400
    assert answer.json()["__type"] == "InvalidPasswordException"
    assert answer.json()["message"] == f"Password did not conform with policy: {problem}"


def test_a_pools_own_policy_decides_and_an_inner_space_is_a_symbol(cloud):
    """Cognito developer guide, password requirements: the pool's PasswordPolicy sets the rules; a space that
    neither leads nor trails counts as a special character."""
    idp, _, client_id = make_pool(cloud, Policies={"PasswordPolicy": {
        "MinimumLength": 12, "RequireUppercase": False, "RequireLowercase": True, "RequireNumbers": False,
        "RequireSymbols": True}})
    with pytest.raises(botocore.exceptions.ClientError, match="Password not long enough"):
        idp.sign_up(ClientId=client_id, Username=new_email(), Password="lower-case!")
    assert idp.sign_up(ClientId=client_id, Username=new_email(), Password="correct horse battery")["UserSub"]
    with pytest.raises(botocore.exceptions.ClientError, match="Password must have symbol characters"):
        idp.sign_up(ClientId=client_id, Username=new_email(), Password="correcthorsebattery ")


def test_a_wrong_password_never_echoes_the_username(cloud):
    """aws-facts.md: bad password → NotAuthorizedException, "Incorrect username or password." in every sign-in
    flow (moto answers the admin flow and ChangePassword with the username as the message)."""
    idp, pool_id, client_id = make_pool(cloud)
    email = sign_up_confirmed(cloud, idp, client_id)
    idp.update_user_pool_client(UserPoolId=pool_id, ClientId=client_id, ExplicitAuthFlows=[
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_ADMIN_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    answer = browser(cloud, "InitiateAuth", {"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                                             "AuthParameters": {"USERNAME": email, "PASSWORD": "Wrong-Horse-9"}})
    assert (answer.status_code, answer.json()["message"]) == (400, "Incorrect username or password.")
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        idp.admin_initiate_auth(UserPoolId=pool_id, ClientId=client_id, AuthFlow="ADMIN_USER_PASSWORD_AUTH",
                                AuthParameters={"USERNAME": email, "PASSWORD": "Wrong-Horse-9"})
    assert error_code(refused) == "NotAuthorizedException"
    assert refused.value.response["Error"]["Message"] == "Incorrect username or password."
    token = sign_in(idp, client_id, email)["AuthenticationResult"]["AccessToken"]
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        idp.change_password(AccessToken=token, PreviousPassword="Wrong-Horse-9", ProposedPassword="Other-Horse-9")
    assert refused.value.response["Error"]["Message"] == "Incorrect username or password."
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        idp.change_password(AccessToken="not-a-token", PreviousPassword=PASSWORD, ProposedPassword="Other-Horse-9")
    assert refused.value.response["Error"]["Message"] == "Invalid Access Token"


def test_a_second_sign_up_names_the_kind_of_username_not_the_address(cloud):
    """Cognito's UsernameExistsException for a pool that signs in by e-mail: "An account with the given email
    already exists." (moto answers with the bare address)."""
    _, _, client_id = make_pool(cloud)
    email = new_email()
    body = {"ClientId": client_id, "Username": email, "Password": PASSWORD}
    assert browser(cloud, "SignUp", body).status_code == 200
    again = browser(cloud, "SignUp", body)
    assert again.json()["__type"] == "UsernameExistsException"
    assert again.json()["message"] == "An account with the given email already exists."


# -- password reset ----------------------------------------------------------------------------------------------
def test_a_client_with_a_secret_needs_its_secret_hash_on_every_call(cloud):
    """Cognito developer guide, "Computing secret hash values": SECRET_HASH = Base64(HMAC-SHA256(client secret,
    username + client id)), required on every call made with a client that has a secret, over the name typed or
    the user's username. AWS: NotAuthorizedException "Client <id> is configured for secret but secret was not
    received" when missing, "Unable to verify secret hash for client <id>" when wrong (moto checked neither for
    SignUp or USER_PASSWORD_AUTH: a page that can never sign in on AWS did locally)."""
    import base64
    import hashlib
    import hmac

    idp, pool_id, _ = make_pool(cloud)
    client = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="server", GenerateSecret=True,
                                         ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    client_id, secret = client["UserPoolClient"]["ClientId"], client["UserPoolClient"]["ClientSecret"]

    def hashed(name):
        return base64.b64encode(hmac.new(secret.encode(), (name + client_id).encode(), hashlib.sha256).digest()).decode()

    email = new_email()
    unsigned = browser(cloud, "SignUp", {"ClientId": client_id, "Username": email, "Password": PASSWORD})
    assert unsigned.status_code == 400
    assert unsigned.json() == {"__type": "NotAuthorizedException",
                               "message": f"Client {client_id} is configured for secret but secret was not received"}
    with pytest.raises(botocore.exceptions.ClientError) as wrong:
        idp.sign_up(ClientId=client_id, Username=email, Password=PASSWORD, SecretHash=hashed("someone-else"))
    assert wrong.value.response["Error"] == {
        "Code": "NotAuthorizedException", "Message": f"Unable to verify secret hash for client {client_id}"}
    assert idp.list_users(UserPoolId=pool_id)["Users"] == []  # nothing was created by the refused calls

    idp.sign_up(ClientId=client_id, Username=email, Password=PASSWORD, SecretHash=hashed(email))
    idp.confirm_sign_up(ClientId=client_id, Username=email, ConfirmationCode=mailed_code(cloud, email),
                        SecretHash=hashed(email))
    sub = idp.admin_get_user(UserPoolId=pool_id, Username=email)["Username"]
    for name in (email, sub):
        tokens = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
            "USERNAME": email, "PASSWORD": PASSWORD, "SECRET_HASH": hashed(name)})["AuthenticationResult"]
        assert jwt.decode(tokens["IdToken"], options={"verify_signature": False})["email"] == email
    with pytest.raises(botocore.exceptions.ClientError) as missing:
        sign_in(idp, client_id, email)
    assert error_code(missing) == "NotAuthorizedException"
    with pytest.raises(botocore.exceptions.ClientError) as refresh:
        idp.initiate_auth(ClientId=client_id, AuthFlow="REFRESH_TOKEN_AUTH",
                          AuthParameters={"REFRESH_TOKEN": tokens["RefreshToken"]})
    assert "secret was not received" in refresh.value.response["Error"]["Message"]


def test_forgot_password_mails_a_code_that_resets_the_password(cloud):
    """ForgotPassword sends a code to the verified e-mail (RECOVERY); ConfirmForgotPassword checks it
    (CodeMismatchException) and the pool's password policy (InvalidPasswordException, the code still usable).
    moto instead exposes its code in an x-moto-… response header and accepts any code without its prefix."""
    idp, _, client_id = make_pool(cloud)
    email = sign_up_confirmed(cloud, idp, client_id)
    answer = idp.forgot_password(ClientId=client_id, Username=email)
    assert answer["CodeDeliveryDetails"] == {"Destination": f"{email[0]}***@e***", "DeliveryMedium": "EMAIL",
                                             "AttributeName": "email"}
    assert not any(h.startswith("x-moto") for h in answer["ResponseMetadata"]["HTTPHeaders"])
    code = mailed_code(cloud, email)
    with pytest.raises(botocore.exceptions.ClientError) as wrong:
        idp.confirm_forgot_password(ClientId=client_id, Username=email, ConfirmationCode=other_code(code),
                                    Password="New-Password-42")
    assert error_code(wrong) == "CodeMismatchException"
    with pytest.raises(botocore.exceptions.ClientError) as weak:
        idp.confirm_forgot_password(ClientId=client_id, Username=email, ConfirmationCode=code, Password="weak")
    assert error_code(weak) == "InvalidPasswordException"
    idp.confirm_forgot_password(ClientId=client_id, Username=email, ConfirmationCode=code, Password="New-Password-42")
    assert "AuthenticationResult" in sign_in(idp, client_id, email, "New-Password-42")
    with pytest.raises(botocore.exceptions.ClientError) as old_password:
        sign_in(idp, client_id, email)
    assert error_code(old_password) == "NotAuthorizedException"


def test_forgot_password_needs_a_verified_address(cloud):
    """API_ForgotPassword: "If neither a verified phone number nor a verified email exists, Amazon Cognito responds
    with an InvalidParameterException error"."""
    idp, pool_id, client_id = make_pool(cloud)
    email = new_email()
    idp.admin_create_user(UserPoolId=pool_id, Username=email, MessageAction="SUPPRESS")
    idp.admin_set_user_password(UserPoolId=pool_id, Username=email, Password=PASSWORD, Permanent=True)
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        idp.forgot_password(ClientId=client_id, Username=email)
    assert error_code(refused) == "InvalidParameterException" and mails(cloud, email) == []


# -- TOTP MFA --------------------------------------------------------------------------------------------------
def test_totp_secrets_are_per_user_and_codes_are_checked(cloud):
    """aws-facts.md: AssociateSoftwareToken → a base32 secret; VerifySoftwareToken with an RFC 6238 code (SHA-1,
    30 s, 6 digits); then sign-in answers SOFTWARE_TOKEN_MFA. A wrong code to VerifySoftwareToken is
    EnableSoftwareTokenMFAException (API_VerifySoftwareToken), to the challenge CodeMismatchException
    (API_RespondToAuthChallenge). moto gives everyone "asdfasdfasdf" and accepts any code."""
    idp, _, client_id = make_pool(cloud, MfaConfiguration="OPTIONAL")
    ada, bob = (sign_up_confirmed(cloud, idp, client_id) for _ in range(2))
    ada_token = sign_in(idp, client_id, ada)["AuthenticationResult"]["AccessToken"]
    bob_token = sign_in(idp, client_id, bob)["AuthenticationResult"]["AccessToken"]
    secret = idp.associate_software_token(AccessToken=ada_token)["SecretCode"]
    bob_secret = idp.associate_software_token(AccessToken=bob_token)["SecretCode"]
    assert secret != bob_secret and re.fullmatch(r"[A-Z2-7]{32}", secret) and secret != "asdfasdfasdf"

    with pytest.raises(botocore.exceptions.ClientError) as wrong:
        idp.verify_software_token(AccessToken=ada_token, UserCode=wrong_totp(secret))
    assert error_code(wrong) == "EnableSoftwareTokenMFAException"
    assert idp.verify_software_token(AccessToken=ada_token, UserCode=pyotp.TOTP(secret).now())["Status"] == "SUCCESS"
    idp.set_user_mfa_preference(AccessToken=ada_token,
                                SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})

    challenge = sign_in(idp, client_id, ada)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA" and "AuthenticationResult" not in challenge

    def answer(code):
        return idp.respond_to_auth_challenge(
            ClientId=client_id, ChallengeName="SOFTWARE_TOKEN_MFA", Session=challenge["Session"],
            ChallengeResponses={"USERNAME": ada, "SOFTWARE_TOKEN_MFA_CODE": code})

    bob_now = pyotp.TOTP(bob_secret).now()  # another user's authenticator is no good
    for bad in [wrong_totp(secret)] + ([bob_now] if bob_now not in accepted_totps(secret) else []):
        with pytest.raises(botocore.exceptions.ClientError) as mismatch:
            answer(bad)
        assert error_code(mismatch) == "CodeMismatchException"
    tokens = answer(pyotp.TOTP(secret).now())["AuthenticationResult"]
    assert idp.get_user(AccessToken=tokens["AccessToken"])["UserAttributes"]


# -- keys and tokens -------------------------------------------------------------------------------------------
def test_tokens_verify_with_their_own_pool_keys_only(cloud):
    """aws-facts.md: RS256; iss = https://cognito-idp.<region>.amazonaws.com/<pool-id>, JWKS at
    <iss>/.well-known/jwks.json (here at the gateway, same path); ID token aud = client id and token_use id; access
    token client_id and token_use access. VERIFYING_JWTS: two key pairs per pool, the token's kid names one.
    A token of pool A does not verify with pool B's keys (moto: one shared key)."""
    idp, pool_a, client_a = make_pool(cloud)
    _, pool_b, client_b = make_pool(cloud)
    tokens_a = sign_in(idp, client_a, sign_up_confirmed(cloud, idp, client_a))["AuthenticationResult"]
    tokens_b = sign_in(idp, client_b, sign_up_confirmed(cloud, idp, client_b))["AuthenticationResult"]

    keys_a = jwks_client(cloud, pool_a)
    id_claims = jwt.decode(tokens_a["IdToken"], keys_a.get_signing_key_from_jwt(tokens_a["IdToken"]).key,
                           algorithms=["RS256"], audience=client_a, issuer=issuer(pool_a),
                           options={"require": ["exp", "iat", "iss", "aud", "sub"]})
    assert id_claims["token_use"] == "id" and id_claims["exp"] > id_claims["iat"]
    access_claims = jwt.decode(tokens_a["AccessToken"], keys_a.get_signing_key_from_jwt(tokens_a["AccessToken"]).key,
                               algorithms=["RS256"], issuer=issuer(pool_a), options={"require": ["exp"]})
    assert access_claims["token_use"] == "access" and access_claims["client_id"] == client_a

    kids_a = {k["kid"] for k in requests.get(keys_a.uri, timeout=5).json()["keys"]}
    kid_of = {name: jwt.get_unverified_header(tokens_a[name])["kid"] for name in ("IdToken", "AccessToken")}
    assert len(kids_a) == 2 and set(kid_of.values()) == kids_a  # one key for ID tokens, one for access tokens

    keys_b = jwks_client(cloud, pool_b)
    with pytest.raises(jwt.PyJWKClientError):  # no key of pool B has pool A's kid
        keys_b.get_signing_key_from_jwt(tokens_a["IdToken"])
    for key in keys_b.get_signing_keys():  # nor does any of them verify pool A's signature
        with pytest.raises(jwt.InvalidSignatureError):
            jwt.decode(tokens_a["IdToken"], key.key, algorithms=["RS256"], audience=client_a)
    jwt.decode(tokens_b["IdToken"], keys_b.get_signing_key_from_jwt(tokens_b["IdToken"]).key, algorithms=["RS256"],
               audience=client_b, issuer=issuer(pool_b))


def test_id_tokens_carry_the_users_standard_attributes_as_cognito_writes_them(cloud):
    """VERIFYING_JWTS and the ID token's page of the developer guide: the ID token holds the user's standard
    attributes the app client may read (all by default), email_verified a JSON boolean. moto alone writes only
    ``email``, from the username it is given, and no email_verified."""
    idp, pool_id, client_id = make_pool(cloud)
    email = sign_up_confirmed(cloud, idp, client_id)
    idp.admin_update_user_attributes(UserPoolId=pool_id, Username=email,
                                     UserAttributes=[{"Name": "name", "Value": "Ada"}])
    claims = jwt.decode(sign_in(idp, client_id, email)["AuthenticationResult"]["IdToken"],
                        options={"verify_signature": False})
    assert claims["email"] == email and claims["email_verified"] is True and claims["name"] == "Ada"
    narrow = idp.create_user_pool_client(UserPoolId=pool_id, ClientName="narrow", ReadAttributes=["email"],
                                         ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])
    claims = jwt.decode(sign_in(idp, narrow["UserPoolClient"]["ClientId"], email)["AuthenticationResult"]["IdToken"],
                        options={"verify_signature": False})
    assert claims["email"] == email and "name" not in claims and "email_verified" not in claims


def test_openid_configuration_points_verifiers_at_the_keys(cloud):
    """OIDC discovery at <iss>/.well-known/openid-configuration: issuer as in the tokens, jwks_uri where the keys
    are (the local URL); an unknown pool has no documents (404)."""
    _, pool_id, _ = make_pool(cloud)
    config = requests.get(f"{cloud.cfg.gateway_url}/{pool_id}/.well-known/openid-configuration", timeout=5).json()
    assert config["issuer"] == issuer(pool_id)
    assert config["jwks_uri"] == f"{cloud.cfg.gateway_url}/{pool_id}/.well-known/jwks.json"
    assert len(requests.get(config["jwks_uri"], timeout=5).json()["keys"]) == 2
    missing = requests.get(f"{cloud.cfg.gateway_url}/us-east-1_doesnotexist/.well-known/jwks.json", timeout=5)
    assert missing.status_code == 404


def test_moto_tokens_are_still_accepted_by_moto_and_its_shipped_key_is_not(cloud):
    """The tokens signed here work with moto's own token checks (GetUser, ChangePassword, GlobalSignOut); a token
    signed with the private key moto ships (kid "dummy") neither verifies with the pool's keys nor is accepted."""
    from moto.utilities.utils import load_resource  # the key anyone can read in moto's package

    idp, pool_id, client_id = make_pool(cloud)
    email = sign_up_confirmed(cloud, idp, client_id)
    tokens = sign_in(idp, client_id, email)["AuthenticationResult"]
    claims = jwt.decode(tokens["AccessToken"], options={"verify_signature": False})
    shipped = jwt.PyJWK(load_resource("cognitoidp/resources/jwks-private.json"), algorithm="RS256")
    forged = jwt.encode({**claims, "jti": str(uuid.uuid4())}, shipped.key, algorithm="RS256", headers={"kid": "dummy"})

    keys = jwks_client(cloud, pool_id)
    assert "dummy" not in {k.key_id for k in keys.get_signing_keys()}
    with pytest.raises(jwt.PyJWKClientError):
        keys.get_signing_key_from_jwt(forged)
    with pytest.raises(botocore.exceptions.ClientError) as refused:
        idp.get_user(AccessToken=forged)
    assert error_code(refused) == "NotAuthorizedException"

    assert idp.get_user(AccessToken=tokens["AccessToken"])["Username"] == claims["username"]
    idp.change_password(AccessToken=tokens["AccessToken"], PreviousPassword=PASSWORD, ProposedPassword="Next-Pass-77")
    idp.global_sign_out(AccessToken=tokens["AccessToken"])
    with pytest.raises(botocore.exceptions.ClientError) as signed_out:
        idp.get_user(AccessToken=tokens["AccessToken"])
    assert error_code(signed_out) == "NotAuthorizedException"


# -- persistence -------------------------------------------------------------------------------------------------
def test_codes_keys_and_secrets_survive_a_restart(fresh_cloud):
    """make down && make up: a token issued before still verifies with the pool's JWKS fetched after (same key)
    and GetUser accepts it; a code mailed before still confirms; a TOTP secret verified before still signs in."""
    idp, pool_id, client_id = make_pool(fresh_cloud, MfaConfiguration="OPTIONAL")
    ada = sign_up_confirmed(fresh_cloud, idp, client_id)
    tokens = sign_in(idp, client_id, ada)["AuthenticationResult"]
    secret = idp.associate_software_token(AccessToken=tokens["AccessToken"])["SecretCode"]
    idp.verify_software_token(AccessToken=tokens["AccessToken"], UserCode=pyotp.TOTP(secret).now())
    idp.set_user_mfa_preference(AccessToken=tokens["AccessToken"],
                                SoftwareTokenMfaSettings={"Enabled": True, "PreferredMfa": True})
    bob = new_email()
    idp.sign_up(ClientId=client_id, Username=bob, Password=PASSWORD)
    jwks_before = requests.get(f"{fresh_cloud.cfg.gateway_url}/{pool_id}/.well-known/jwks.json", timeout=5).json()

    fresh_cloud.restart()
    idp = fresh_cloud.client("cognito-idp")
    jwks_after = requests.get(f"{fresh_cloud.cfg.gateway_url}/{pool_id}/.well-known/jwks.json", timeout=5).json()
    assert jwks_after == jwks_before
    key = jwks_client(fresh_cloud, pool_id).get_signing_key_from_jwt(tokens["IdToken"]).key
    assert jwt.decode(tokens["IdToken"], key, algorithms=["RS256"], audience=client_id,
                      issuer=issuer(pool_id))["email"] == ada
    assert idp.get_user(AccessToken=tokens["AccessToken"])["UserAttributes"]

    idp.confirm_sign_up(ClientId=client_id, Username=bob, ConfirmationCode=mailed_code(fresh_cloud, bob))
    challenge = sign_in(idp, client_id, ada)
    assert challenge["ChallengeName"] == "SOFTWARE_TOKEN_MFA"
    signed_in = idp.respond_to_auth_challenge(
        ClientId=client_id, ChallengeName="SOFTWARE_TOKEN_MFA", Session=challenge["Session"],
        ChallengeResponses={"USERNAME": ada, "SOFTWARE_TOKEN_MFA_CODE": pyotp.TOTP(secret).now()})
    assert "IdToken" in signed_in["AuthenticationResult"]
