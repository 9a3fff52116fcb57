"""STS operations moto answers with a fixed example key (AKIAIOSFODNN7EXAMPLE, in moto's default account whatever
the caller's): GetSessionToken and GetFederationToken mint ASIA… keys of the caller's account, as AWS's temporary
credentials are, so what a learner does with them lands in their own account.

    GetSessionToken       DurationSeconds 900–129,600 (default 43,200)
    GetFederationToken    the same durations; FederatedUser arn:aws:sts::<account>:federated-user/<Name>
    DecodeAuthorizationMessage
                          InvalidAuthorizationMessageException: the local cloud never encodes an authorization
                          message (no service here answers a denial with one), so none it is given can be its own
AssumeRole stays moto's, which already mints ASIA… keys in the role's account.
"""

from __future__ import annotations

import datetime
from typing import Any

from ..core.errors import AwsError
from ..core.providers import Context, Provider
from . import models

# "DurationSeconds … from 900 seconds (15 minutes) to 129,600 seconds (36 hours), with 43,200 seconds (12 hours)
# as the default" (STS API reference, GetSessionToken and GetFederationToken).
MIN_SECONDS, MAX_SECONDS, DEFAULT_SECONDS = 900, 129_600, 43_200


def _duration(params: dict[str, Any]) -> int:
    seconds = params.get("DurationSeconds", DEFAULT_SECONDS)
    if not MIN_SECONDS <= seconds <= MAX_SECONDS:
        bound = ("greater than or equal to 900" if seconds < MIN_SECONDS
                 else "less than or equal to 129600")
        raise AwsError("ValidationError", f"1 validation error detected: Value '{seconds}' at 'durationSeconds' "
                       f"failed to satisfy constraint: Member must have value {bound}", 400)
    return seconds


def _credentials(ctx: Context, seconds: int) -> dict[str, Any]:
    access_key, secret, token = models.temporary_key(ctx.account, ctx.region)
    expires = datetime.datetime.now(datetime.timezone.utc) + datetime.timedelta(seconds=seconds)
    return {"AccessKeyId": access_key, "SecretAccessKey": secret, "SessionToken": token,
            "Expiration": expires.replace(microsecond=0)}


class StsProvider(Provider):
    service = "sts"

    def get_session_token(self, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        return {"Credentials": _credentials(ctx, _duration(params))}

    def get_federation_token(self, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        seconds, name = _duration(params), params["Name"]
        return {"Credentials": _credentials(ctx, seconds),
                "FederatedUser": {"FederatedUserId": f"{ctx.account}:{name}",
                                  "Arn": f"arn:aws:sts::{ctx.account}:federated-user/{name}"},
                "PackedPolicySize": 0}

    def decode_authorization_message(self, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        raise AwsError("InvalidAuthorizationMessageException",
                       "The message is invalid: the local cloud encodes no authorization messages", 400)
