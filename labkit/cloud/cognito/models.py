"""Cognito user pools as moto holds them. The Cognito corrections (component.py, provider.py, codes.py, keys.py,
totp.py) keep codes, TOTP secrets and signing keys themselves; from moto they read users, pools and sessions, make
the changes a right code makes, and patch a few things: token signing, the .well-known documents, and the error
messages Cognito words otherwise.

    CognitoUser                                a user (and its pool's messaging settings) as plain frozen data
    cognito_sign_up(account, region, …)        SignUp through moto's backend (moto's bogus SMS details dropped)
    cognito_user(client_id, username)          the user of an app client's pool, by username or alias
    cognito_user_by_access_token(token)        the user a (live) access token belongs to
    cognito_user_by_session(session)           the user of a sign-in session, or None
    cognito_confirm_sign_up(user, verified)    CONFIRMED, and <attribute>_verified = true
    cognito_set_password(user, password)       ConfirmForgotPassword's change, password policy checked
    cognito_software_token_verified(user, s)   token_verified; a new session if one was given (MFA_SETUP)
    cognito_auth(account, region, operation, …)   (Admin)InitiateAuth, (Admin)RespondToAuthChallenge by moto
    cognito_pool_region(pool_id), cognito_pool_ids()
    cognito_account_of(client_id=, pool_id=, access_token=)   the account an unsigned call's pool lives in
    set_cognito_hooks(signer, well_known)      per-pool token signing, and GET /<pool>/.well-known/<document>

Errors come out as AwsError with moto's code and message.
"""

from __future__ import annotations

import base64 as _base64
import contextlib
import dataclasses
import json as _json
from collections.abc import Callable, Iterator
from typing import Any
from urllib.parse import urlparse as _urlparse

from moto.moto_api._internal import mock_random

from ..core.errors import AwsError
from ..moto import LOCK
from ..moto.importhook import when_imported
from . import passwords
from .id_token import id_token_claims

# AWS's order when a pool has no AccountRecoverySetting: a verified phone first, then a verified e-mail
# ("Recovering user accounts", Cognito developer guide).
_COGNITO_LEGACY_RECOVERY = ("verified_phone_number", "verified_email")
_COGNITO_WELL_KNOWN = {  # moto's url_paths keys (moto/cognitoidp/urls.py) → document name
    "{0}/(?P<user_pool_id>[^/]+)/.well-known/jwks.json$": "jwks.json",
    "{0}/(?P<user_pool_id>[^/]+)/.well-known/openid-configuration$": "openid-configuration",
}
_cognito_hooks: dict[str, Callable[..., Any] | None] = {"signer": None, "well_known": None}


@dataclasses.dataclass(frozen=True)
class CognitoUser:
    account: str
    region: str
    pool_id: str
    username: str  # moto's key for the user: its sub when the pool signs in by e-mail
    sub: str
    password: str  # what the user signs in with (moto keeps it in clear; SRP makes its verifier from it)
    status: str  # UNCONFIRMED, CONFIRMED, FORCE_CHANGE_PASSWORD, RESET_REQUIRED…
    attributes: dict[str, str]
    auto_verified: tuple[str, ...]  # the pool's AutoVerifiedAttributes
    email_subject: str | None  # the pool's verification e-mail (None: Cognito's default)
    email_message: str | None
    recovery: tuple[str, ...]  # account recovery mechanisms, highest priority first


@contextlib.contextmanager
def _cognito_errors() -> Iterator[None]:
    from moto.core.exceptions import JsonRESTError

    with LOCK:
        try:
            yield
        except JsonRESTError as exc:
            raise AwsError(exc.error_type, exc.message, exc.code) from None


def _cognito_backends() -> Iterator[Any]:
    from moto.cognitoidp.models import cognitoidp_backends

    for _, per_account in list(cognitoidp_backends.items()):
        for region, backend in list(per_account.items()):
            if region != "global":
                yield backend


def _cognito_pools() -> Iterator[Any]:
    for backend in _cognito_backends():
        yield from list(backend.user_pools.values())


def _cognito_backend_of(pool: Any) -> Any:
    from moto.cognitoidp.models import cognitoidp_backends

    return cognitoidp_backends[pool.account_id][pool.region]


