"""What CloudFront checks in a DistributionConfig and moto does not (research/moto-5.2.5.md §4: "No referential
validation: a non-existent ACM ARN and CachePolicyId="nonexistent" are both accepted").

    Validator(cdn).check(config, account, dist_id=None)   raise AwsError as CloudFront would, else return

Each check raises the error the botocore cloudfront model lists for CreateDistribution/UpdateDistribution:
  - a required member missing, a Quantity that disagrees with Items        InvalidArgument, InconsistentQuantities
  - an origin a behaviour targets does not exist                          NoSuchOrigin (404)
  - an unknown CachePolicyId                                              NoSuchCachePolicy (404)
  - neither CachePolicyId nor ForwardedValues; both; legacy TTLs out of order   InvalidArgument, InvalidTTLOrder
  - an unknown OriginAccessControlId                                      InvalidOriginAccessControl
  - OAC together with an origin access identity                           IllegalOriginAccessConfiguration
  - DefaultRootObject starting with "/"                                   InvalidDefaultRootObject
  - custom error responses: codes, page paths                             InvalidErrorCode, InvalidResponseCode,
                                                                          InvalidRelativePath
  - a certificate outside us-east-1, unknown or not issued; aliases without a certificate or not covered by it
                                                                          InvalidViewerCertificate (aws-facts)
  - an alias another distribution already has                             CNAMEAlreadyExists (409)
  - a WebACLId that is not a CLOUDFRONT-scope web ACL of the local cloud  InvalidWebACLId
"""

from __future__ import annotations

from typing import Any

from ..acm import models as acm_models
from ..core.errors import AwsError
from ..core.providers import Context
from ..moto import protocols
from ..wafv2 import models as wafv2_models
from . import models
from .cache_policies import inconsistent_quantities
from .store import behaviours

ERROR_CODES = frozenset({400, 403, 404, 405, 414, 416, 500, 501, 502, 503, 504})  # aws-facts, custom error responses
RESPONSE_CODES = ERROR_CODES | {200}
METHOD_SETS = ({"GET", "HEAD"}, {"GET", "HEAD", "OPTIONS"},
               {"GET", "HEAD", "OPTIONS", "PUT", "PATCH", "POST", "DELETE"})  # the three AllowedMethods choices
CERTIFICATE_REGION = "us-east-1"  # aws-facts: "A certificate used by a CloudFront distribution must be in … us-east-1"
BAD_CERTIFICATE = ("The specified SSL certificate doesn't exist, isn't in us-east-1 region, isn't valid, or doesn't "
                   "include a valid certificate chain.")
NOT_COVERED = ("The certificate that is attached to your distribution doesn't cover the alternate domain name "
               "(CNAME) that you're trying to add. For more details, see: https://docs.aws.amazon.com/AmazonCloudFront/"
               "latest/DeveloperGuide/CNAMEs.html#alternate-domain-names-requirements")
NO_CERTIFICATE = ("To add an alternate domain name (CNAME) to a CloudFront distribution, you must attach a trusted "
                  "certificate that validates your authorization to use the domain name. For more details, see: "
                  "https://docs.aws.amazon.com/AmazonCloudFront/latest/DeveloperGuide/CNAMEs.html"
                  "#alternate-domain-names-requirements")


def _fail(code: str, message: str, status: int = 400) -> None:
    raise AwsError(code, message, status)


def covers(certificate_names: list[str] | tuple[str, ...], host: str) -> bool:
    """Whether a certificate for these names is valid for ``host``: the same name, or a wildcard standing for exactly
    one label (``*.example.com`` covers ``www.example.com``, not ``example.com`` or ``a.b.example.com``)."""
    host = host.lower().rstrip(".")
    for name in certificate_names:
        name = name.lower().rstrip(".")
        if name == host:
            return True
        if name.startswith("*.") and "." in host and host.split(".", 1)[1] == name[2:] and not host.startswith("*."):
            return True
    return False


