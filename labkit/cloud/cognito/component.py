"""Cognito user pools as on AWS, over moto: mailed codes, per-user TOTP secrets, per-pool signing keys.

    CognitoComponent   keeps the state moto lacks (pending codes, TOTP secrets, each pool's keys) in the snapshot,
                       and the SRP challenges in flight (srp.py) in memory,
                       answers the operations in provider.py, and turns on models.py's two patches:
                       tokens signed with their pool's own key, and that key served at
                       GET <gateway>/<pool id>/.well-known/jwks.json (openid-configuration beside it), the path
                       shape verifiers build from the token's issuer

Setting (read at start):
    LAB_COGNITO_CODE_TTL   seconds a mailed code stays valid; default AWS's (24 h for sign-up, 1 h for a password
                           reset). 0 makes every code expire at once (tests of ExpiredCodeException).
"""

from __future__ import annotations

import os
import smtplib
from typing import Any

from ...errors import ConfigError
from ..core.component import Component
from ..core.errors import AwsError
from ..core.mail import send_mail
from ..core.providers import Provider
from ..moto import accounts
from . import models
from .codes import CodeBook
from .keys import PoolKeys, well_known
from .provider import CognitoProvider
from .srp import Challenges
from .totp import TotpSecrets

# Cognito's own default sender (EmailSendingAccount COGNITO_DEFAULT).
SENDER = "no-reply@verificationemail.com"


def _code_lifetime(environ: Any = os.environ) -> float | None:
    raw = environ.get("LAB_COGNITO_CODE_TTL", "").strip()
    if not raw:
        return None
    try:
        value = float(raw)
    except ValueError:
        value = -1.0
    if value < 0:
        raise ConfigError(f"LAB_COGNITO_CODE_TTL={raw!r} is not a number of seconds: use 0 or more, or unset it "
                          "for AWS's lifetimes (24 hours for sign-up codes, 1 hour for password-reset codes)")
    return value


UNSIGNED_TARGET = "AWSCognitoIdentityProviderService."


def _account_of_call(params: dict[str, Any]) -> str | None:
    return models.cognito_account_of(client_id=params.get("ClientId"), pool_id=params.get("UserPoolId"),
                                     access_token=params.get("AccessToken"))


class CognitoComponent(Component):
    name = "cognito"

    def __init__(self, cloud: Any) -> None:
        super().__init__(cloud)
        self.codes = CodeBook(_code_lifetime())
        self.totp = TotpSecrets()
        self.keys = PoolKeys()
        self.srp = Challenges()  # SRP sign-ins in flight: minutes long, not kept in the snapshot
        # Before the gateway serves anything: moto builds its Cognito routes on the first Cognito request.
        models.set_cognito_hooks(signer=self.keys.sign, well_known=self._well_known)
        # A browser's sign-up and sign-in are unsigned: they act in the account of the pool or client they name.
        accounts.register_unsigned(UNSIGNED_TARGET, _account_of_call)

    def providers(self) -> list[Provider]:
        return [CognitoProvider(self)]

    def filters(self) -> list[Any]:
        from .secret_hash import secret_hash_filter

        return [secret_hash_filter]

    def stop(self) -> None:
        models.set_cognito_hooks(None, None)
        accounts.register_unsigned(UNSIGNED_TARGET, None)

    def health(self) -> dict[str, Any]:
        return {"status": "ok", "pools_with_keys": len(self.keys), "pending_codes": len(self.codes),
                "totp_users": len(self.totp)}

    def snapshot(self) -> Any:
        return {"codes": self.codes.snapshot(), "totp": self.totp.snapshot(),
                "keys": self.keys.snapshot(models.cognito_pool_ids())}

    def restore(self, state: Any) -> None:
        self.codes.restore(state.get("codes", []))
        self.totp.restore(state.get("totp", {}))
        self.keys.restore(state.get("keys", {}))

    def mail(self, to: str, subject: str, text: str, *, account: str) -> None:
        """Deliver through the local mailbox over SMTP, as mail of the pool's ``account``; a failure is Cognito's
        CodeDeliveryFailureException."""
        mailbox = next((c for c in self.cloud.components if c.name == "mailbox"), None)
        if mailbox is None or "smtp" not in mailbox.ports:
            raise AwsError("CodeDeliveryFailureException", "the local cloud runs no mailbox to deliver the code", 400)
        try:
            send_mail(mailbox.ports["smtp"], to, subject, text, sender=SENDER, account=account)
        except (OSError, smtplib.SMTPException) as exc:
            raise AwsError("CodeDeliveryFailureException", f"the local mailbox refused the code: {exc}", 400) from exc

    def _well_known(self, pool_id: str, document: str, base_url: str) -> tuple[int, dict[str, str], bytes]:
        return well_known(self.keys, models.cognito_pool_region, pool_id, document, base_url)