def _cognito_pool_of_client(client_id: str) -> Any:
    for pool in _cognito_pools():
        if client_id in pool.clients:
            return pool
    raise AwsError("ResourceNotFoundException", f"User pool client {client_id} does not exist.", 400)


def cognito_client_secret(client_id: str) -> str | None:
    """The app client's secret; None when it has none or no pool has the client (moto then answers)."""
    with LOCK:
        client = next((p.clients[client_id] for p in _cognito_pools() if client_id in p.clients), None)
        return client.secret if client is not None and client.generate_secret else None


def cognito_account_of(*, client_id: Any = None, pool_id: Any = None, access_token: Any = None) -> str | None:
    """The account whose user pool has this app client, is this pool, or issued this access token (its
    client_id claim); None when none does. A browser's Cognito calls are unsigned: this is how they find their
    account when a class of learners shares the local cloud."""
    if isinstance(access_token, str) and not client_id:
        try:
            payload = access_token.split(".")[1]
            claims = _json.loads(_base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
            client_id = claims.get("client_id") if isinstance(claims, dict) else None
        except (IndexError, ValueError):
            return None
    with LOCK:
        for pool in _cognito_pools():
            if (isinstance(client_id, str) and client_id in pool.clients) or (
                    isinstance(pool_id, str) and pool.id == pool_id):
                return str(pool.account_id)
    return None


def _cognito_user_data(pool: Any, user: Any) -> CognitoUser:
    config = pool.extended_config
    template = config.get("VerificationMessageTemplate") or {}
    mechanisms = (config.get("AccountRecoverySetting") or {}).get("RecoveryMechanisms")
    recovery = (tuple(m["Name"] for m in sorted(mechanisms, key=lambda m: m["Priority"])) if mechanisms
                else _COGNITO_LEGACY_RECOVERY)
    return CognitoUser(
        account=pool.account_id, region=pool.region, pool_id=pool.id, username=user.username, sub=user.id,
        password=user.password or "", status=str(getattr(user.status, "value", user.status)),
        attributes={a["Name"]: a["Value"] for a in user.attributes},
        auto_verified=tuple(config.get("AutoVerifiedAttributes") or ()),
        email_subject=template.get("EmailSubject") or config.get("EmailVerificationSubject"),
        email_message=template.get("EmailMessage") or config.get("EmailVerificationMessage"),
        recovery=recovery,
    )


def _cognito_moto_user(user: CognitoUser) -> tuple[Any, Any]:
    pool = _cognito_backend_of_data(user).describe_user_pool(user.pool_id)
    return pool, pool.users[user.username]


def _cognito_backend_of_data(user: CognitoUser) -> Any:
    from moto.cognitoidp.models import cognitoidp_backends

    return cognitoidp_backends[user.account][user.region]


def cognito_sign_up(account: str, region: str, client_id: str, username: str, password: str,
                    attributes: list[dict[str, str]]) -> CognitoUser:
    """moto's SignUp (pool lookup by client, username rules, password policy, UsernameExistsException)."""
    from moto.cognitoidp.models import RegionAgnosticBackend

    with _cognito_errors():
        user, _ = RegionAgnosticBackend(account, region).sign_up(client_id, username, password, attributes)
        return _cognito_user_data(_cognito_pool_of_client(client_id), user)


def cognito_user(client_id: str, username: str) -> CognitoUser:
    """The user named ``username`` (or its e-mail/phone alias) in the pool of app client ``client_id``."""
    with _cognito_errors():
        pool = _cognito_pool_of_client(client_id)
        user = pool._get_user(username)
        if user is None:
            raise AwsError("UserNotFoundException", "Username/client id combination not found.", 400)
        return _cognito_user_data(pool, user)


def cognito_user_by_access_token(token: str) -> CognitoUser:
    """moto keeps every access token it issued until sign-out: anything else is NotAuthorizedException."""
    with _cognito_errors():
        for pool in _cognito_pools():
            if token in pool.access_tokens:
                _, username = pool.access_tokens[token]
                user = pool._get_user(username)
                if user is not None:
                    return _cognito_user_data(pool, user)
        raise AwsError("NotAuthorizedException", "Invalid Access Token", 400)


def cognito_user_by_session(session: str | None) -> CognitoUser | None:
    with _cognito_errors():
        for backend in _cognito_backends():
            found = backend.sessions.get(session) if session else None
            if found is not None:
                username, session_pool = found
                user = session_pool._get_user(username)
                return _cognito_user_data(session_pool, user) if user is not None else None
        return None


def cognito_confirm_sign_up(user: CognitoUser, verified: tuple[str, ...] = ()) -> None:
    from moto.cognitoidp.models import UserStatus

    with _cognito_errors():
        _, moto_user = _cognito_moto_user(user)
        moto_user.status = UserStatus.CONFIRMED
        if verified:
            moto_user.update_attributes([{"Name": f"{name}_verified", "Value": "true"} for name in verified])


def cognito_set_password(user: CognitoUser, password: str) -> None:
    """The new password, checked against the pool's policy (InvalidPasswordException); a RESET_REQUIRED user
    becomes CONFIRMED."""
    from moto.cognitoidp.models import UserStatus

    with _cognito_errors():
        _cognito_backend_of_data(user)._validate_password(user.pool_id, password)
        _, moto_user = _cognito_moto_user(user)
        moto_user.password = password
        moto_user.confirmation_code = None
        if moto_user.status == UserStatus.RESET_REQUIRED:
            moto_user.status = UserStatus.CONFIRMED


def cognito_software_token_verified(user: CognitoUser, session: str | None) -> str | None:
    """Mark the user's software token verified (SetUserMFAPreference may then enable it). Given the sign-in session
    it was associated in (MFA_SETUP), answer a new session for RespondToAuthChallenge, as moto does."""
    with _cognito_errors():
        pool, moto_user = _cognito_moto_user(user)
        moto_user.token_verified = True
        if not session:
            return None
        new_session = str(mock_random.uuid4())
        _cognito_backend_of(pool).sessions[new_session] = (user.username, pool)
        return new_session


def cognito_auth(account: str, region: str, operation: str, *args: Any) -> dict[str, Any]:
    """moto's backend ``operation`` (initiate_auth, respond_to_auth_challenge, their admin_ forms) in the account,
    for the pool's region whichever region was called."""
    from moto.cognitoidp.models import RegionAgnosticBackend

    with _cognito_errors():
        return getattr(RegionAgnosticBackend(account, region), operation)(*args)


def cognito_pool_region(pool_id: str) -> str | None:
    with LOCK:
        return next((pool.region for pool in _cognito_pools() if pool.id == pool_id), None)


def cognito_pool_ids() -> set[str]:
    with LOCK:
        return {pool.id for pool in _cognito_pools()}


def _cognito_create_jwt(original: Callable) -> Callable:
    def create_jwt(self: Any, *args: Any, **kwargs: Any) -> tuple[str, int]:
        token, expires_in = original(self, *args, **kwargs)
        signer = _cognito_hooks["signer"]
        if signer is None:
            return token, expires_in
        # Keep moto's claims (iss, sub, aud/client_id, token_use, exp, groups…); only the signature changes.
        payload = token.split(".")[1]
        claims = _json.loads(_base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        if claims.get("token_use") == "id":
            claims = id_token_claims(self, claims)
        return signer(self.id, claims), expires_in

    create_jwt.__kit_cognito__ = True  # type: ignore[attr-defined]
    return create_jwt


def _cognito_well_known_route(document: str, original: Callable) -> Callable:
    def serve(request: Any, full_url: str, headers: Any) -> Any:
        hook = _cognito_hooks["well_known"]
        if hook is None:
            return original(request, full_url, headers)
        url = _urlparse(full_url)
        return hook(url.path.strip("/").split("/")[0], document, f"{url.scheme}://{url.netloc}")

    serve.__name__ = f"serve_cognito_{document.replace('.', '_').replace('-', '_')}"  # the Flask endpoint name
    serve.__kit_cognito__ = True  # type: ignore[attr-defined]
    return serve


def set_cognito_hooks(signer: Callable[[str, dict[str, Any]], str] | None,
                      well_known: Callable[[str, str, str], tuple[int, dict[str, str], bytes]] | None) -> None:
    """Turn the Cognito patches on, or off with None (moto's own behaviour again). Idempotent.

    signer(pool_id, claims) -> token: signs every ID and access token moto issues (in place of the key moto
    ships); moto stores the returned token, so its own checks (GetUser, GlobalSignOut…) accept it.
    well_known(pool_id, document, base_url) -> (status, headers, body): answers GET /<pool id>/.well-known/jwks.json
    and /openid-configuration. moto's Flask app reads its url_paths once, on the first Cognito request: call this
    before that (the cloud does, when it builds its components). Both are called with LOCK held."""
    with LOCK:
        _cognito_hooks["signer"], _cognito_hooks["well_known"] = signer, well_known
    when_imported("moto.cognitoidp.models", _patch_cognito_models)
    when_imported("moto.cognitoidp.urls", _patch_cognito_urls)


def _patch_cognito_models(models: Any) -> None:
    if not getattr(models.CognitoIdpUserPool.create_jwt, "__kit_cognito__", False):
        models.CognitoIdpUserPool.create_jwt = _cognito_create_jwt(models.CognitoIdpUserPool.create_jwt)
    backend = models.CognitoIdpBackend
    if not getattr(backend._validate_password, "__kit_cognito__", False):
        backend._validate_password = _cognito_validate_password
        for operation in ("admin_initiate_auth", "change_password"):
            setattr(backend, operation, _cognito_no_username_in_errors(getattr(backend, operation)))
        backend.sign_up = _cognito_sign_up_exists_message(backend.sign_up)


# The messages a learner reads, as Cognito words them (aws-facts.md, Cognito User Pools). moto says "does not
# confirm to the configured password policy" for every rule, answers a wrong password in the admin flows and
# ChangePassword with the bare username, and a second sign-up with the bare username.
_COGNITO_INCORRECT = "Incorrect username or password."
def _cognito_validate_password(self: Any, user_pool_id: str, password: str) -> None:
    from moto.cognitoidp.exceptions import InvalidPasswordException

    policy = self.describe_user_pool(user_pool_id).extended_config.get("Policies", {}).get("PasswordPolicy", {})
    problem = passwords.problem(password or "", policy)
    if problem is not None:
        error = InvalidPasswordException()
        error.message = f"Password did not conform with policy: {problem}"
        error.description = _json.dumps({"message": error.message, "__type": error.error_type})
        raise error


_cognito_validate_password.__kit_cognito__ = True  # type: ignore[attr-defined]


def _cognito_no_username_in_errors(original: Callable) -> Callable:
    """moto raises NotAuthorizedException with the username (or the access token) as its message where Cognito
    says "Incorrect username or password." (or "Invalid Access Token"); a message that is already a sentence, as
    "User is disabled.", is kept."""
    from moto.cognitoidp.exceptions import NotAuthorizedError

    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return original(self, *args, **kwargs)
        except NotAuthorizedError as exc:
            if " " in exc.message:
                raise
            token = kwargs.get("access_token", args[0] if args else None)
            if original.__name__ == "change_password" and exc.message == token:
                raise NotAuthorizedError("Invalid Access Token") from None
            raise NotAuthorizedError(_COGNITO_INCORRECT) from None

    call.__name__ = original.__name__
    return call


def _cognito_sign_up_exists_message(original: Callable) -> Callable:
    """Cognito's message for a second sign-up names the kind of username, not the username itself."""
    from moto.cognitoidp.exceptions import UsernameExistsException

    def sign_up(self: Any, client_id: str, username: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return original(self, client_id, username, *args, **kwargs)
        except UsernameExistsException:
            pool = next((p for p in self.user_pools.values() if client_id in p.clients), None)
            attributes = pool.extended_config.get("UsernameAttributes") or [] if pool is not None else []
            kind = ("email" if "email" in attributes and "@" in username else
                    "phone_number" if "phone_number" in attributes and username.startswith("+") else None)
            message = f"An account with the given {kind} already exists." if kind else "User already exists"
            raise UsernameExistsException(message) from None

    sign_up.__name__ = "sign_up"
    return sign_up


def _patch_cognito_urls(urls: Any) -> None:
    for path, document in _COGNITO_WELL_KNOWN.items():
        if not getattr(urls.url_paths[path], "__kit_cognito__", False):
            urls.url_paths[path] = _cognito_well_known_route(document, urls.url_paths[path])
