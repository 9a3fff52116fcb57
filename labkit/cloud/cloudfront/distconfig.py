"""A DistributionConfig as CloudFront stores and shows it: the learner's config with AWS's defaults filled in.

    with_defaults(config)          a new config: members the learner left out, as GetDistributionConfig shows them
    distribution_view(dist, ...)   the Distribution member of Create/Get/Update answers
    summary_view(dist, ...)        a DistributionSummary (ListDistributions)

moto drops OriginAccessControlId and S3OriginConfig and adds ForwardedValues and TTLs next to a CachePolicyId
(research/moto-5.2.5.md §4); the data plane keeps the config as sent, so every answer shows what was asked.
Defaults are the ones the CloudFront API reference documents for each member (Compress false, ConnectionAttempts
3, ConnectionTimeout 10, ErrorCachingMinTTL 10, PriceClass_All, http2…).
"""

from __future__ import annotations

import copy
from typing import Any

from .store import Distribution

_EMPTY = {"Quantity": 0}
_METHODS = {"Quantity": 2, "Items": ["HEAD", "GET"], "CachedMethods": {"Quantity": 2, "Items": ["HEAD", "GET"]}}


def _behaviour_defaults(behaviour: dict[str, Any]) -> None:
    behaviour.setdefault("TrustedSigners", {"Enabled": False, "Quantity": 0})
    behaviour.setdefault("TrustedKeyGroups", {"Enabled": False, "Quantity": 0})
    behaviour.setdefault("AllowedMethods", copy.deepcopy(_METHODS))
    behaviour["AllowedMethods"].setdefault("CachedMethods", copy.deepcopy(_METHODS["CachedMethods"]))
    behaviour.setdefault("SmoothStreaming", False)
    behaviour.setdefault("Compress", False)
    behaviour.setdefault("LambdaFunctionAssociations", dict(_EMPTY))
    behaviour.setdefault("FunctionAssociations", dict(_EMPTY))
    behaviour.setdefault("FieldLevelEncryptionId", "")
    if not behaviour.get("CachePolicyId"):  # legacy cache settings: the TTLs are part of the behaviour
        behaviour.setdefault("MinTTL", 0)
        behaviour.setdefault("DefaultTTL", 86400)
        behaviour.setdefault("MaxTTL", 31536000)


def with_defaults(config: dict[str, Any]) -> dict[str, Any]:
    filled = copy.deepcopy(config)
    filled.setdefault("Aliases", dict(_EMPTY))
    filled.setdefault("DefaultRootObject", "")
    for origin in (filled.get("Origins") or {}).get("Items") or []:
        origin.setdefault("OriginPath", "")
        origin.setdefault("CustomHeaders", dict(_EMPTY))
        origin.setdefault("ConnectionAttempts", 3)
        origin.setdefault("ConnectionTimeout", 10)
        origin.setdefault("OriginShield", {"Enabled": False})
        origin.setdefault("OriginAccessControlId", "")
    filled.setdefault("OriginGroups", dict(_EMPTY))
    _behaviour_defaults(filled.setdefault("DefaultCacheBehavior", {}))
    filled.setdefault("CacheBehaviors", dict(_EMPTY))
    for behaviour in filled["CacheBehaviors"].get("Items") or []:
        _behaviour_defaults(behaviour)
    filled.setdefault("CustomErrorResponses", dict(_EMPTY))
    for response in filled["CustomErrorResponses"].get("Items") or []:
        response.setdefault("ResponsePagePath", "")
        response.setdefault("ResponseCode", "")
        response.setdefault("ErrorCachingMinTTL", 10)
    filled.setdefault("Comment", "")
    filled.setdefault("Logging", {"Enabled": False, "IncludeCookies": False, "Bucket": "", "Prefix": ""})
    filled.setdefault("PriceClass", "PriceClass_All")
    filled["ViewerCertificate"] = _viewer_certificate(filled.get("ViewerCertificate") or {})
    filled.setdefault("Restrictions", {"GeoRestriction": {"RestrictionType": "none", "Quantity": 0}})
    filled.setdefault("WebACLId", "")
    filled.setdefault("HttpVersion", "http2")
    filled.setdefault("Staging", False)
    return filled


def _viewer_certificate(given: dict[str, Any]) -> dict[str, Any]:
    """ACM: the ARN also as Certificate, CertificateSource acm; otherwise CloudFront's own *.cloudfront.net
    certificate (moto reports both at once: research §4)."""
    certificate = dict(given)
    if certificate.get("ACMCertificateArn"):
        certificate["CloudFrontDefaultCertificate"] = False
        certificate.setdefault("SSLSupportMethod", "sni-only")
        certificate.setdefault("MinimumProtocolVersion", "TLSv1.2_2021")
        certificate["Certificate"] = certificate["ACMCertificateArn"]
        certificate["CertificateSource"] = "acm"
    elif certificate.get("IAMCertificateId"):
        certificate["CloudFrontDefaultCertificate"] = False
        certificate["Certificate"] = certificate["IAMCertificateId"]
        certificate["CertificateSource"] = "iam"
    else:
        certificate = {"CloudFrontDefaultCertificate": True, "SSLSupportMethod": "vip",
                       "MinimumProtocolVersion": given.get("MinimumProtocolVersion") or "TLSv1",
                       "CertificateSource": "cloudfront"}
    return certificate


def distribution_view(dist: Distribution, now: float, in_progress_invalidations: int) -> dict[str, Any]:
    return {
        "Id": dist.id,
        "ARN": dist.arn,
        "Status": dist.status(now),
        "LastModifiedTime": dist.last_modified,
        "InProgressInvalidationBatches": in_progress_invalidations,
        "DomainName": dist.domain_name,
        "ActiveTrustedSigners": {"Enabled": False, "Quantity": 0},
        "ActiveTrustedKeyGroups": {"Enabled": False, "Quantity": 0},
        "DistributionConfig": dist.config,
    }


_SUMMARY_MEMBERS = ("Aliases", "Origins", "OriginGroups", "DefaultCacheBehavior", "CacheBehaviors",
                    "CustomErrorResponses", "Comment", "PriceClass", "Enabled", "ViewerCertificate", "Restrictions",
                    "WebACLId", "HttpVersion", "IsIPV6Enabled", "Staging")


def summary_view(dist: Distribution, now: float) -> dict[str, Any]:
    summary = {"Id": dist.id, "ARN": dist.arn, "ETag": dist.etag, "Status": dist.status(now),
               "LastModifiedTime": dist.last_modified, "DomainName": dist.domain_name}
    summary.update({k: dist.config[k] for k in _SUMMARY_MEMBERS if k in dist.config})
    return summary
