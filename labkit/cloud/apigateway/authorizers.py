"""Authorizers: Cognito user pool tokens checked in-process against each pool's own keys (no HTTP from inside the
cloud), as a COGNITO_USER_POOLS authorizer (REST) or a JWT authorizer (HTTP API) checks them.

    Denied(kind, reason)          refusal: UNAUTHORIZED (401) or ACCESS_DENIED (403, HTTP API scopes)
    TokenVerifier(pool_keys)      verify(token, issuers) -> claims: RS256 only, the key named by the header's kid in
                                  the issuing pool's key set, issuer one of those allowed, exp in the future
    cognito_claims(verifier, authorizer, method, headers)   REST: the claims for requestContext.authorizer.claims
    jwt_claims(verifier, authorizer, scopes, headers)        HTTP API: (claims, scopes) for authorizer.jwt
    issuer_of(pool_arn)           https://cognito-idp.<region>.amazonaws.com/<pool id>

AWS facts (aws-facts.md, API Gateway and Cognito; "Control access to REST APIs using Amazon Cognito user pools";
"Control access to HTTP APIs with JWT authorizers"):
- REST: the token is the whole value of the identitySource header (default Authorization), with no "Bearer "
  prefix; an ID token unless the method has authorizationScopes, then an access token with one of them; the
  identityValidationExpression, if set, must match the token's aud (client_id for access tokens); every failure
  is 401 {"message":"Unauthorized"}. Claims reach the function as strings: numbers as digits, booleans as
  "true"/"false", exp and iat as Java dates ("Fri Jul 29 18:52:53 UTC 2016"), lists comma-joined.
- HTTP API: "Bearer " is optional; iss must equal the issuer, aud (or client_id when aud is absent) one of the
  audiences; a route's scopes must intersect the token's "scope"/"scp" (else 403 Forbidden); claims as strings,
  lists written "[a b]".
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from typing import Any

from .deployments import Authorizer, Method

_COGNITO_ISSUER = re.compile(r"https://cognito-idp\.([a-z0-9-]+)\.amazonaws\.com/([\w-]+_[0-9A-Za-z]+)")
CACHE_SIZE = 4096


class Denied(Exception):
    def __init__(self, reason: str, kind: str = "UNAUTHORIZED") -> None:
        super().__init__(reason)
        self.reason, self.kind = reason, kind


def issuer_of(pool_arn: str) -> str | None:
    """arn:aws:cognito-idp:<region>:<account>:userpool/<pool id> → the tokens' iss."""
    parts = pool_arn.split(":")
    if len(parts) != 6 or parts[2] != "cognito-idp" or not parts[5].startswith("userpool/"):
        return None
    return f"https://cognito-idp.{parts[3]}.amazonaws.com/{parts[5][len('userpool/'):]}"


class TokenVerifier:
    """``pool_keys(pool_id)`` gives the pool's public keys by kid, or None when the pool does not exist. Verified
    tokens are remembered until they expire (the same token is checked once, then only its exp)."""

    def __init__(self, pool_keys: Callable[[str], dict[str, Any] | None]) -> None:
        self.pool_keys = pool_keys
        self._verified: dict[str, dict[str, Any]] = {}
        self._lock = threading.Lock()

    def verify(self, token: str, issuers: set[str], now: float | None = None) -> dict[str, Any]:
        now = time.time() if now is None else now
        with self._lock:
            cached = self._verified.get(token)
        if cached is not None:
            if cached["iss"] not in issuers:
                raise Denied(f"issuer {cached['iss']} is not one of the authorizer's")
            if float(cached["exp"]) <= now:
                raise Denied("the token has expired")
            return cached
        claims = self._check(token, issuers, now)
        with self._lock:
            if len(self._verified) >= CACHE_SIZE:
                self._verified.clear()
            self._verified[token] = claims
        return claims

    def _check(self, token: str, issuers: set[str], now: float) -> dict[str, Any]:
        import jwt  # here: the cloud's start need not import PyJWT

        if token.count(".") != 2:
            raise Denied("the token is not a JWT (three dot-separated parts)")
        try:
            header = jwt.get_unverified_header(token)
            unverified = jwt.decode(token, options={"verify_signature": False})
        except jwt.PyJWTError as exc:
            raise Denied(f"the token cannot be read: {exc}") from None
        if header.get("alg") != "RS256":
            raise Denied(f"algorithm {header.get('alg')!r} is not RS256")
        issuer = unverified.get("iss")
        if issuer not in issuers:
            raise Denied(f"issuer {issuer!r} is not one of the authorizer's user pools")
        found = _COGNITO_ISSUER.fullmatch(str(issuer))
        keys = self.pool_keys(found.group(2)) if found else None
        key = (keys or {}).get(header.get("kid"))
        if key is None:
            raise Denied(f"no key {header.get('kid')!r} in the user pool's key set")
        try:
            return jwt.decode(token, key, algorithms=["RS256"], issuer=issuer,
                              options={"require": ["exp", "iss"], "verify_aud": False}, leeway=0)
        except jwt.ExpiredSignatureError:
            raise Denied("the token has expired") from None
        except jwt.PyJWTError as exc:
            raise Denied(f"the token does not verify: {exc}") from None