def _missing_required(value: Any, shape: Any, path: str) -> str | None:
    if shape.type_name == "structure" and isinstance(value, dict):
        for name in shape.required_members:
            if value.get(name) is None:
                return f"{path}.{name}" if path else name
        for name, member in shape.members.items():
            if value.get(name) is not None:
                found = _missing_required(value[name], member, f"{path}.{name}" if path else name)
                if found:
                    return found
    elif shape.type_name == "list" and isinstance(value, list):
        for index, item in enumerate(value):
            found = _missing_required(item, shape.member, f"{path}[{index}]")
            if found:
                return found
    return None


class Validator:
    def __init__(self, cdn: Any) -> None:
        self.cdn = cdn

    def check(self, config: dict[str, Any], account: str, dist_id: str | None = None) -> None:
        """Call without moto.LOCK held: a pending certificate makes the ACM provider query DNS."""
        missing = _missing_required(config, protocols.service_model("cloudfront").shape_for("DistributionConfig"), "")
        if missing:
            _fail("InvalidArgument", f"The parameter {missing} is required.")
        if inconsistent_quantities(config):
            _fail("InconsistentQuantities", "The value of Quantity and the size of Items don't match.")
        self._origins(config, account)
        self._behaviours(config, account)
        if str(config.get("DefaultRootObject") or "").startswith("/"):
            _fail("InvalidDefaultRootObject", "The specified default root object is invalid.")
        self._error_responses(config)
        self._certificate_and_aliases(config, account, dist_id)
        self._web_acl(config)

    def _origins(self, config: dict[str, Any], account: str) -> None:
        for origin in config["Origins"].get("Items") or []:
            oac = origin.get("OriginAccessControlId")
            if oac and models.cloudfront_origin_access_control(account, oac) is None:
                _fail("InvalidOriginAccessControl", "The specified origin access control does not exist or not "
                      "valid.")
            if oac and (origin.get("S3OriginConfig") or {}).get("OriginAccessIdentity"):
                _fail("IllegalOriginAccessConfiguration", "An origin cannot contain both an origin access control "
                      "(OAC) and an origin access identity (OAI).")

    def _behaviours(self, config: dict[str, Any], account: str) -> None:
        origin_ids = {o["Id"] for o in config["Origins"].get("Items") or []}
        for behaviour in behaviours(config):
            if behaviour.get("TargetOriginId") not in origin_ids:
                _fail("NoSuchOrigin", "One or more of your origins or origin groups do not exist.", 404)
            policy_id = behaviour.get("CachePolicyId")
            if policy_id and self.cdn.policies.lookup(account, policy_id) is None:
                _fail("NoSuchCachePolicy", "The cache policy does not exist.", 404)
            if policy_id and behaviour.get("ForwardedValues"):
                _fail("InvalidArgument", "The parameter ForwardedValues cannot be used when a cache policy is "
                      "associated to the cache behavior.")
            if not policy_id and not behaviour.get("ForwardedValues"):
                _fail("InvalidArgument", "The parameter ForwardedValues is required.")
            if not policy_id:
                low, default, high = (behaviour.get(k) for k in ("MinTTL", "DefaultTTL", "MaxTTL"))
                low, default, high = low or 0, 86400 if default is None else default, 31536000 if high is None else high
                if not low <= default <= high:
                    _fail("InvalidTTLOrder", "The TTL order specified in CacheBehavior is not valid.")
            methods = set((behaviour.get("AllowedMethods") or {}).get("Items") or ["GET", "HEAD"])
            if methods not in METHOD_SETS:
                _fail("InvalidArgument", "The allowed methods must be GET and HEAD; GET, HEAD and OPTIONS; or GET, "
                      "HEAD, OPTIONS, PUT, PATCH, POST and DELETE.")

    def _error_responses(self, config: dict[str, Any]) -> None:
        for response in (config.get("CustomErrorResponses") or {}).get("Items") or []:
            if int(response.get("ErrorCode", 0)) not in ERROR_CODES:
                _fail("InvalidErrorCode", f"The error code {response.get('ErrorCode')} is not supported: use one "
                      f"of {', '.join(map(str, sorted(ERROR_CODES)))}.")
            page, code = str(response.get("ResponsePagePath") or ""), str(response.get("ResponseCode") or "")
            if page and not page.startswith("/"):
                _fail("InvalidRelativePath", "The relative path is too big, is not URL-encoded, or does not begin "
                      "with a slash (/).")
            if (page and not code) or (code and not page) or (code and not (code.isdigit()
                                                                           and int(code) in RESPONSE_CODES)):
                _fail("InvalidResponseCode", "ResponsePagePath and ResponseCode go together, and ResponseCode must "
                      "be 200 or one of the error codes.")

    # -- certificate and aliases ---------------------------------------------------------------------------------
    def _certificate_and_aliases(self, config: dict[str, Any], account: str, dist_id: str | None) -> None:
        aliases = [str(a).lower().rstrip(".") for a in (config.get("Aliases") or {}).get("Items") or []]
        arn = str((config.get("ViewerCertificate") or {}).get("ACMCertificateArn") or "")
        names: list[str] = []
        if arn:
            names = self._certificate_names(arn)
        if aliases and not arn:
            _fail("InvalidViewerCertificate", NO_CERTIFICATE)
        for alias in aliases:
            if not covers(names, alias):
                _fail("InvalidViewerCertificate", NOT_COVERED)
        self.check_aliases_free(config, dist_id)

    def check_aliases_free(self, config: dict[str, Any], dist_id: str | None) -> None:
        """CNAMEAlreadyExists if another distribution has one of the aliases (call again under moto.LOCK)."""
        aliases = {str(a).lower().rstrip(".") for a in (config.get("Aliases") or {}).get("Items") or []}
        for other in self.cdn.store.distributions.values():
            if other.id == dist_id:
                continue
            taken = {str(a).lower().rstrip(".") for a in (other.config.get("Aliases") or {}).get("Items") or []}
            if taken & aliases:
                _fail("CNAMEAlreadyExists", "One or more of the CNAMEs you provided are already associated with a "
                      "different resource.", 409)

    def _certificate_names(self, arn: str) -> list[str]:
        parts = arn.split(":")
        if len(parts) < 6 or parts[2] != "acm" or parts[3] != CERTIFICATE_REGION:
            _fail("InvalidViewerCertificate", BAD_CERTIFICATE)
        self._refresh(parts[4], arn)
        try:
            record = acm_models.acm_record(parts[4], parts[3], arn)
        except AwsError:
            _fail("InvalidViewerCertificate", BAD_CERTIFICATE)
        if record.status != "ISSUED":
            _fail("InvalidViewerCertificate", BAD_CERTIFICATE)
        return [record.domain_name, *record.sans]

    def _refresh(self, account: str, arn: str) -> None:
        """Let the ACM provider look at DNS for a pending certificate first (it validates when asked about it), as
        the learner's own DescribeCertificate would. Called without moto.LOCK: the provider takes its own lock."""
        for provider in getattr(getattr(self.cdn.cloud, "providers", None), "providers", []):
            if getattr(provider, "service", "") == "acm" and hasattr(provider, "describe_certificate"):
                try:
                    provider.describe_certificate({"CertificateArn": arn},
                                                  Context(account, CERTIFICATE_REGION, "DescribeCertificate", None))
                except AwsError:
                    pass  # reported as InvalidViewerCertificate by the caller

    def _web_acl(self, config: dict[str, Any]) -> None:
        acl = str(config.get("WebACLId") or "")
        if acl and (":global/webacl/" not in acl or wafv2_models.waf_lock_token(acl) is None):
            _fail("InvalidWebACLId", "Web ACL is not accessible by the requester, or is not a CLOUDFRONT-scope web "
                  "ACL in us-east-1.")
