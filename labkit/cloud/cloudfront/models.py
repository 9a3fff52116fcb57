"""CloudFront as moto holds it. The data plane keeps each distribution's configuration, status and ETag itself;
moto keeps the record the rest of the cloud reads (id, ARN, the DomainName DNS aliases match, tags, the caller
reference).

    CloudFrontRecord                               a distribution as moto holds it, as plain frozen data
    cloudfront_name_locally()                      new distributions are named <id in lower case>.cloudfront.localhost
    cloudfront_domain_names()                      the DomainName of every distribution (lower case, no trailing dot)
    cloudfront_create(account, config, tags)       moto's CreateDistribution(WithTags); returns the CloudFrontRecord
    cloudfront_update(account, dist_id, config)    moto's UpdateDistribution, so moto's copy stays in step
    cloudfront_delete(account, dist_id)            moto's DeleteDistribution
    cloudfront_records()                           every distribution of every account
    cloudfront_config(account, dist_id)            moto's stored DistributionConfig in boto3's shape (for
                                                   distributions made before the data plane kept its own copy)
    cloudfront_origin_access_control(account, id)  an OAC's config (boto3's shape), or None
    cloudfront_delete_origin_access_control(account, id)

Errors come out as AwsError with moto's code and message (status from the botocore cloudfront model).
"""

from __future__ import annotations

import contextlib
import copy as _copy
import dataclasses
import functools
from typing import Any

from botocore import xform_name as _xform_name

from ..core.errors import AwsError
from ..moto import LOCK, changes
from ..moto.importhook import if_imported, when_imported
from ..moto.protocols import service_model


def cloudfront_domain_names() -> set[str]:
    """The DomainName of every CloudFront distribution of every account, lower case, without a trailing dot."""
    models = if_imported("moto.cloudfront.models")
    if models is None:
        return set()
    names: set[str] = set()
    with LOCK:
        for _, per_account in list(models.cloudfront_backends.items()):
            for _, backend in list(per_account.items()):
                for distribution in list(backend.distributions.values()):
                    names.add(str(distribution.domain_name).rstrip(".").lower())
    return names

CLOUDFRONT_LOCAL_SUFFIX = ".cloudfront.localhost"
# What S3 serves back of what was stored with an object (the rest of moto's metadata is request bookkeeping).


@dataclasses.dataclass(frozen=True)
class CloudFrontRecord:
    account: str
    id: str
    arn: str
    domain_name: str
    caller_reference: str


@contextlib.contextmanager
def _cloudfront_errors() -> Any:
    from moto.core.exceptions import ServiceException

    try:
        yield
    except ServiceException as exc:
        statuses = {s.name: s.metadata["error"].get("httpStatusCode", 400)
                    for s in service_model("cloudfront").error_shapes if "error" in s.metadata}
        raise AwsError(exc.code, exc.message, statuses.get(exc.code, 400)) from None


def _cloudfront_backend(account: str) -> Any:
    from moto.cloudfront.models import cloudfront_backends

    return cloudfront_backends[account]["aws"]


def _cloudfront_record(account: str, dist: Any) -> CloudFrontRecord:
    return CloudFrontRecord(account=account, id=dist.distribution_id, arn=dist.arn,
                            domain_name=str(dist.domain_name),
                            caller_reference=str(dist.distribution_config.caller_reference))


def cloudfront_name_locally() -> None:
    """Name every new distribution ``<id in lower case>.cloudfront.localhost`` (moto: a random .cloudfront.net name),
    so the API's DomainName, the DNS alias check and the edge agree. Idempotent."""
    when_imported("moto.cloudfront.models", _patch_cloudfront)


def _patch_cloudfront(models: Any) -> None:
    if getattr(models.Distribution.__init__, "__kit_cloudfront__", False):
        return
    original = models.Distribution.__init__

    @functools.wraps(original)
    def __init__(self: Any, *args: Any, **kwargs: Any) -> None:
        original(self, *args, **kwargs)
        self.domain_name = f"{self.distribution_id.lower()}{CLOUDFRONT_LOCAL_SUFFIX}"

    __init__.__kit_cloudfront__ = True  # type: ignore[attr-defined]
    models.Distribution.__init__ = __init__


def cloudfront_create(account: str, config: dict[str, Any], tags: list[dict[str, str]]) -> CloudFrontRecord:
    with LOCK, _cloudfront_errors():
        dist, _, _ = _cloudfront_backend(account).create_distribution(_copy.deepcopy(config), list(tags))
        changes.count_change("cloudfront")  # a new DomainName for DNS aliases (route53 DNS_SOURCES)
        return _cloudfront_record(account, dist)


def cloudfront_update(account: str, dist_id: str, config: dict[str, Any]) -> CloudFrontRecord:
    with LOCK, _cloudfront_errors():
        dist, _, _ = _cloudfront_backend(account).update_distribution(_copy.deepcopy(config), dist_id, True)
        return _cloudfront_record(account, dist)


def cloudfront_delete(account: str, dist_id: str) -> None:
    with LOCK, _cloudfront_errors():
        _cloudfront_backend(account).delete_distribution(dist_id, True)
        changes.count_change("cloudfront")


def cloudfront_records() -> list[CloudFrontRecord]:
    models = if_imported("moto.cloudfront.models")
    if models is None:
        return []
    with LOCK:
        return [_cloudfront_record(account, dist)
                for account, per_account in list(models.cloudfront_backends.items())
                for backend in list(dict.values(per_account))
                for dist in list(backend.distributions.values())]


def _cloudfront_plain(value: Any, shape: Any) -> Any:
    """A moto object (or dict of them) as plain data in the shape's layout: a member is found as a dict key, an
    attribute of that name, or its snake_case form (moto's own serializer looks the same places)."""
    if value is None:
        return None
    kind = shape.type_name
    if kind == "structure":
        plain = {}
        for name, member in shape.members.items():
            if isinstance(value, dict):
                item = value.get(name)
            else:
                item = getattr(value, name, None)
                item = getattr(value, _xform_name(name), None) if item is None else item
            item = _cloudfront_plain(item, member)
            if item is not None:
                plain[name] = item
        return plain
    if kind == "list":
        return [_cloudfront_plain(item, shape.member) for item in value] if isinstance(value, list) else None
    if kind == "map":
        return dict(value) if isinstance(value, dict) else None
    return value if isinstance(value, (str, int, float, bool)) else None


def cloudfront_config(account: str, dist_id: str) -> dict[str, Any]:
    with LOCK, _cloudfront_errors():
        config, _ = _cloudfront_backend(account).get_distribution_config(dist_id)
        return _cloudfront_plain(config, service_model("cloudfront").shape_for("DistributionConfig"))


def cloudfront_origin_access_control(account: str, oac_id: str) -> dict[str, Any] | None:
    with LOCK:
        control = _cloudfront_backend(account).origin_access_controls.get(oac_id)
        if control is None:
            return None
        return {"Id": control.id, "Name": control.name, "SigningProtocol": control.signing_protocol,
                "SigningBehavior": control.signing_behavior, "OriginAccessControlOriginType": control.origin_type}


def cloudfront_delete_origin_access_control(account: str, oac_id: str) -> None:
    with LOCK:
        if _cloudfront_backend(account).origin_access_controls.pop(oac_id, None) is None:
            raise AwsError("NoSuchOriginAccessControl", "The specified origin access control does not exist.", 404)