def _header(headers: dict[str, str], name: str) -> str | None:
    return headers.get(name.lower())


def _java_date(value: Any) -> str:
    try:
        return time.strftime("%a %b %d %H:%M:%S UTC %Y", time.gmtime(float(value)))
    except (TypeError, ValueError, OverflowError):
        return str(value)


def _as_string(value: Any, *, list_style: str) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, (list, tuple)):
        items = [_as_string(v, list_style=list_style) for v in value]
        return f"[{' '.join(items)}]" if list_style == "brackets" else ",".join(items)
    if isinstance(value, dict):
        return json.dumps(value, separators=(",", ":"))
    return str(value)


def cognito_claims(verifier: TokenVerifier, authorizer: Authorizer, method: Method,
                   headers: dict[str, str]) -> dict[str, str]:
    """The claims of a valid token for a COGNITO_USER_POOLS method; Denied otherwise. ``headers`` lower-cased."""
    source = next((s for s in authorizer.identity_source if s.startswith("method.request.header.")),
                  "method.request.header.Authorization")
    token = _header(headers, source[len("method.request.header."):])
    if not token:
        raise Denied(f"no token in the {source[len('method.request.header.'):]} header")
    issuers = {i for i in (issuer_of(arn) for arn in authorizer.provider_arns) if i}
    claims = verifier.verify(token, issuers)
    if authorizer.validation_expression:
        audience = str(claims.get("aud") or claims.get("client_id") or "")
        try:
            matched = re.fullmatch(authorizer.validation_expression, audience)
        except re.error:
            matched = None
        if not matched:
            raise Denied("the token's audience does not match the identityValidationExpression")
    if method.scopes:
        granted = set(str(claims.get("scope") or "").split())
        if claims.get("token_use") != "access" or not granted & set(method.scopes):
            raise Denied(f"the method needs an access token with one of the scopes {', '.join(method.scopes)}")
    elif claims.get("token_use") != "id":
        raise Denied("the method has no authorization scopes, so it takes an ID token")
    return {name: _java_date(value) if name in ("exp", "iat") else _as_string(value, list_style="comma")
            for name, value in claims.items()}


def jwt_claims(verifier: TokenVerifier, authorizer: Authorizer, scopes: tuple[str, ...],
               headers: dict[str, str]) -> tuple[dict[str, str], list[str] | None]:
    """(claims, scopes) of a valid token for an HTTP API JWT authorizer; Denied otherwise."""
    source = next(iter(authorizer.identity_source), "$request.header.Authorization")
    token = _header(headers, source.rsplit(".", 1)[-1]) if source.startswith("$request.header.") else None
    if not token:
        raise Denied("no token in the identity source")
    if token[:7].lower() == "bearer ":
        token = token[7:].strip()
    claims = verifier.verify(token, {authorizer.issuer} if authorizer.issuer else set())
    audiences = claims.get("aud")
    audiences = [audiences] if isinstance(audiences, str) else list(audiences or [])
    if not audiences and claims.get("client_id"):
        audiences = [claims["client_id"]]
    if not set(map(str, audiences)) & set(authorizer.audience):
        raise Denied("the token's audience is not one of the authorizer's")
    granted = claims.get("scope") or claims.get("scp") or []
    granted = str(granted).split() if isinstance(granted, str) else [str(s) for s in granted]
    if scopes and not set(granted) & set(scopes):
        raise Denied(f"the route needs one of the scopes {', '.join(scopes)}", kind="ACCESS_DENIED")
    return ({name: _as_string(value, list_style="brackets") for name, value in claims.items()},
            granted or None)
