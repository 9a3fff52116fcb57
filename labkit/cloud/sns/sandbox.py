"""SMS through SNS, with the SMS sandbox every new account starts in; moto 5.2.5 has no sandbox and sends nothing.

    SmsSandbox    CreateSMSSandboxPhoneNumber (texts a one-time password), VerifySMSSandboxPhoneNumber,
                  ListSMSSandboxPhoneNumbers, DeleteSMSSandboxPhoneNumber, GetSMSSandboxAccountStatus;
                  send(): one text to a number, handed to the phone outbox (/_lab/sms), delivered or not

AWS (SNS developer guide, "Using the Amazon SNS SMS sandbox"): "Newly created Amazon SNS SMS accounts are
automatically placed into the SMS sandbox"; in it "you can only send SMS messages to verified destination phone
numbers", "you can have up to 10 verified destination phone numbers", and "you can delete destination phone numbers
only after a minimum of 24 hours have passed since verification, or the last verification attempt". A number is
added (and sent its one-time password) by CreateSMSSandboxPhoneNumber, and verified with that password (API
reference: OneTimePassword 5 to 8 digits; a wrong one is VerificationException; PhoneNumber matches
^(\\+[0-9]{8,}|[0-9]{0,9})$). Here an account never leaves the sandbox. A text to a number not verified is
accepted by Publish and not delivered: the outbox shows it as such, with the reason.
"""

from __future__ import annotations

import re
import secrets
import threading
import time
from typing import Any

from ..core.errors import AwsError
from ..core.providers import Context, Provider

MAX_NUMBERS = 10
DELETE_AFTER_S = 24 * 3600
_NUMBER = re.compile(r"^(\+[0-9]{8,}|[0-9]{0,9})$")
OTP_TEXT = "Your Amazon SNS verification code is {code}"  # the text of the one-time password


def _bad(message: str, code: str = "InvalidParameter") -> AwsError:
    return AwsError(code, message, 404 if code == "ResourceNotFound" else 400)


def _number(params: dict[str, Any]) -> str:
    number = str(params.get("PhoneNumber") or "")
    if not number or len(number) > 20 or not _NUMBER.match(number):
        raise _bad(f"Invalid parameter: PhoneNumber Reason: {number or '(none)'} is not a phone number in E.164 "
                   "format (+ and the country code, then the number: +15555550100)")
    return number


class SmsSandbox(Provider):
    service = "sns"
    name = "sns-sms-sandbox"

    def __init__(self, notify: Any) -> None:
        super().__init__(notify.cloud)
        self.notify = notify
        self._lock = threading.Lock()
        # (account, region) → number → {"status": "Pending" | "Verified", "otp": str, "changed": epoch seconds}
        self.numbers: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}

    def snapshot(self) -> Any:
        with self._lock:
            return {f"{a}/{r}": dict(numbers) for (a, r), numbers in self.numbers.items()}

    def restore(self, state: Any) -> None:
        for key, numbers in (state or {}).items():
            account, _, region = key.partition("/")
            self.numbers[account, region] = dict(numbers)

    # -- the API -----------------------------------------------------------------------------------------------
    def get_sms_sandbox_account_status(self, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        return {"IsInSandbox": True}

    def create_sms_sandbox_phone_number(self, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        number = _number(params)
        code = f"{secrets.randbelow(10**6):06d}"
        with self._lock:
            numbers = self.numbers.setdefault((ctx.account, ctx.region), {})
            verified = sum(entry["status"] == "Verified" for entry in numbers.values())
            if number not in numbers and verified >= MAX_NUMBERS:
                raise _bad(f"You can have up to {MAX_NUMBERS} verified destination phone numbers in the SMS "
                           "sandbox: delete one first", "UserError")
            if numbers.get(number, {}).get("status") != "Verified":
                numbers[number] = {"status": "Pending", "otp": code, "changed": time.time()}
        self.cloud.mark_changed()
        self._hand_over(ctx.account, ctx.region, number, OTP_TEXT.format(code=code), "CreateSMSSandboxPhoneNumber",
                        "", None)
        return {}

    def verify_sms_sandbox_phone_number(self, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        number = _number(params)
        password = str(params.get("OneTimePassword") or "")
        if not re.fullmatch(r"[0-9]{5,8}", password):
            raise _bad("Invalid parameter: OneTimePassword Reason: 5 to 8 digits")
        with self._lock:
            entry = self.numbers.get((ctx.account, ctx.region), {}).get(number)
            if entry is None:
                raise _bad(f"{number} is not a destination phone number of this account's SMS sandbox: add it with "
                           "CreateSMSSandboxPhoneNumber first", "ResourceNotFound")
            entry["changed"] = time.time()  # an attempt, right or wrong, restarts the 24 hours before a delete
            if entry["status"] != "Verified":
                if password != entry["otp"]:
                    raise AwsError("VerificationException", "Invalid one-time password: use the code in the latest "
                                   f"text sent to {number}", 400)
                entry["status"] = "Verified"
        self.cloud.mark_changed()
        return {}

    def list_sms_sandbox_phone_numbers(self, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        with self._lock:
            numbers = self.numbers.get((ctx.account, ctx.region), {})
            return {"PhoneNumbers": [{"PhoneNumber": n, "Status": e["status"]} for n, e in sorted(numbers.items())]}

    def delete_sms_sandbox_phone_number(self, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        number = _number(params)
        with self._lock:
            numbers = self.numbers.get((ctx.account, ctx.region), {})
            entry = numbers.get(number)
            if entry is None:
                raise _bad(f"{number} is not in this account's SMS sandbox", "ResourceNotFound")
            waited = time.time() - entry["changed"]
            if waited < DELETE_AFTER_S:
                raise _bad(f"{number} can be deleted only 24 hours after its verification or last verification "
                           f"attempt: {(DELETE_AFTER_S - waited) / 3600:.0f} h to go", "UserError")
            del numbers[number]
        self.cloud.mark_changed()
        return {}

    # -- sending ---------------------------------------------------------------------------------------------------
    def verified(self, account: str, region: str, number: str) -> bool:
        with self._lock:
            return self.numbers.get((account, region), {}).get(number, {}).get("status") == "Verified"

    def send(self, account: str, region: str, number: str, text: str, origin: str, message_id: str) -> None:
        """One text, as SNS sends it from this account and Region: delivered only to a verified number."""
        reason = None if self.verified(account, region, number) else (
            f"not delivered: the account is in the SMS sandbox and {number} is not a verified destination phone "
            "number (CreateSMSSandboxPhoneNumber, then VerifySMSSandboxPhoneNumber)")
        self._hand_over(account, region, number, text, origin, message_id, reason)

    def _hand_over(self, account: str, region: str, number: str, text: str, origin: str, message_id: str,
                   failure: str | None) -> None:
        phone = next((c for c in self.cloud.components if c.name == "phone"), None) if self.cloud else None
        if phone is not None:
            phone.receive(account=account, region=region, to=number, text=text, origin=origin,
                          message_id=message_id, failure=failure)
