"""What the STS provider reads and writes of moto's IAM state: temporary keys live beside the account's access keys,
where the gateway finds the account of a signed request (moto/accounts.py) as it does for AssumeRole's keys."""

from __future__ import annotations

from moto.iam.models import iam_backends
from moto.sts.utils import random_session_token
from moto.utilities.utils import get_partition


def temporary_key(account: str, region: str) -> tuple[str, str, str]:
    """A new ASIA… key of ``account``: (access key id, secret, session token)."""
    key = iam_backends[account][get_partition(region)].create_temp_access_key()
    return key.access_key_id, key.secret_access_key, random_session_token()
