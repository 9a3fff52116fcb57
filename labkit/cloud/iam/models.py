"""IAM and STS as moto holds them: a role's sessions and the policies that decide what a session may do.

    role_session(role_arn, session_name, region)   temporary credentials of the role (moto's AssumeRole: ASIA…
                                                    key, secret, session token) for a Lambda function
    session_of(access_key)       the role session a key belongs to (RoleSession), or None for any other key
    role_policies(session)       the documents that decide for the session (RolePolicies)
"""

from __future__ import annotations

import datetime
import json
import re
from dataclasses import dataclass, field
from typing import Any

from ..moto import LOCK

_ROLE_ARN = re.compile(r"arn:aws:iam::(\d{12}):role/(?:.*/)?([\w+=,.@-]+)")


@dataclass(frozen=True)
class RoleSession:
    account: str
    role_arn: str
    role_name: str
    session_name: str
    session_token: str
    session_policy: str | None  # AssumeRole's Policy parameter: a further limit on the session

    @property
    def arn(self) -> str:
        return f"arn:aws:sts::{self.account}:assumed-role/{self.role_name}/{self.session_name}"


@dataclass
class RolePolicies:
    exists: bool
    identity: list[dict[str, Any]] = field(default_factory=list)  # inline and attached managed documents
    boundary: dict[str, Any] | None = None  # the permissions boundary's document, if the role has one


def role_session(role_arn: str, session_name: str, region: str) -> tuple[str, str, str]:
    """(access key id, secret, session token) of a session of ``role_arn`` in the role's account: the one made for
    ``session_name`` before while it has an hour left (Lambda's runtime asks at every worker start; a new session
    each time would grow the account's list, searched at every call), else a new one of 12 hours."""
    from moto.sts.models import sts_backends

    account = _ROLE_ARN.fullmatch(role_arn)
    with LOCK:
        backend = sts_backends[account.group(1) if account else "123456789012"]["aws"]
        soon = datetime.datetime.now(datetime.timezone.utc).replace(tzinfo=None) + datetime.timedelta(hours=1)
        for made in backend.assumed_roles:
            if made.role_arn == role_arn and made.session_name == session_name[:64] and made.expiration > soon:
                return made.access_key_id, made.secret_access_key, made.session_token
        session = backend.assume_role(region_name=region, role_session_name=session_name[:64], role_arn=role_arn,
                                      policy=None, duration=43_200, external_id=None)
        return session.access_key_id, session.secret_access_key, session.session_token


def session_of(account: str, access_key: str) -> RoleSession | None:
    """The role session ``access_key`` (a key of ``account``) was minted for, or None."""
    from moto.sts.models import sts_backends

    with LOCK:
        per_account = dict.get(sts_backends, account)
        backend = dict.get(per_account, "aws") if per_account is not None else None
        found = backend.get_assumed_role_from_access_key(access_key) if backend is not None else None
        if found is None:
            return None
        name = _ROLE_ARN.fullmatch(found.role_arn)
        return RoleSession(account=found.account_id, role_arn=found.role_arn,
                           role_name=name.group(2) if name else found.role_arn.rsplit("/", 1)[-1],
                           session_name=found.session_name, session_token=found.session_token,
                           session_policy=found.policy or None)


def _document(managed: Any) -> dict[str, Any]:
    version = next(v for v in managed.versions if v.is_default)
    return _parsed(version.document)


def _parsed(document: Any) -> dict[str, Any]:
    return json.loads(document) if isinstance(document, str) else dict(document)


def role_policies(session: RoleSession) -> RolePolicies:
    from moto.iam.models import iam_backends

    with LOCK:
        per_account = dict.get(iam_backends, session.account)
        backend = dict.get(per_account, "aws") if per_account is not None else None
        role = next((r for r in backend.roles.values() if r.arn == session.role_arn), None) if backend else None
        if role is None:
            return RolePolicies(exists=False)
        identity = [_parsed(doc) for doc in role.policies.values()]
        identity += [_document(managed) for managed in role.managed_policies.values()]
        boundary = None
        if role.permissions_boundary_arn:
            managed = backend.managed_policies.get(role.permissions_boundary_arn)  # AWS's managed ones too
            boundary = _document(managed) if managed is not None else {"Statement": []}
        return RolePolicies(exists=True, identity=identity, boundary=boundary)
