"""Which account a request belongs to, without creating IAM backends nobody asked for.

Importing this module patches moto.iam.models (when moto imports it).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from .importhook import when_imported


def _account_of_access_key(access_key: str) -> str:
    """moto's get_account_id_from, looking only at IAM backends that exist. moto's own asks every account for every
    partition, which creates an IAM backend per partition (each holding ~1,600 AWS managed policies: ~0.4 s on the
    second request, and a snapshot five times larger). An access key can only live in a backend that exists."""
    from moto.core import DEFAULT_ACCOUNT_ID
    from moto.iam.models import iam_backends

    for account_id, per_account in list(iam_backends.items()):
        for backend in list(dict.values(per_account)):
            if access_key in backend.access_keys:
                return account_id
    return DEFAULT_ACCOUNT_ID


def _visit_account(original: Callable[..., None]) -> Callable[..., None]:
    """moto's mark_account_as_visited (an access key's "last used"), skipped while the account's IAM backend for
    that partition does not exist: it holds no access key then, and creating it on every service's first request
    loads ~1,600 managed policies (~0.1 s) that only IAM calls need."""

    def visit(account_id: str, access_key: str, service: str, region: str) -> None:
        from moto.iam.models import iam_backends
        from moto.utilities.utils import get_partition

        per_account = dict.get(iam_backends, account_id)
        if per_account is not None and dict.get(per_account, get_partition(region)) is not None:
            original(account_id, access_key, service, region)

    visit.__kit_iam__ = True  # type: ignore[attr-defined]
    return visit


def _patch_iam(models: Any) -> None:
    models.get_account_id_from = _account_of_access_key
    if not getattr(models.mark_account_as_visited, "__kit_iam__", False):
        models.mark_account_as_visited = _visit_account(models.mark_account_as_visited)


when_imported("moto.iam.models", _patch_iam)
