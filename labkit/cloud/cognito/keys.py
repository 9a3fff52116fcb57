"""Each user pool's own signing keys, and the well-known documents token verifiers fetch.

    PoolKeys            two RSA key pairs per user pool (ID tokens, access tokens), made on first use, kept in the
                        snapshot so tokens issued before a restart still verify
    PoolKeys.sign()     signs the claims moto built with the pool's key; the header names the key (kid)
    PoolKeys.jwks()     the pool's public keys as a JWK set
    well_known()        the answer to GET /<pool id>/.well-known/{jwks.json,openid-configuration}

AWS: "Amazon Cognito generates two pairs of RSA cryptographic keys for each user pool"; a token names its key in
the `kid` header, and verifiers find it in <iss>/.well-known/jwks.json (Cognito developer guide, "Verifying JSON
web tokens"). moto signs every pool's tokens with one key whose private half ships in its package, so a token of one
pool verified with another pool's keys; here it does not.
"""

from __future__ import annotations

import base64
import hashlib
import json
import threading
from dataclasses import dataclass
from typing import Any, Callable

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import rsa

TOKEN_USES = ("id", "access")  # one key pair for each kind of token


def _b64url_uint(value: int) -> str:
    return base64.urlsafe_b64encode(value.to_bytes((value.bit_length() + 7) // 8, "big")).rstrip(b"=").decode()


@dataclass(frozen=True)
class SigningKey:
    private: rsa.RSAPrivateKey

    @property
    def kid(self) -> str:
        """base64 of the public key's SHA-256: unique per key, 44 characters ending in '=' like AWS's kids."""
        der = self.private.public_key().public_bytes(
            serialization.Encoding.DER, serialization.PublicFormat.SubjectPublicKeyInfo
        )
        return base64.b64encode(hashlib.sha256(der).digest()).decode()

    def jwk(self) -> dict[str, str]:
        numbers = self.private.public_key().public_numbers()
        return {"alg": "RS256", "e": _b64url_uint(numbers.e), "kid": self.kid, "kty": "RSA",
                "n": _b64url_uint(numbers.n), "use": "sig"}

    def pem(self) -> bytes:
        return self.private.private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )

    @classmethod
    def generate(cls) -> SigningKey:
        return cls(rsa.generate_private_key(public_exponent=65537, key_size=2048))

    @classmethod
    def from_pem(cls, pem: bytes) -> SigningKey:
        return cls(serialization.load_pem_private_key(pem, password=None))


class PoolKeys:
    """Signing keys by user pool id; thread-safe."""

    def __init__(self) -> None:
        self._pools: dict[str, dict[str, SigningKey]] = {}
        self._lock = threading.Lock()

    def keys(self, pool_id: str) -> dict[str, SigningKey]:
        """The pool's keys by token use, made on first use (a 2048-bit key takes a few tens of milliseconds)."""
        with self._lock:
            if pool_id not in self._pools:
                self._pools[pool_id] = {use: SigningKey.generate() for use in TOKEN_USES}
            return self._pools[pool_id]

    def sign(self, pool_id: str, claims: dict[str, Any]) -> str:
        import jwt  # here: the cloud's start need not import PyJWT

        key = self.keys(pool_id)[claims["token_use"]]
        # AWS's header is {"kid", "alg"}: no "typ", which PyJWT adds unless told not to.
        return jwt.encode(claims, key.private, algorithm="RS256", headers={"kid": key.kid, "typ": None})

    def jwks(self, pool_id: str) -> dict[str, list[dict[str, str]]]:
        return {"keys": [key.jwk() for key in self.keys(pool_id).values()]}

    def __len__(self) -> int:
        return len(self._pools)

    def snapshot(self, pools: set[str] | None = None) -> dict[str, dict[str, bytes]]:
        """Keys as PEM; with ``pools``, only those still existing (a deleted pool's keys are dropped)."""
        with self._lock:
            return {pool_id: {use: key.pem() for use, key in keys.items()}
                    for pool_id, keys in self._pools.items() if pools is None or pool_id in pools}

    def restore(self, state: dict[str, dict[str, bytes]]) -> None:
        with self._lock:
            self._pools = {pool_id: {use: SigningKey.from_pem(pem) for use, pem in keys.items()}
                           for pool_id, keys in state.items()}


def well_known(keys: PoolKeys, pool_region: Callable[[str], str | None], pool_id: str, document: str,
               base_url: str) -> tuple[int, dict[str, str], bytes]:
    """(status, headers, body) for one of a pool's well-known documents; 404 for a pool that does not exist
    (no keys are made for it)."""
    region = pool_region(pool_id)
    if region is None:
        body: dict[str, Any] = {"message": f"User pool {pool_id} does not exist."}
        return 404, {"Content-Type": "application/json"}, json.dumps(body).encode()
    if document == "jwks.json":
        body = keys.jwks(pool_id)
    else:
        # The issuer is AWS's URL, as in the tokens; the key set is the local one, where a verifier can reach it.
        body = {
            "issuer": f"https://cognito-idp.{region}.amazonaws.com/{pool_id}",
            "jwks_uri": f"{base_url}/{pool_id}/.well-known/jwks.json",
            "response_types_supported": ["code", "token"],
            "scopes_supported": ["openid", "email", "phone", "profile"],
            "subject_types_supported": ["public"],
            "id_token_signing_alg_values_supported": ["RS256"],
        }
    return 200, {"Content-Type": "application/json"}, json.dumps(body).encode()
