"""TOTP software tokens (authenticator apps): a random secret per user, RFC 6238 codes checked against it.

    TotpSecrets.associate()       AssociateSoftwareToken: a new base32 secret, pending until verified
    TotpSecrets.verify_pending()  VerifySoftwareToken: a right code makes the pending secret the user's
    TotpSecrets.check()           the SOFTWARE_TOKEN_MFA sign-in challenge: a code of the user's verified secret

AWS: AssociateSoftwareToken returns a base32 secret; codes are RFC 6238 (HMAC-SHA1, 30-second steps, 6 digits)
(aws-facts.md, Cognito). Here a code of the step before or after is accepted too, for clock drift, as pyotp's
``valid_window=1``. moto gives every user the secret "asdfasdfasdf" and accepts any code.
"""

from __future__ import annotations

import threading
from typing import Any

import pyotp

Key = tuple[str, str]  # (user pool id, moto's username)


class TotpSecrets:
    def __init__(self) -> None:
        self._pending: dict[Key, str] = {}
        self._verified: dict[Key, str] = {}
        self._lock = threading.Lock()

    def associate(self, pool_id: str, username: str) -> str:
        secret = pyotp.random_base32()  # 32 base32 characters, 160 random bits
        with self._lock:
            self._pending[(pool_id, username)] = secret
        return secret

    def verify_pending(self, pool_id: str, username: str, code: str) -> bool:
        with self._lock:
            secret = self._pending.get((pool_id, username))
            if secret is None or not _valid(secret, code):
                return False
            self._verified[(pool_id, username)] = self._pending.pop((pool_id, username))
            return True

    def check(self, pool_id: str, username: str, code: str) -> bool:
        with self._lock:
            secret = self._verified.get((pool_id, username))
        return secret is not None and _valid(secret, code)

    def __len__(self) -> int:
        return len(self._verified)

    def snapshot(self) -> dict[str, dict[Key, str]]:
        with self._lock:
            return {"pending": dict(self._pending), "verified": dict(self._verified)}

    def restore(self, state: Any) -> None:
        with self._lock:
            self._pending = dict(state.get("pending", {}))
            self._verified = dict(state.get("verified", {}))


def _valid(secret: str, code: str) -> bool:
    code = str(code or "")
    return len(code) == 6 and code.isdigit() and pyotp.TOTP(secret).verify(code, valid_window=1)
