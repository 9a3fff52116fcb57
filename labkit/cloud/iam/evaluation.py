"""Whether a role's session may do what it asks: IAM's policy evaluation logic ("Policy evaluation logic" and
"Cross-account policy evaluation logic", IAM User Guide), for the policy types a role has.

    denial(session, policies, ask, resource_policy) → None (allowed) or the end of AWS's message:
        "because no identity-based policy allows the <action> action", "with an explicit deny in …"

    1. an explicit Deny in any policy (identity, resource, permissions boundary, session policy) denies
    2. in the resource's own account: an Allow in the identity policies (within the boundary and the session
       policy, when the role or the session has one) or an Allow in the resource's policy for this principal
    3. across accounts: both
    4. else an implicit deny

Condition keys known here: aws:PrincipalArn, aws:PrincipalAccount, aws:PrincipalType, aws:RequestedRegion,
aws:SecureTransport (true: AWS is reached over HTTPS, whatever the local gateway's scheme).
"""

from __future__ import annotations

from typing import Any

from . import policy
from .actions import Ask
from .models import RolePolicies, RoleSession


def _keys(session: RoleSession, region: str) -> dict[str, str]:
    return {"aws:principalarn": session.role_arn, "aws:principalaccount": session.account,
            "aws:principaltype": "AssumedRole", "aws:requestedregion": region, "aws:securetransport": "true"}


def _combined(documents: list[Any], ctx: policy.RequestContext) -> str:
    verdicts = {policy.decide(document, ctx, identity=True) for document in documents}
    return "Deny" if "Deny" in verdicts else "Allow" if "Allow" in verdicts else "NoMatch"


def denial(session: RoleSession, policies: RolePolicies, ask: Ask, region: str,
           resource_policy: tuple[str, str | None] | None = None) -> str | None:
    ctx = policy.RequestContext(policy.Principal("AWS", session.arn, also=(session.role_arn,)), ask.action,
                                ask.resource, _keys(session, region))
    identity = _combined(policies.identity, ctx)
    limits = {"permissions boundary": policies.boundary, "session policy": session.session_policy}
    limited = {kind: _combined([doc], ctx) for kind, doc in limits.items() if doc is not None}
    owner, document = resource_policy or (_arn_account(ask.resource) or session.account, None)
    resource = policy.decide(document, ctx) if document else "NoMatch"
    if identity == "Deny":
        return "with an explicit deny in an identity-based policy"
    if resource == "Deny":
        return "with an explicit deny in a resource-based policy"
    for kind, verdict in limited.items():
        if verdict == "Deny":
            return f"with an explicit deny in a {kind}"
    identity_allows = identity == "Allow" and all(v == "Allow" for v in limited.values())
    if owner == session.account and (identity_allows or resource == "Allow"):
        return None
    if owner != session.account and identity_allows and resource == "Allow":
        return None
    if identity == "Allow":
        kind = next(k for k, v in limited.items() if v != "Allow") if not identity_allows else None
        if kind:
            return f"because no {kind} allows the {ask.action} action"
        return f"because no resource-based policy allows the {ask.action} action"
    return f"because no identity-based policy allows the {ask.action} action"


def _arn_account(arn: str) -> str | None:
    parts = arn.split(":")
    return parts[4] if len(parts) > 5 and parts[4] else None
