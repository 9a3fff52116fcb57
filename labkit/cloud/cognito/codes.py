"""The codes Cognito sends by e-mail (sign-up confirmation, password reset): made, worded, checked.

    CodeBook             pending codes by (purpose, pool, user): six random digits, an expiry, a count of wrong tries
    verification_mail()  subject and text from the pool's verification template, {####} replaced by the code
    mask_email()         the address as CodeDeliveryDetails shows it: a***@e***

AWS facts reproduced (tests/cloud/test_cognito.py names each):
- a sign-up code is valid for 24 hours, a password-reset code for one hour ("Recovering user accounts", Cognito
  developer guide); an expired one answers ExpiredCodeException, a wrong one CodeMismatchException;
- a new code (ResendConfirmationCode, ForgotPassword again) replaces the old one;
- repeated wrong codes end in LimitExceededException (AWS allows "between 5 and 20 attempts" an hour and does not
  publish the rule; here the sixth try of a code is refused until a new code is sent).
"""

from __future__ import annotations

import hmac
import secrets
import threading
import time
from dataclasses import dataclass
from typing import Any

from ..core.errors import AwsError

SIGN_UP = "sign_up"
FORGOT_PASSWORD = "forgot_password"
LIFETIMES = {SIGN_UP: 24 * 3600.0, FORGOT_PASSWORD: 3600.0}
MAX_FAILURES = 5
DEFAULT_SUBJECT = "Your verification code"  # Cognito's default VerificationMessageTemplate
DEFAULT_MESSAGE = "Your verification code is {####}. "

clock = time.time  # module-level so a test can move time without waiting


class CodeMismatch(AwsError):
    code, status = "CodeMismatchException", 400

    def __init__(self) -> None:
        super().__init__(message="Invalid verification code provided, please try again.")


class ExpiredCode(AwsError):
    code, status = "ExpiredCodeException", 400

    def __init__(self) -> None:
        super().__init__(message="Invalid code provided, please request a code again.")


class LimitExceeded(AwsError):
    code, status = "LimitExceededException", 400

    def __init__(self) -> None:
        super().__init__(message="Attempt limit exceeded, please try after some time.")


@dataclass
class _Pending:
    code: str
    expires_at: float
    failures: int = 0


Key = tuple[str, str, str]  # (purpose, user pool id, moto's username)


class CodeBook:
    """Pending codes; thread-safe (provider calls run on the gateway's request threads)."""

    def __init__(self, lifetime: float | None = None) -> None:
        self.lifetime = lifetime  # None: AWS's lifetimes (LIFETIMES); a number overrides both (LAB_COGNITO_CODE_TTL)
        self._pending: dict[Key, _Pending] = {}
        self._lock = threading.Lock()

    def issue(self, purpose: str, pool_id: str, username: str) -> str:
        """A new code for this user and purpose; any earlier one stops working."""
        code = f"{secrets.randbelow(10**6):06d}"
        lifetime = LIFETIMES[purpose] if self.lifetime is None else self.lifetime
        with self._lock:
            self._pending[(purpose, pool_id, username)] = _Pending(code, clock() + lifetime)
        return code

    def check(self, purpose: str, pool_id: str, username: str, code: str) -> None:
        """Return if ``code`` is the pending one; raise CodeMismatch, ExpiredCode or LimitExceeded otherwise.
        The code stays pending until ``discard()``: the caller may still fail (a weak new password)."""
        with self._lock:
            pending = self._pending.get((purpose, pool_id, username))
            if pending is None:
                raise CodeMismatch()
            if pending.failures >= MAX_FAILURES:
                raise LimitExceeded()
            if not hmac.compare_digest(pending.code.encode(), str(code).encode()):
                pending.failures += 1
                raise CodeMismatch()
            if clock() >= pending.expires_at:
                raise ExpiredCode()

    def discard(self, purpose: str, pool_id: str, username: str) -> None:
        with self._lock:
            self._pending.pop((purpose, pool_id, username), None)

    def __len__(self) -> int:
        return len(self._pending)

    def snapshot(self) -> list[tuple[Key, str, float, int]]:
        with self._lock:
            return [(key, p.code, p.expires_at, p.failures) for key, p in self._pending.items()]

    def restore(self, state: Any) -> None:
        with self._lock:
            self._pending = {tuple(key): _Pending(code, expires, failures) for key, code, expires, failures in state}


def verification_mail(subject: str | None, message: str | None, code: str) -> tuple[str, str]:
    """(subject, text) of the mail carrying ``code``; the pool's template, or Cognito's default one."""
    text = (message or DEFAULT_MESSAGE).replace("{####}", code)
    return subject or DEFAULT_SUBJECT, text


def mask_email(address: str) -> str:
    """alice@example.com → a***@e*** (the shape of CodeDeliveryDetails.Destination)."""
    local, _, domain = address.partition("@")
    return f"{local[:1]}***@{domain[:1]}***"
