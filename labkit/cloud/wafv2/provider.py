"""The wafv2 operations moto lacks or gets wrong (research/moto-5.2.5.md §5).

    ListAvailableManagedRuleGroups   the three managed groups the engine knows (vendor AWS)
    DescribeManagedRuleGroup         their rules and actions, capacity, label namespace and labels
    CheckCapacity                    an estimate of the rules' WCU (capacity.py)
    CreateWebACL / UpdateWebACL      validated here, then handed to moto unchanged (moto stores them)
    AssociateWebACL                  a CloudFront distribution refused as AWS refuses it; others to moto

Validation moto skips, with AWS's error shapes (botocore wafv2 model):
  - Scope CLOUDFRONT from a region other than us-east-1 → WAFInvalidParameterException, for every wafv2 call
    (scope.py: a gateway filter, which runs before this provider and moto);
  - a ManagedRuleGroupStatement naming a group or vendor the local cloud does not have → WAFNonexistentItemException;
  - AssociateWebACL naming a CloudFront distribution → WAFInvalidParameterException, field RESOURCE_ARN, as AWS
    answers it (measured, hashicorp/terraform-provider-aws#28753): a distribution takes its web ACL through its own
    configuration (UpdateDistribution's WebACLId); moto answers WAFNonexistentItemException;
  - a rule the engine cannot evaluate (an unknown statement or transformation, a regex that does not compile)
    → WAFInvalidParameterException, so the mistake shows at creation and not at the first request.
"""

from __future__ import annotations

import io
import json
from collections.abc import Iterator
from typing import Any

from ..core.errors import AwsError
from ..core.providers import Context, Provider
from . import models
from .managed import MANAGED_GROUPS
from .managed import find as find_managed

NONEXISTENT = "AWS WAF couldn’t perform the operation because your resource doesn’t exist."
# moto's codes that are not the model's error shapes (moto wafv2/exceptions.py → botocore wafv2 model)
_MOTO_CODES = {"WafV2DuplicateItem": "WAFDuplicateItemException"}


class WAFInvalidParameterException(AwsError):
    code = "WAFInvalidParameterException"
    status = 400


class WAFNonexistentItemException(AwsError):
    code = "WAFNonexistentItemException"
    status = 400


def _managed_references(value: Any) -> Iterator[dict[str, Any]]:
    if isinstance(value, dict):
        for key, item in value.items():
            if key == "ManagedRuleGroupStatement" and isinstance(item, dict):
                yield item
            yield from _managed_references(item)
    elif isinstance(value, list):
        for item in value:
            yield from _managed_references(item)


def _check_managed(rules: list[dict[str, Any]]) -> None:
    for reference in _managed_references(rules):
        if find_managed(reference.get("VendorName", ""), reference.get("Name", "")) is None:
            raise WAFNonexistentItemException(message=NONEXISTENT)


def _rule_group_capacity(arn: str) -> int:
    group = models.waf_resource(arn)
    if group is None:
        raise WAFNonexistentItemException(message=NONEXISTENT)
    return int(group.get("Capacity") or 0)


class WafProvider(Provider):
    service = "wafv2"

    def __init__(self, cloud: Any = None) -> None:
        super().__init__(cloud)
        self._checker: Any = None  # a WafEngine, made at the first validation (the engine's modules load then)

    # -- managed rule groups ---------------------------------------------------------------------------------
    def list_available_managed_rule_groups(self, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        return {"ManagedRuleGroups": [
            {"VendorName": group.vendor, "Name": group.name, "VersioningSupported": True,
             "Description": group.description}
            for group in MANAGED_GROUPS.values()]}

    def describe_managed_rule_group(self, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        group = find_managed(params.get("VendorName", ""), params.get("Name", ""))
        if group is None:
            raise WAFNonexistentItemException(message=NONEXISTENT)
        return {
            "Capacity": group.capacity,
            "Rules": [{"Name": rule["Name"], "Action": rule["Action"]} for rule in group.rules],
            "LabelNamespace": group.label_namespace,
            "AvailableLabels": [{"Name": group.label(rule)} for rule in group.rules],
            "ConsumedLabels": [],
        }

    def check_capacity(self, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        from .capacity import rules_capacity

        rules = params.get("Rules") or []
        self._validate(rules, {"Allow": {}})
        return {"Capacity": rules_capacity(rules, _rule_group_capacity)}

    # -- web ACLs: validate, then moto ----------------------------------------------------------------------
    def create_web_acl(self, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        self._validate(params.get("Rules") or [], params.get("DefaultAction") or {"Allow": {}})
        return self._moto(ctx)

    def update_web_acl(self, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        self._validate(params.get("Rules") or [], params.get("DefaultAction") or {"Allow": {}})
        return self._moto(ctx)

    def associate_web_acl(self, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        if params.get("ResourceArn", "").startswith(("arn:aws:cloudfront::", "arn:aws-cn:cloudfront::")):
            raise WAFInvalidParameterException(message=(
                "Error reason: The ARN isn't valid. A valid ARN begins with arn: and includes other information "
                f"separated by colons or slashes., field: RESOURCE_ARN, parameter: {params.get('WebACLArn', '')}"))
        return self._moto(ctx)

    def _validate(self, rules: list[dict[str, Any]], default_action: dict[str, Any]) -> None:
        from .engine import WafConfigurationError, WafEngine

        _check_managed(rules)
        if self._checker is None:
            self._checker = WafEngine()
        try:
            self._checker.check({"Name": "validation", "Rules": rules, "DefaultAction": default_action})
        except WafConfigurationError as exc:
            raise WAFInvalidParameterException(message=f"Error reason: {exc}, field: RULE, parameter: Rules") from exc

    @staticmethod
    def _moto(ctx: Context) -> dict[str, Any]:
        """Hand the original request to moto; its answer becomes ours (its errors too, as AwsError)."""
        body = ctx.request.get_data()
        environ = dict(ctx.request.environ)
        environ["wsgi.input"] = io.BytesIO(body)
        environ["CONTENT_LENGTH"] = str(len(body))
        status, _, answer = models.waf_call_moto(environ)
        try:
            document = json.loads(answer or b"{}")
        except ValueError:
            raise AwsError("InternalFailure", f"moto answered {ctx.operation} with {answer[:200]!r}", 500) from None
        if status >= 400:
            code = str(document.get("__type", "WAFInternalErrorException")).rsplit("#", 1)[-1]
            code = _MOTO_CODES.get(code, code)
            raise AwsError(code, document.get("message") or document.get("Message") or "", status)
        return document
