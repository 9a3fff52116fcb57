"""Cognito user pools, corrected over moto: real codes by e-mail, real TOTP, checked.

    CognitoProvider   the operations moto gets wrong; moto still keeps users, passwords, sessions and tokens

        SignUp, ResendConfirmationCode     mail a fresh 6-digit code to the user's e-mail (the local mailbox)
        ConfirmSignUp                      checks it (CodeMismatchException, ExpiredCodeException…)
        ForgotPassword                     mails a reset code; ConfirmForgotPassword checks it
        AssociateSoftwareToken             a random TOTP secret per user; VerifySoftwareToken checks an RFC 6238
                                           code of it; (Admin)RespondToAuthChallenge checks SOFTWARE_TOKEN_MFA codes
        InitiateAuth USER_SRP_AUTH         a real SRP challenge (srp.py); RespondToAuthChallenge PASSWORD_VERIFIER
                                           checks the password claim: a wrong password is "Incorrect username or
                                           password.", where moto let any signature in

moto accepts any confirmation code and generates none, returns made-up SMS delivery details, lacks
ResendConfirmationCode, puts its reset code in a response header, and gives every user the TOTP secret
"asdfasdfasdf" (research/moto-5.2.5.md §6). The state (codes, secrets, keys) lives in CognitoComponent (component.py).
Codes go only to e-mail: the local cloud has no SMS.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from ..core.errors import AwsError
from ..core.providers import Context, Provider
from . import models
from .codes import FORGOT_PASSWORD, SIGN_UP, mask_email, verification_mail

if TYPE_CHECKING:  # pragma: no cover
    from .component import CognitoComponent


INCORRECT = "Incorrect username or password."


def _error(code: str, message: str) -> AwsError:
    return AwsError(code, message, 400)


class CognitoProvider(Provider):
    service = "cognito-idp"
    name = "cognito"

    def __init__(self, component: CognitoComponent) -> None:
        super().__init__(component.cloud)
        self.component = component
        self.codes, self.totp = component.codes, component.totp

    # -- sign-up -------------------------------------------------------------------------------------------------
    def sign_up(self, params: dict, ctx: Context) -> dict:
        user = models.cognito_sign_up(ctx.account, ctx.region, params["ClientId"], params["Username"],
                                      params["Password"], params.get("UserAttributes") or [])
        result: dict[str, Any] = {"UserConfirmed": user.status == "CONFIRMED", "UserSub": user.sub}
        # AWS sends a code only to an attribute the pool auto-verifies; otherwise no CodeDeliveryDetails and an
        # administrator confirms the user.
        if _verifies_email(user):
            result["CodeDeliveryDetails"] = self._send_code(SIGN_UP, user, ctx)
        return result

    def resend_confirmation_code(self, params: dict, ctx: Context) -> dict:
        user = models.cognito_user(params["ClientId"], params["Username"])
        if user.status != "UNCONFIRMED":
            raise _error("InvalidParameterException", "User is already confirmed.")
        if not _verifies_email(user):
            raise _error("InvalidParameterException", "Auto verification not turned on.")
        return {"CodeDeliveryDetails": self._send_code(SIGN_UP, user, ctx)}

    def confirm_sign_up(self, params: dict, ctx: Context) -> dict:
        user = models.cognito_user(params["ClientId"], params["Username"])
        if user.status != "UNCONFIRMED":
            raise _error("NotAuthorizedException", f"User cannot be confirmed. Current status is {user.status}")
        self.codes.check(SIGN_UP, user.pool_id, user.username, params["ConfirmationCode"])
        # The code went to the e-mail address: confirming it verifies that address too.
        models.cognito_confirm_sign_up(user, verified=("email",) if _verifies_email(user) else ())
        self.codes.discard(SIGN_UP, user.pool_id, user.username)
        return {}

    # -- password reset ------------------------------------------------------------------------------------------
    def forgot_password(self, params: dict, ctx: Context) -> dict:
        user = models.cognito_user(params["ClientId"], params["Username"])
        if user.status == "FORCE_CHANGE_PASSWORD":
            raise _error("NotAuthorizedException", "User password cannot be reset in the current state.")
        if "admin_only" in user.recovery:
            raise _error("NotAuthorizedException", "Contact administrator to reset password.")
        mechanism = next((m for m in user.recovery if _has_verified(user, m)), None)
        if mechanism is None:
            raise _error("InvalidParameterException",
                         "Cannot reset password for the user as there is no registered/verified email or phone_number")
        if mechanism == "verified_phone_number":
            raise _error("CodeDeliveryFailureException",
                         "the local cloud sends no SMS: this user's recovery goes to a verified phone number; set "
                         "the pool's AccountRecoverySetting to verified_email first, or remove phone_number_verified")
        return {"CodeDeliveryDetails": self._send_code(FORGOT_PASSWORD, user, ctx)}

    def confirm_forgot_password(self, params: dict, ctx: Context) -> dict:
        user = models.cognito_user(params["ClientId"], params["Username"])
        self.codes.check(FORGOT_PASSWORD, user.pool_id, user.username, params["ConfirmationCode"])
        models.cognito_set_password(user, params["Password"])  # a weak password keeps the code usable
        self.codes.discard(FORGOT_PASSWORD, user.pool_id, user.username)
        return {}

    # -- TOTP MFA --------------------------------------------------------------------------------------------------
    def associate_software_token(self, params: dict, ctx: Context) -> dict:
        user = self._token_or_session_user(params)
        result = {"SecretCode": self.totp.associate(user.pool_id, user.username)}
        if params.get("Session"):
            result["Session"] = params["Session"]
        return result

    def verify_software_token(self, params: dict, ctx: Context) -> dict:
        user = self._token_or_session_user(params)
        if not self.totp.verify_pending(user.pool_id, user.username, params["UserCode"]):
            # AWS answers a wrong code here with this exception, not CodeMismatchException.
            raise _error("EnableSoftwareTokenMFAException", "Code mismatch and fail enable Software Token MFA")
        session = models.cognito_software_token_verified(user, params.get("Session"))
        return {"Status": "SUCCESS", **({"Session": session} if session else {})}

    # -- sign-in -------------------------------------------------------------------------------------------------
    def initiate_auth(self, params: dict, ctx: Context) -> dict:
        """moto's InitiateAuth; for USER_SRP_AUTH, a real PASSWORD_VERIFIER challenge replaces its random one."""
        flow, auth = params.get("AuthFlow"), params.get("AuthParameters") or {}
        result = models.cognito_auth(ctx.account, ctx.region, "initiate_auth", params["ClientId"], flow, auth)
        if flow == "USER_SRP_AUTH" and result.get("ChallengeName") == "PASSWORD_VERIFIER":
            user = models.cognito_user(params["ClientId"], auth.get("USERNAME", ""))
            try:
                srp = self.component.srp.start(user.pool_id, user.username, user.password, auth.get("SRP_A", ""),
                                               context=result["Session"])
            except ValueError as exc:
                raise _error("InvalidParameterException", str(exc)) from None
            result["ChallengeParameters"] = {**srp, "USERNAME": user.username, "USER_ID_FOR_SRP": user.username}
        return _challenge_output(result)

    def respond_to_auth_challenge(self, params: dict, ctx: Context) -> dict:
        self._check_mfa_code(params)
        return _challenge_output(models.cognito_auth(ctx.account, ctx.region, "respond_to_auth_challenge",
                                                     *self._challenge_args(params)))

    def admin_respond_to_auth_challenge(self, params: dict, ctx: Context) -> dict:
        self._check_mfa_code(params)
        return _challenge_output(models.cognito_auth(ctx.account, ctx.region, "admin_respond_to_auth_challenge",
                                                     *self._challenge_args(params)))

    def _challenge_args(self, params: dict) -> tuple[Any, ...]:
        """moto's arguments for RespondToAuthChallenge. A PASSWORD_VERIFIER answer must prove the password over
        its challenge (srp.py); then moto finishes the sign-in from its own session (NEW_PASSWORD_REQUIRED, MFA,
        tokens) as it would have."""
        responses = dict(params.get("ChallengeResponses") or {})
        if params.get("ChallengeName") == "PASSWORD_VERIFIER":
            secret_block = responses.get("PASSWORD_CLAIM_SECRET_BLOCK", "")
            user_id = self.component.srp.user_of(secret_block)
            try:
                proven, session = self.component.srp.finish(secret_block, responses.get("TIMESTAMP", ""),
                                                            responses.get("PASSWORD_CLAIM_SIGNATURE", ""))
            except LookupError:
                raise _error("NotAuthorizedException", INCORRECT) from None
            except ValueError as exc:
                raise _error("InvalidParameterException", str(exc)) from None
            if not proven or not self._names(params["ClientId"], responses.get("USERNAME", ""), user_id):
                raise _error("NotAuthorizedException", INCORRECT)
            responses.update(PASSWORD_CLAIM_SECRET_BLOCK=session, USERNAME=user_id)
        return params.get("Session"), params["ClientId"], params["ChallengeName"], responses

    # -- helpers ---------------------------------------------------------------------------------------------------
    def _send_code(self, purpose: str, user: models.CognitoUser, ctx: Context) -> dict[str, str]:
        address = user.attributes["email"]
        code = self.codes.issue(purpose, user.pool_id, user.username)
        subject, text = verification_mail(user.email_subject, user.email_message, code)
        self.component.mail(address, subject, text, account=ctx.account)
        return {"Destination": mask_email(address), "DeliveryMedium": "EMAIL", "AttributeName": "email"}

    @staticmethod
    def _names(client_id: str, named: str, username: str) -> bool:
        """Whether USERNAME names the challenged user: their USER_ID_FOR_SRP, as the SDKs send it, or an alias."""
        if named == username:
            return True
        try:
            return models.cognito_user(client_id, named).username == username
        except AwsError:
            return False

    @staticmethod
    def _token_or_session_user(params: dict) -> models.CognitoUser:
        if params.get("Session"):
            user = models.cognito_user_by_session(params["Session"])
            if user is None:
                raise _error("NotAuthorizedException", "Invalid session for the user.")
            return user
        return models.cognito_user_by_access_token(params.get("AccessToken") or "")

    def _check_mfa_code(self, params: dict) -> None:
        """A SOFTWARE_TOKEN_MFA answer must be a current code of the user's verified secret. An unknown session is
        left to moto, which answers it as before."""
        if params.get("ChallengeName") != "SOFTWARE_TOKEN_MFA":
            return
        user = models.cognito_user_by_session(params.get("Session"))
        if user is None:
            return
        code = (params.get("ChallengeResponses") or {}).get("SOFTWARE_TOKEN_MFA_CODE", "")
        if not self.totp.check(user.pool_id, user.username, code):
            raise _error("CodeMismatchException", "Invalid code received for user")


def _verifies_email(user: models.CognitoUser) -> bool:
    return "email" in user.auto_verified and bool(user.attributes.get("email"))


def _has_verified(user: models.CognitoUser, mechanism: str) -> bool:
    attribute = {"verified_email": "email", "verified_phone_number": "phone_number"}.get(mechanism)
    return (attribute is not None and bool(user.attributes.get(attribute))
            and user.attributes.get(f"{attribute}_verified", "").lower() == "true")


def _challenge_output(result: dict[str, Any]) -> dict[str, Any]:
    """ChallengeParameters is a map of strings: AWS sends MFAS_CAN_SETUP as the JSON text of a list, moto a list."""
    parameters = result.get("ChallengeParameters")
    if parameters:
        result = {**result, "ChallengeParameters": {
            k: v if isinstance(v, str) else json.dumps(v) for k, v in parameters.items()}}
    return result
