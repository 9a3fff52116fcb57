"""The claims of an ID token as Cognito writes them, from moto's user and app client (read, not imported: this
module has no moto import).

    id_token_claims(pool, claims)   moto's claims with the user's readable standard attributes, email_verified a
                                    JSON boolean
"""

from __future__ import annotations

from typing import Any

# Standard attributes whose ID token claim is a JSON boolean, not the attribute's "true"/"false" text.
_BOOLEAN_CLAIMS = ("email_verified", "phone_number_verified")


def id_token_claims(pool: Any, claims: dict[str, Any]) -> dict[str, Any]:
    """An ID token's claims as Cognito puts them: the user's standard attributes the app client may read (all of
    them when the client names no ReadAttributes), email_verified as a boolean. moto writes no standard attribute
    but ``email``, and that one from the username it was given: the user's sub after SRP (USER_ID_FOR_SRP)."""
    user = next((u for u in pool.users.values() if u.id == claims.get("sub")), None)
    if user is None:
        return claims
    client = pool.clients.get(claims.get("aud"))
    readable = set(client.extended_config.get("ReadAttributes") or []) if client is not None else set()
    claims = {k: v for k, v in claims.items() if k != "email"}
    for attribute in user.attributes:
        name, value = attribute["Name"], attribute["Value"]
        if name == "sub" or name.startswith("custom:") or (readable and name not in readable):
            continue  # sub is the token's own; custom attributes moto has already written
        claims[name] = value == "true" if name in _BOOLEAN_CLAIMS else value
    return claims
