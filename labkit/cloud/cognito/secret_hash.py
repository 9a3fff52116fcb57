"""SECRET_HASH, checked before moto for an app client that has a secret (moto checks it for a few flows only,
answering the hash itself as the message, and not at all for SignUp or USER_PASSWORD_AUTH).

    secret_hash_filter(environ)   a gateway filter: NotAuthorizedException for a missing or wrong hash, else None
    secret_hash(secret, client_id, username)   what a client sends: Base64(HMAC-SHA256(secret, username + client_id))

A client with a secret needs SecretHash on every call made with its ClientId (Cognito developer guide, "Computing
secret hash values"); AWS answers a missing one "Client <id> is configured for secret but secret was not received"
and a wrong one "Unable to verify secret hash for client <id>", both NotAuthorizedException.
A browser can keep no secret, so a page whose client has one can never sign in on AWS; locally it must not either.
The hash may be over the name the user typed or over their username (their sub when the pool signs in by e-mail).
REFRESH_TOKEN_AUTH without USERNAME is checked for presence only: the name its hash covers is not in the call.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
from typing import Any

from ..core.errors import AwsError, render_plain_error
from ..moto.accounts import peek_body
from . import models

_TARGET = "AWSCognitoIdentityProviderService."
_BODY_LIMIT = 256 * 1024
# operation → where its hash and username are: (hash field, its container or None for top level, username field)
_OPERATIONS = {
    "SignUp": ("SecretHash", None, "Username"),
    "ConfirmSignUp": ("SecretHash", None, "Username"),
    "ResendConfirmationCode": ("SecretHash", None, "Username"),
    "ForgotPassword": ("SecretHash", None, "Username"),
    "ConfirmForgotPassword": ("SecretHash", None, "Username"),
    "InitiateAuth": ("SECRET_HASH", "AuthParameters", "USERNAME"),
    "AdminInitiateAuth": ("SECRET_HASH", "AuthParameters", "USERNAME"),
    "RespondToAuthChallenge": ("SECRET_HASH", "ChallengeResponses", "USERNAME"),
    "AdminRespondToAuthChallenge": ("SECRET_HASH", "ChallengeResponses", "USERNAME"),
}


def secret_hash(secret: str, client_id: str, username: str) -> str:
    return base64.b64encode(hmac.new(secret.encode(), (username + client_id).encode(), hashlib.sha256).digest()).decode()


def _refusal(message: str) -> tuple[int, list[tuple[str, str]], bytes]:
    return render_plain_error(AwsError("NotAuthorizedException", message, 400), json_protocol=True)


def _names(client_id: str, username: str) -> set[str]:
    names = {username}
    try:
        names.add(models.cognito_user(client_id, username).username)
    except AwsError:
        pass  # an unknown user: moto answers for it (UserNotFoundException, or SignUp creating it)
    return names


def secret_hash_filter(environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes] | None:
    operation = environ.get("HTTP_X_AMZ_TARGET", "")
    if not operation.startswith(_TARGET) or operation[len(_TARGET):] not in _OPERATIONS:
        return None
    field, container, user_field = _OPERATIONS[operation[len(_TARGET):]]
    body = peek_body(environ, _BODY_LIMIT)
    try:
        params = json.loads(body) if body else None
    except ValueError:
        return None
    client_id = params.get("ClientId") if isinstance(params, dict) else None
    if not isinstance(client_id, str):
        return None
    secret = models.cognito_client_secret(client_id)
    if secret is None:
        return None
    values = params.get(container) if container else params
    values = values if isinstance(values, dict) else {}
    given, username = values.get(field), values.get(user_field)
    if not given:
        return _refusal(f"Client {client_id} is configured for secret but secret was not received")
    if isinstance(username, str) and not any(
            hmac.compare_digest(str(given), secret_hash(secret, client_id, name)) for name in _names(client_id, username)):
        return _refusal(f"Unable to verify secret hash for client {client_id}")
    return None
