"""The one module that touches moto's internals. moto calls them internal and liable to change between versions,
so the version is pinned (requirements.txt) and checked here: a new moto breaks this file, not the whole kit.

    PINNED_MOTO / check_version()     the pin, verified at import
    LOCK                              serialises every use of moto's models (requests, snapshots, reads)
    wsgi_app()                        moto's server application, served by the gateway
    keep_underscored_headers()        what moto_server's request handler adds to each environ
    export_state() / import_state()   moto's backends and random generator, for snapshots (see snapshot.py)
    StatePickler                      pickle with converters for what moto's models hold but pickle refuses
    service_model()                   a service's botocore model, as moto's serializer wants it
    parse_request() / serialize_*()   moto's botocore-model request parser and response serializer, for providers
    reset()                           forget every resource (tests)
"""

from __future__ import annotations

import base64 as _base64
import contextlib
import copy as _copy
import dataclasses
import functools
import importlib
import io
import json as _json
import pickle
import sys as _sys
import threading
import warnings
import weakref
from collections import Counter as _Counter
from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlparse as _urlparse

import moto
from botocore import xform_name as _xform_name
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

from .errors import AwsError
from .importhook import when_imported

PINNED_MOTO = "5.2.5"


def check_version() -> None:
    if moto.__version__ != PINNED_MOTO:
        raise RuntimeError(
            f"moto {moto.__version__} is installed but the local cloud is built on moto {PINNED_MOTO}: "
            "run `make setup` (it reinstalls requirements.txt)"
        )


check_version()

from moto.core.base_backend import BackendDict  # noqa: E402
from moto.core.parse import PROTOCOL_PARSERS  # noqa: E402
from moto.core.serialize import get_serializer_class  # noqa: E402
from moto.core.utils import get_service_model  # noqa: E402
from moto.moto_api._internal import mock_random  # noqa: E402
from moto.core import responses as _moto_responses  # noqa: E402
from moto.core.request import (  # noqa: E402
    PRESERVED_HEADER_NAMES_ENVIRON_KEY,
    environ_key_for_header,
    should_preserve_original_header_name,
)
from moto.moto_server.werkzeug_app import (  # noqa: E402
    DomainDispatcherApplication,
    create_backend_app,
)

LOCK = threading.RLock()

# AWS managed policies (AmazonDynamoDBFullAccess…) exist in every account: learners attach them, and the Lambda
# validator must be able to say why they should not. moto loads them only when asked.
from moto.core.config import default_user_config  # noqa: E402
from moto import settings as _moto_settings  # noqa: E402

default_user_config.setdefault("iam", {})["load_aws_managed_policies"] = True


class _Dispatcher(DomainDispatcherApplication):
    """moto's dispatcher with its host → backend lookup remembered. moto answers it by listing its package
    directory and matching ~170 URL patterns on every request (about 1 ms, two thirds of a small call's time);
    the answer depends on the host name alone, and the hosts it sees are a few per service and region."""

    @functools.lru_cache(maxsize=512)  # noqa: B019 (one dispatcher lives as long as the process)
    def get_backend_for_host(self, host: str | None) -> Any:
        return super().get_backend_for_host(host)


# moto lists a response class's methods with inspect.getmembers on every request (setup_class); a class's methods
# do not change while the process runs.
_moto_responses.method_names_from_class = functools.lru_cache(maxsize=None)(_moto_responses.method_names_from_class)


def keep_underscored_headers(environ: dict[str, Any], headers: list[tuple[bytes, bytes]]) -> None:
    """What moto_server's request handler adds to an environ: S3 metadata headers whose names hold "_" (dropped by
    WSGI servers, since X_Foo would pose as X-Foo), under their original spelling, unless a dashed one exists."""
    dashed = {environ_key_for_header(n.decode("latin-1")) for n, _ in headers if b"_" not in n}
    names: dict[str, str] = {}
    values: dict[str, list[str]] = {}
    for raw_name, raw_value in headers:
        name = raw_name.decode("latin-1")
        if not should_preserve_original_header_name(name):
            continue
        key = environ_key_for_header(name)
        if key in dashed:
            continue
        names.setdefault(key, name)
        values.setdefault(key, []).append(raw_value.decode("latin-1").replace("\r\n", ""))
    for key, key_values in values.items():
        environ[key] = ",".join(key_values)
    environ[PRESERVED_HEADER_NAMES_ENVIRON_KEY] = names


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


def wsgi_app() -> DomainDispatcherApplication:
    """moto's server application: routes a request to the service its signature (or path) names."""
    return _Dispatcher(create_backend_app)


def reset() -> None:
    with LOCK:
        BackendDict.reset()


# ---------------------------------------------------------------------------------------------------------------
# State: every backend in use, keyed by where its BackendDict lives, so it can be put back in place.

def _locate(backend_dict: BackendDict) -> tuple[str, str]:
    module = importlib.import_module(backend_dict.backend.__module__)
    for name, value in vars(module).items():
        if value is backend_dict:
            return module.__name__, name
    raise LookupError(f"cannot find {backend_dict.service_name} backends in {module.__name__}")


def export_state() -> dict[str, Any]:
    """moto's state as plain containers of moto objects; call with LOCK held."""
    backends: dict[tuple[str, str], dict[str, dict[str, Any]]] = {}
    for backend_dict in list(BackendDict._instances):
        regions = {
            account: dict(per_account.items()) for account, per_account in backend_dict.items() if len(per_account)
        }
        if regions:
            backends[_locate(backend_dict)] = regions
    return {"backends": backends, "random": mock_random.getstate()}


def import_state(state: dict[str, Any]) -> dict[str, int]:
    """Put exported backends back in place (in place: moto's modules keep their references); returns counts."""
    counts: dict[str, int] = {}
    with LOCK:
        for (module_name, attr), accounts in state["backends"].items():
            backend_dict = getattr(importlib.import_module(module_name), attr)
            for account, regions in accounts.items():
                per_account = backend_dict[account]
                for region, backend in regions.items():
                    dict.__setitem__(per_account, region, backend)
            counts[backend_dict.service_name] = sum(len(r) for r in accounts.values())
        # Continue the random sequence where it stopped, so new ids never repeat restored ones.
        mock_random.setstate(state["random"])
    return counts


def _load_private_key(pem: bytes) -> Any:
    return serialization.load_pem_private_key(pem, password=None)


def _load_certificate(pem: bytes) -> x509.Certificate:
    return x509.load_pem_x509_certificate(pem)


def _load_public_key(pem: bytes) -> Any:
    return serialization.load_pem_public_key(pem)


def _default_factory_type(factory: Any) -> Any:
    """defaultdict(lambda: {}) cannot be pickled: find the plain type the lambda builds."""
    sample = factory()
    for kind in (dict, list, set, int, str):
        if type(sample) is kind and sample == kind():
            return kind
    raise pickle.PicklingError(f"defaultdict factory {factory!r} builds {type(sample).__name__}")


_LOCK_TYPES = (type(threading.Lock()), type(threading.RLock()))
_PRIVATE_KEYS = (rsa.RSAPrivateKey, ec.EllipticCurvePrivateKey, ed25519.Ed25519PrivateKey)
_PUBLIC_KEYS = (rsa.RSAPublicKey, ec.EllipticCurvePublicKey, ed25519.Ed25519PublicKey)


class StatePickler(pickle.Pickler):
    """pickle, plus converters for the objects moto's models hold that pickle refuses:
    keys and certificates (as PEM), locks and conditions (made new), weak dictionaries (kept weak),
    defaultdicts of lambdas (their plain type)."""

    def reducer_override(self, obj: Any) -> Any:  # noqa: C901 - one branch per converter
        if isinstance(obj, _LOCK_TYPES):
            return (threading.RLock if "RLock" in type(obj).__name__ else threading.Lock), ()
        if isinstance(obj, threading.Condition):
            return threading.Condition, ()
        if isinstance(obj, weakref.WeakValueDictionary):
            return weakref.WeakValueDictionary, (dict(obj.items()),)
        if type(obj) is defaultdict and getattr(obj.default_factory, "__name__", "") == "<lambda>":
            return defaultdict, (_default_factory_type(obj.default_factory),), None, None, iter(obj.items())
        if isinstance(obj, _PRIVATE_KEYS):
            pem = obj.private_bytes(
                serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
            )
            return _load_private_key, (pem,)
        if isinstance(obj, _PUBLIC_KEYS):
            pem = obj.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo)
            return _load_public_key, (pem,)
        if isinstance(obj, x509.Certificate):
            return _load_certificate, (obj.public_bytes(serialization.Encoding.PEM),)
        if _is_aws_managed_policy(obj) and len(obj.versions) == 1:
            # ~1,600 per account, each with its document: 4 MB of every snapshot. Kept: what can change (ids,
            # attachment counts); the document comes back from moto's copy of AWS's data.
            return _aws_managed_policy, (obj.name, {k: v for k, v in vars(obj).items() if k != "versions"})
        return NotImplemented


def _is_aws_managed_policy(obj: Any) -> bool:
    cls = type(obj)
    return cls.__name__ == "AWSManagedPolicy" and cls.__module__ == "moto.iam.models"


@functools.cache
def _aws_managed_policies_data() -> dict[str, Any]:
    from moto.iam.aws_managed_policies import aws_managed_policies_data

    return _json.loads(aws_managed_policies_data)


def _aws_managed_policy(name: str, state: dict[str, Any]) -> Any:
    """An AWS managed policy from a snapshot: its saved fields, its document from AWS's data (as moto builds it)."""
    from moto.iam.models import AWSManagedPolicy

    # from_data draws a random policy id, which state then replaces: the snapshot's random state is put back after
    # the whole snapshot has loaded, so the sequence of ids is unchanged.
    policy = AWSManagedPolicy.from_data(name, state["account_id"], state["partition"], _aws_managed_policies_data()[name])
    versions = policy.versions
    vars(policy).clear()
    vars(policy).update(state, versions=versions)
    return policy


def dumps(value: Any) -> bytes:
    buffer = io.BytesIO()
    StatePickler(buffer, protocol=pickle.HIGHEST_PROTOCOL).dump(value)
    return buffer.getvalue()


# ---------------------------------------------------------------------------------------------------------------
# Protocols: providers answer AWS operations with dicts; moto's model-driven parser and serializer do the wire.


def service_model(name: str) -> Any:
    """The botocore model of a service (operations, shapes, protocol), in the shape classes moto's serializer needs."""
    return get_service_model(name)


def parse_request(operation_model: Any, request: Any, uri_params: dict[str, str]) -> dict[str, Any]:
    """The operation's input as a dict, parsed from a werkzeug request by the service's protocol."""
    parser = PROTOCOL_PARSERS[operation_model.service_model.protocol](operation_model)
    return parser.parse(
        {
            "method": request.method,
            "values": request.values,
            "headers": request.headers,
            "body": request.get_data(),
            "url_path": request.path,
            "url_params": uri_params,
        }
    )


def serialize_result(operation_model: Any, result: dict[str, Any]) -> dict[str, Any]:
    """``{"body", "headers", "status_code"}`` of a successful response, in the service's protocol."""
    serializer_cls = get_serializer_class(operation_model.service_model.service_name, operation_model.service_model.protocol)
    return serializer_cls(operation_model).serialize(result)


def serialize_error(operation_model: Any, error: Exception) -> dict[str, Any]:
    """The same for an error with ``code`` and ``message`` attributes (labkit.cloud.errors.AwsError)."""
    serializer_cls = get_serializer_class(operation_model.service_model.service_name, operation_model.service_model.protocol)
    with warnings.catch_warnings():  # codes outside the model (InternalFailure…) are fine: AWS sends them too
        warnings.simplefilter("ignore", UserWarning)
        return serializer_cls(operation_model).serialize(error)


# ---------------------------------------------------------------------------------------------------------------
# --- dns ---
# The DNS data plane (dns.py) reads Route 53 zones and CloudFront domain names, and makes new zones name it.
#
#     route53_zones()              every public hosted zone with its record sets, as plain frozen data
#     cloudfront_domain_names()    the DomainName of every distribution (lower case, no trailing dot)
#     name_route53_zones(servers)  new zones list these name servers (DelegationSet, NS) and a proper SOA


# moto stores a new zone's SOA as [{"Value": "<soa>"}] and serves str() of that dict (research/moto-5.2.5.md §3).
_SOA_TIMES = "1 7200 900 1209600 86400"  # serial refresh retry expire minimum: Route 53's own values


@dataclasses.dataclass(frozen=True)
class RecordSetData:
    name: str
    type: str
    ttl: int | None
    values: tuple[str, ...]
    alias_zone_id: str | None = None  # AliasTarget.HostedZoneId, without any /hostedzone/ prefix
    alias_dns_name: str | None = None
    set_identifier: str | None = None
    weight: int | None = None
    failover: str | None = None
    region: str | None = None
    multivalue: bool = False


@dataclasses.dataclass(frozen=True)
class ZoneData:
    id: str  # without the /hostedzone/ prefix
    name: str
    record_sets: tuple[RecordSetData, ...]


def _record_value(value: Any) -> str:
    if isinstance(value, dict):  # moto's own SOA, and anything stored as {"Value": …}
        return str(value.get("Value", ""))
    return str(value)


def _record_set_data(rrset: Any) -> RecordSetData:
    alias = rrset.alias_target or {}
    ttl = rrset.ttl
    try:
        ttl = int(ttl) if ttl is not None else None  # moto keeps the NS TTL as the string "172800"
    except (TypeError, ValueError):
        ttl = None
    weight = rrset.weight
    try:
        weight = int(weight) if weight is not None else None
    except (TypeError, ValueError):
        weight = None
    return RecordSetData(
        name=str(rrset.name),
        type=str(rrset.type or ""),
        ttl=ttl,
        values=tuple(_record_value(v) for v in (rrset.records or [])),
        alias_zone_id=str(alias["HostedZoneId"]).rsplit("/", 1)[-1] if alias.get("HostedZoneId") else None,
        alias_dns_name=str(alias["DNSName"]) if alias.get("DNSName") else None,
        set_identifier=rrset.set_identifier,
        weight=weight,
        failover=rrset.failover,
        region=rrset.region,
        multivalue=str(rrset.multi_value_answer).lower() == "true",
    )


def _if_imported(name: str) -> Any | None:
    """moto's module ``name`` if it was imported already, else None. moto keeps a service's resources in its models
    module, so a service never imported has none: the readers the cloud runs at start need not import it (~5 ms)."""
    return importlib.import_module(name) if name in _sys.modules else None  # waits for an import in progress


def route53_zones() -> list[ZoneData]:
    """Every public hosted zone of every account, oldest first, with copies of its record sets."""
    models = _if_imported("moto.route53.models")
    if models is None:
        return []
    zones: list[ZoneData] = []
    with LOCK:
        for _, per_account in list(models.route53_backends.items()):
            for _, backend in list(per_account.items()):
                for zone in list(backend.zones.values()):
                    if zone.private_zone:
                        continue
                    records = tuple(_record_set_data(rrset) for rrset in zone.rrsets)
                    zones.append(ZoneData(id=str(zone.resource_id), name=str(zone.name), record_sets=records))
    return zones


def cloudfront_domain_names() -> set[str]:
    """The DomainName of every CloudFront distribution of every account, lower case, without a trailing dot."""
    models = _if_imported("moto.cloudfront.models")
    if models is None:
        return set()
    names: set[str] = set()
    with LOCK:
        for _, per_account in list(models.cloudfront_backends.items()):
            for _, backend in list(per_account.items()):
                for distribution in list(backend.distributions.values()):
                    names.add(str(distribution.domain_name).rstrip(".").lower())
    return names


def _name_zone(zone: Any, name_servers: tuple[str, ...]) -> None:
    apex = str(zone.name).rstrip(".").lower()
    if zone.delegation_set is not None:
        zone.delegation_set.name_servers = list(name_servers)
    for rrset in zone.rrsets:
        if str(rrset.name).rstrip(".").lower() != apex:
            continue
        if rrset.type == "NS":
            rrset.records = [f"{server}." for server in name_servers]  # record values are FQDNs, as AWS lists them
        elif rrset.type == "SOA":
            rrset.records = [f"{name_servers[0]}. hostmaster.{apex}. {_SOA_TIMES}"]


def name_route53_zones(name_servers: list[str]) -> None:
    """From now on, every new hosted zone names these servers: DelegationSet.NameServers, the NS record set, and
    an SOA whose primary is the first of them (moto's fixed awsdns names and dict-shaped SOA replaced). Idempotent:
    calling again replaces the names."""
    global _route53_name_servers
    _route53_name_servers = tuple(name_servers)
    when_imported("moto.route53.models", _patch_route53)


_route53_name_servers: tuple[str, ...] = ()


def _patch_route53(models: Any) -> None:
    original = models.Route53Backend.create_hosted_zone
    if getattr(original, "__kit_route53__", False):
        return

    @functools.wraps(original)
    def create_hosted_zone(self: Any, *args: Any, **kwargs: Any) -> Any:
        zone = original(self, *args, **kwargs)
        _name_zone(zone, _route53_name_servers)
        return zone

    create_hosted_zone.__kit_route53__ = True  # type: ignore[attr-defined]
    models.Route53Backend.create_hosted_zone = create_hosted_zone


# ---------------------------------------------------------------------------------------------------------------
# --- lambda runtime ---
# The Lambda runtime (runtime/) reads a function version to run it, and writes its CloudWatch Logs.
#
#     lambda_version(account, region, function, qualifier)   a function version, code bytes included, frozen
#     LambdaLookupError                                      moto refused the lookup (code, message, status)
#     put_log_lines(account, region, group, stream, lines)   append log events, creating group and stream


@dataclasses.dataclass(frozen=True)
class LambdaVersion:
    account: str
    region: str
    name: str
    arn: str  # unqualified function ARN
    version: str  # "$LATEST" or a published version number
    runtime: str | None
    handler: str | None
    timeout: int
    memory_size: int
    environment: tuple[tuple[str, str], ...]
    code_sha256: str  # base64, as the API shows CodeSha256
    code: bytes = dataclasses.field(repr=False)  # the deployment package, shared with moto (bytes never change)
    package_type: str = "Zip"
    reserved_concurrency: int | None = None  # put_function_concurrency; None when unset


class LambdaLookupError(Exception):
    def __init__(self, code: str, message: str, status: int) -> None:
        super().__init__(message)
        self.code, self.message, self.status = code, message, status


def lambda_version(account: str, region: str, function: str, qualifier: str | None = None) -> LambdaVersion:
    """The function version a name, ARN, ``name:qualifier`` or qualifier names ($LATEST, a version, an alias);
    raises LambdaLookupError as moto's Lambda API would (ResourceNotFoundException, 404…)."""
    from moto.awslambda.models import lambda_backends
    from moto.core.exceptions import JsonRESTError

    with LOCK:
        backend = lambda_backends[account][region]
        try:
            fn = backend.get_function(function, qualifier)
            latest = backend.get_function(fn.function_name)  # reserved concurrency is kept on $LATEST only
        except JsonRESTError as exc:
            raise LambdaLookupError(exc.error_type, exc.message, exc.code) from None
        reserved = getattr(latest, "reserved_concurrency", None)
        return LambdaVersion(
            account=account,
            region=region,
            name=fn.function_name,
            arn=fn.function_arn.split(f":function:{fn.function_name}")[0] + f":function:{fn.function_name}",
            version=str(fn.version),
            runtime=fn.run_time,
            handler=fn.handler,
            timeout=int(fn.timeout),
            memory_size=int(fn.memory_size),
            environment=tuple(sorted((str(k), str(v)) for k, v in (fn.environment_vars or {}).items())),
            code_sha256=fn.code_sha_256,
            code=getattr(fn, "code_bytes", b"") or b"",
            package_type=fn.package_type,
            reserved_concurrency=None if reserved is None else int(reserved),
        )


def put_log_lines(account: str, region: str, group: str, stream: str, lines: list[tuple[int, str]]) -> None:
    """Append (timestamp ms, message) events to a CloudWatch Logs stream, creating the group and stream first,
    as Lambda does on a function's first invocation."""
    from moto.logs.models import logs_backends

    with LOCK:
        backend = logs_backends[account][region]
        backend.ensure_log_group(group)
        backend.ensure_log_stream(group, stream)
        backend.put_log_events(group, stream, [{"timestamp": ts, "message": text} for ts, text in lines])


# --- s3 access ---------------------------------------------------------------------------------------------------


@dataclass
class BucketAccess:
    """What decides anonymous and service access to a bucket: its policy, Block Public Access and public ACLs."""

    owner_account: str
    policy: str | None
    block_public: dict[str, bool]  # blockPublicAcls, ignorePublicAcls, blockPublicPolicy, restrictPublicBuckets
    bucket_acl_public_read: bool
    object_acl_public_read: bool


def s3_bucket_access(bucket: str, key: str | None = None) -> BucketAccess | None:
    """Access facts of a bucket (and object), or None if the bucket does not exist."""
    from moto.s3.models import s3_backends

    with LOCK:
        for account, per_account in s3_backends.items():
            backend = per_account.get("aws")
            found = backend.buckets.get(bucket) if backend else None
            if found is None:
                continue
            pab = found.public_access_block.to_config_dict() if found.public_access_block else {}
            obj = found.keys.get(key) if key else None
            return BucketAccess(
                owner_account=account,
                policy=found.policy.decode() if found.policy else None,
                block_public={k: bool(v) for k, v in pab.items()},
                bucket_acl_public_read=bool(found.acl and found.acl.public_read),
                object_acl_public_read=bool(obj is not None and obj.acl and obj.acl.public_read),
            )
    return None


# ---------------------------------------------------------------------------------------------------------------
# --- certificates ---
# The ACM provider (providers/acm.py) keeps moto's certificate records (ARN, tags, options, idempotency tokens)
# and overrides what moto gets wrong: status, validation, and the PEMs once the local CA has issued.
#
#     acm_request(account, region, …)         RequestCertificate through moto's backend; returns the ARN
#     acm_record(account, region, arn)        a certificate as plain data (AcmRecord)
#     acm_arns(account, region)               the ARNs of a region's certificates
#     acm_issue(account, region, arn, …)      put the local CA's leaf, key and chain in place, status ISSUED
#     acm_set_status(account, region, arn, s) any other status (VALIDATION_TIMED_OUT)
# Errors come out as AwsError (ResourceNotFoundException, ValidationException…) with moto's message.


# moto flips a pending certificate to ISSUED once MOTO_ACM_VALIDATION_WAIT seconds have passed, without looking at
# DNS (research/moto-5.2.5.md §2). moto.settings reads that variable at import (already done above), but
# CertBundle.check() reads the module attribute on every call: a wait of ~3000 years turns the timer off.
_moto_settings.ACM_VALIDATION_WAIT = 10**11


@dataclasses.dataclass(frozen=True)
class AcmRecord:
    arn: str
    type: str  # AMAZON_ISSUED, IMPORTED, PRIVATE
    status: str
    domain_name: str
    sans: tuple[str, ...]
    created_at: float  # epoch seconds
    options: dict[str, Any]
    in_use_by: tuple[str, ...]
    description: dict[str, Any]  # moto's DescribeCertificate "Certificate" member, to correct
    cert_pem: bytes
    chain_pem: bytes
    key_pem: bytes = dataclasses.field(repr=False)


@contextlib.contextmanager
def _acm_errors() -> Any:
    from moto.core.exceptions import JsonRESTError

    try:
        yield
    except JsonRESTError as exc:
        raise AwsError(exc.error_type, exc.message, exc.code) from None


def _acm_backend(account: str, region: str) -> Any:
    from moto.acm.models import acm_backends

    return acm_backends[account][region]


def acm_request(
    account: str, region: str, *, domain_name: str, sans: list[str] | None, idempotency_token: str | None,
    tags: list[dict[str, str]] | None, authority_arn: str | None, options: dict[str, Any] | None,
) -> str:
    with LOCK, _acm_errors():
        return _acm_backend(account, region).request_certificate(
            domain_name, idempotency_token, sans, tags, authority_arn, options)


def acm_arns(account: str, region: str) -> list[str]:
    with LOCK:
        return list(_acm_backend(account, region)._certificates)


def acm_record(account: str, region: str, arn: str) -> AcmRecord:
    from moto.acm.models import datetime_to_epoch

    with LOCK, _acm_errors():
        bundle = _acm_backend(account, region).get_certificate(arn)
        return AcmRecord(
            arn=bundle.arn, type=bundle.type, status=bundle.status, domain_name=str(bundle.common_name),
            sans=tuple(bundle.sans), created_at=datetime_to_epoch(bundle.created_at),
            options=dict(bundle.cert_options), in_use_by=tuple(bundle.in_use_by),
            description=bundle.describe()["Certificate"], cert_pem=bundle.cert, chain_pem=bundle.chain,
            key_pem=bundle.key,
        )


def acm_issue(account: str, region: str, arn: str, cert_pem: bytes, key_pem: bytes, chain_pem: bytes) -> None:
    """Replace moto's self-signed stand-in with a leaf of the local CA; moto's own Describe/Export then show it."""
    with LOCK, _acm_errors():
        bundle = _acm_backend(account, region).get_certificate(arn)
        bundle.cert, bundle.key, bundle.chain = cert_pem, key_pem, chain_pem
        bundle._cert = x509.load_pem_x509_certificate(cert_pem)
        bundle._key = serialization.load_pem_private_key(key_pem, password=None)
        issuer = bundle._cert.issuer.get_attributes_for_oid(x509.NameOID.COMMON_NAME)
        bundle.issuer_common_name = str(issuer[0].value) if issuer else ""
        bundle.status = "ISSUED"


def acm_set_status(account: str, region: str, arn: str, status: str) -> None:
    with LOCK, _acm_errors():
        _acm_backend(account, region).get_certificate(arn).status = status


# ---------------------------------------------------------------------------------------------------------------
# --- sns delivery ---
# moto delivers SNS messages inline in Subscription.publish: a requests.post with no timeout for http/https, nothing
# for e-mail, its own Lambda call. The kit's delivery worker (notify.py) takes those protocols over; moto keeps the
# subscription's filter policy (its FilterPolicyMatcher), MessageStructure, and SQS delivery (raw and envelope).
#
#     SnsSubscription, SnsMessage          plain copies of what a delivery needs (no moto objects leave the bridge)
#     sns_set_sink(sink)                   publishes to SNS_KIT_PROTOCOLS go to sink(SnsMessage); None: moto's own
#     sns_subscribe(account, region, …)    Subscribe through moto's backend, the new subscription pending if asked
#     sns_subscription(arn)                a subscription, or None
#     sns_find(topic_arn, protocol, endpoint)  the subscription of that endpoint, or None
#     sns_topic_exists(topic_arn)          whether the topic exists
#     sns_confirm(arn, authenticated)      PendingConfirmation false
#     sns_unsubscribe(arn)                 remove; returns what was removed, or None
#     sns_list(account, region, topic_arn, next_token)  a page of subscriptions (moto's paging)
# Errors come out as AwsError (NotFound, InvalidParameter…) with moto's message.


SNS_KIT_PROTOCOLS = frozenset({"http", "https", "email", "email-json", "lambda"})


@dataclasses.dataclass(frozen=True)
class SnsSubscription:
    arn: str
    topic_arn: str
    protocol: str
    endpoint: str
    owner: str
    pending: bool
    raw: bool  # RawMessageDelivery
    display_name: str  # the topic's DisplayName (e-mail sender name)
    signature_version: str  # the topic's SignatureVersion: "1" (SHA1withRSA, AWS's default) or "2" (SHA256withRSA)


@dataclasses.dataclass(frozen=True)
class SnsMessage:
    subscription: SnsSubscription
    message_id: str
    message: str  # after MessageStructure=json picked this protocol's entry
    subject: str | None
    attributes: dict[str, Any]  # {"name": {"Type": "String", "Value": "…"}}, as SNS forwards them
    timestamp: str  # ISO 8601 with milliseconds, the publish time


_sns_sink: Callable[[SnsMessage], None] | None = None


@contextlib.contextmanager
def _sns_errors() -> Any:
    from moto.core.exceptions import ServiceException

    try:
        yield
    except ServiceException as exc:
        statuses = {s.metadata["error"]["code"]: s.metadata["error"].get("httpStatusCode", 400)
                    for s in service_model("sns").error_shapes if "error" in s.metadata}
        raise AwsError(exc.code, exc.message, statuses.get(exc.code, 400)) from None


def _sns_data(sub: Any) -> SnsSubscription:
    return SnsSubscription(
        arn=sub.arn, topic_arn=sub.topic.arn, protocol=sub.protocol, endpoint=sub.endpoint,
        owner=str(sub.attributes.get("Owner", sub.owner)),
        pending=bool(sub.attributes.get("PendingConfirmation")),
        raw=str(sub.attributes.get("RawMessageDelivery", "")).lower() == "true",
        display_name=str(getattr(sub.topic, "display_name", "") or ""),
        signature_version=str(getattr(sub.topic, "signature_version", "1") or "1"),
    )


def _sns_backend_of(arn: str) -> Any:
    from moto.sns.models import sns_backends

    parts = arn.split(":")
    if len(parts) < 6 or parts[2] != "sns":
        return None
    try:
        return sns_backends[parts[4]][parts[3]]
    except KeyError:  # a region moto does not know
        return None


def _sns_publish(original: Callable) -> Callable:
    @functools.wraps(original)
    def publish(self: Any, message: str, message_id: str, subject: str | None = None,
                message_attributes: dict[str, Any] | None = None, group_id: str | None = None,
                deduplication_id: str | None = None, message_structure: str | None = None) -> None:
        sink = _sns_sink
        if sink is None or self.protocol not in SNS_KIT_PROTOCOLS:
            return original(self, message, message_id, subject=subject, message_attributes=message_attributes,
                            group_id=group_id, deduplication_id=deduplication_id,
                            message_structure=message_structure)
        # The same two steps moto's publish takes first, for every protocol.
        if self._filter_policy_matcher is not None and not self._filter_policy_matcher.matches(
                message_attributes, message):
            return None
        if message_structure == "json":
            message = self._parse_message_structure(message, self.protocol)
        from moto.core.utils import iso_8601_datetime_with_milliseconds

        sink(SnsMessage(_sns_data(self), message_id, message, subject, dict(message_attributes or {}),
                        iso_8601_datetime_with_milliseconds()))
        return None

    publish.__kit_sns__ = True  # type: ignore[attr-defined]
    return publish


def _patch_sns(models: Any) -> None:
    if not getattr(models.Subscription.publish, "__kit_sns__", False):
        models.Subscription.publish = _sns_publish(models.Subscription.publish)


def sns_set_sink(sink: Callable[[SnsMessage], None] | None) -> None:
    """Send publishes to SNS_KIT_PROTOCOLS subscriptions to ``sink`` (called with LOCK held: it must only queue);
    None gives them back to moto. Idempotent."""
    global _sns_sink
    with LOCK:
        _sns_sink = sink
    when_imported("moto.sns.models", _patch_sns)


def sns_subscribe(account: str, region: str, topic_arn: str, protocol: str, endpoint: str,
                  attributes: dict[str, str], *, pending: bool) -> tuple[SnsSubscription, bool]:
    """Subscribe as moto's API does (an existing subscription of the endpoint is returned; FilterPolicyScope is set
    before FilterPolicy); a new subscription starts PendingConfirmation if ``pending``. Returns (it, created)."""
    from moto.core.utils import ensure_boolean
    from moto.sns.models import sns_backends

    with LOCK, _sns_errors():
        backend = sns_backends[account][region]
        created = backend._find_subscription(topic_arn, endpoint, protocol) is None
        sub = backend.subscribe(topic_arn, endpoint, protocol)
        if created and pending:
            sub.attributes["PendingConfirmation"] = True
            sub.attributes["ConfirmationWasAuthenticated"] = False
        attributes = dict(attributes)
        if "FilterPolicyScope" in attributes:
            backend.set_subscription_attributes(sub.arn, "FilterPolicyScope", attributes.pop("FilterPolicyScope"))
        for name, value in attributes.items():
            if name == "RawMessageDelivery":
                value = ensure_boolean(value)
            backend.set_subscription_attributes(sub.arn, name, value)
        return _sns_data(sub), created


def sns_subscription(arn: str) -> SnsSubscription | None:
    with LOCK:
        backend = _sns_backend_of(arn)
        sub = backend.subscriptions.get(arn) if backend is not None else None
        return _sns_data(sub) if sub is not None else None


def sns_find(topic_arn: str, protocol: str, endpoint: str) -> SnsSubscription | None:
    with LOCK:
        backend = _sns_backend_of(topic_arn)
        sub = backend._find_subscription(topic_arn, endpoint, protocol) if backend is not None else None
        return _sns_data(sub) if sub is not None else None


def sns_topic_exists(topic_arn: str) -> bool:
    with LOCK:
        backend = _sns_backend_of(topic_arn)
        return backend is not None and topic_arn in backend.topics


def sns_confirm(arn: str, *, authenticated: bool) -> SnsSubscription | None:
    """Confirm a subscription (a no-op when it is confirmed already); None if it does not exist."""
    with LOCK:
        backend = _sns_backend_of(arn)
        sub = backend.subscriptions.get(arn) if backend is not None else None
        if sub is None:
            return None
        if sub.attributes.get("PendingConfirmation"):
            sub.attributes["PendingConfirmation"] = False
            sub.attributes["ConfirmationWasAuthenticated"] = authenticated
        sub.confirmed = True
        return _sns_data(sub)


def sns_unsubscribe(arn: str) -> SnsSubscription | None:
    with LOCK:
        backend = _sns_backend_of(arn)
        sub = backend.subscriptions.pop(arn, None) if backend is not None else None
        return _sns_data(sub) if sub is not None else None


def sns_list(account: str, region: str, topic_arn: str | None = None,
             next_token: str | None = None) -> tuple[list[SnsSubscription], str | None]:
    """A page of subscriptions (all, or a topic's), with moto's paging: 100 a page, NextToken an offset."""
    from moto.sns.models import sns_backends

    with LOCK, _sns_errors():
        backend = sns_backends[account][region]
        if topic_arn is None:
            subs, token = backend.list_subscriptions(next_token=next_token)
        else:
            subs, token = backend.list_subscriptions_by_topic(topic_arn, next_token=next_token)
        return [_sns_data(s) for s in subs], (str(token) if token is not None else None)


# ---------------------------------------------------------------------------------------------------------------
# --- cognito ---
# The Cognito corrections (cognito.py, providers/cognito*.py) keep codes, TOTP secrets and signing keys themselves;
# from moto they read users, pools and sessions, make the changes a right code makes, and patch a few things:
# token signing, the .well-known documents, and the error messages Cognito words otherwise.
#
#     CognitoUser                                a user (and its pool's messaging settings) as plain frozen data
#     cognito_sign_up(account, region, …)        SignUp through moto's backend (moto's bogus SMS details dropped)
#     cognito_user(client_id, username)          the user of an app client's pool, by username or alias
#     cognito_user_by_access_token(token)        the user a (live) access token belongs to
#     cognito_user_by_session(session)           the user of a sign-in session, or None
#     cognito_confirm_sign_up(user, verified)    CONFIRMED, and <attribute>_verified = true
#     cognito_set_password(user, password)       ConfirmForgotPassword's change, password policy checked
#     cognito_software_token_verified(user, s)   token_verified; a new session if one was given (MFA_SETUP)
#     cognito_respond_to_auth_challenge(…)       (Admin)RespondToAuthChallenge through moto's backend
#     cognito_pool_region(pool_id), cognito_pool_ids()
#     set_cognito_hooks(signer, well_known)      per-pool token signing, and GET /<pool>/.well-known/<document>
# Errors come out as AwsError with moto's code and message.


# AWS's order when a pool has no AccountRecoverySetting: a verified phone first, then a verified e-mail
# ("Recovering user accounts", Cognito developer guide).
_COGNITO_LEGACY_RECOVERY = ("verified_phone_number", "verified_email")
_COGNITO_WELL_KNOWN = {  # moto's url_paths keys (moto/cognitoidp/urls.py) → document name
    "{0}/(?P<user_pool_id>[^/]+)/.well-known/jwks.json$": "jwks.json",
    "{0}/(?P<user_pool_id>[^/]+)/.well-known/openid-configuration$": "openid-configuration",
}
_cognito_hooks: dict[str, Callable[..., Any] | None] = {"signer": None, "well_known": None}


@dataclasses.dataclass(frozen=True)
class CognitoUser:
    account: str
    region: str
    pool_id: str
    username: str  # moto's key for the user: its sub when the pool signs in by e-mail
    sub: str
    status: str  # UNCONFIRMED, CONFIRMED, FORCE_CHANGE_PASSWORD, RESET_REQUIRED…
    attributes: dict[str, str]
    auto_verified: tuple[str, ...]  # the pool's AutoVerifiedAttributes
    email_subject: str | None  # the pool's verification e-mail (None: Cognito's default)
    email_message: str | None
    recovery: tuple[str, ...]  # account recovery mechanisms, highest priority first


@contextlib.contextmanager
def _cognito_errors() -> Iterator[None]:
    from moto.core.exceptions import JsonRESTError

    with LOCK:
        try:
            yield
        except JsonRESTError as exc:
            raise AwsError(exc.error_type, exc.message, exc.code) from None


def _cognito_backends() -> Iterator[Any]:
    from moto.cognitoidp.models import cognitoidp_backends

    for _, per_account in list(cognitoidp_backends.items()):
        for region, backend in list(per_account.items()):
            if region != "global":
                yield backend


def _cognito_pools() -> Iterator[Any]:
    for backend in _cognito_backends():
        yield from list(backend.user_pools.values())


def _cognito_backend_of(pool: Any) -> Any:
    from moto.cognitoidp.models import cognitoidp_backends

    return cognitoidp_backends[pool.account_id][pool.region]


def _cognito_pool_of_client(client_id: str) -> Any:
    for pool in _cognito_pools():
        if client_id in pool.clients:
            return pool
    raise AwsError("ResourceNotFoundException", f"User pool client {client_id} does not exist.", 400)


def _cognito_user_data(pool: Any, user: Any) -> CognitoUser:
    config = pool.extended_config
    template = config.get("VerificationMessageTemplate") or {}
    mechanisms = (config.get("AccountRecoverySetting") or {}).get("RecoveryMechanisms")
    recovery = (tuple(m["Name"] for m in sorted(mechanisms, key=lambda m: m["Priority"])) if mechanisms
                else _COGNITO_LEGACY_RECOVERY)
    return CognitoUser(
        account=pool.account_id, region=pool.region, pool_id=pool.id, username=user.username, sub=user.id,
        status=str(getattr(user.status, "value", user.status)),
        attributes={a["Name"]: a["Value"] for a in user.attributes},
        auto_verified=tuple(config.get("AutoVerifiedAttributes") or ()),
        email_subject=template.get("EmailSubject") or config.get("EmailVerificationSubject"),
        email_message=template.get("EmailMessage") or config.get("EmailVerificationMessage"),
        recovery=recovery,
    )


def _cognito_moto_user(user: CognitoUser) -> tuple[Any, Any]:
    pool = _cognito_backend_of_data(user).describe_user_pool(user.pool_id)
    return pool, pool.users[user.username]


def _cognito_backend_of_data(user: CognitoUser) -> Any:
    from moto.cognitoidp.models import cognitoidp_backends

    return cognitoidp_backends[user.account][user.region]


def cognito_sign_up(account: str, region: str, client_id: str, username: str, password: str,
                    attributes: list[dict[str, str]]) -> CognitoUser:
    """moto's SignUp (pool lookup by client, username rules, password policy, UsernameExistsException)."""
    from moto.cognitoidp.models import RegionAgnosticBackend

    with _cognito_errors():
        user, _ = RegionAgnosticBackend(account, region).sign_up(client_id, username, password, attributes)
        return _cognito_user_data(_cognito_pool_of_client(client_id), user)


def cognito_user(client_id: str, username: str) -> CognitoUser:
    """The user named ``username`` (or its e-mail/phone alias) in the pool of app client ``client_id``."""
    with _cognito_errors():
        pool = _cognito_pool_of_client(client_id)
        user = pool._get_user(username)
        if user is None:
            raise AwsError("UserNotFoundException", "Username/client id combination not found.", 400)
        return _cognito_user_data(pool, user)


def cognito_user_by_access_token(token: str) -> CognitoUser:
    """moto keeps every access token it issued until sign-out: anything else is NotAuthorizedException."""
    with _cognito_errors():
        for pool in _cognito_pools():
            if token in pool.access_tokens:
                _, username = pool.access_tokens[token]
                user = pool._get_user(username)
                if user is not None:
                    return _cognito_user_data(pool, user)
        raise AwsError("NotAuthorizedException", "Invalid Access Token", 400)


def cognito_user_by_session(session: str | None) -> CognitoUser | None:
    with _cognito_errors():
        for backend in _cognito_backends():
            found = backend.sessions.get(session) if session else None
            if found is not None:
                username, session_pool = found
                user = session_pool._get_user(username)
                return _cognito_user_data(session_pool, user) if user is not None else None
        return None


def cognito_confirm_sign_up(user: CognitoUser, verified: tuple[str, ...] = ()) -> None:
    from moto.cognitoidp.models import UserStatus

    with _cognito_errors():
        _, moto_user = _cognito_moto_user(user)
        moto_user.status = UserStatus.CONFIRMED
        if verified:
            moto_user.update_attributes([{"Name": f"{name}_verified", "Value": "true"} for name in verified])


def cognito_set_password(user: CognitoUser, password: str) -> None:
    """The new password, checked against the pool's policy (InvalidPasswordException); a RESET_REQUIRED user
    becomes CONFIRMED."""
    from moto.cognitoidp.models import UserStatus

    with _cognito_errors():
        _cognito_backend_of_data(user)._validate_password(user.pool_id, password)
        _, moto_user = _cognito_moto_user(user)
        moto_user.password = password
        moto_user.confirmation_code = None
        if moto_user.status == UserStatus.RESET_REQUIRED:
            moto_user.status = UserStatus.CONFIRMED


def cognito_software_token_verified(user: CognitoUser, session: str | None) -> str | None:
    """Mark the user's software token verified (SetUserMFAPreference may then enable it). Given the sign-in session
    it was associated in (MFA_SETUP), answer a new session for RespondToAuthChallenge, as moto does."""
    with _cognito_errors():
        pool, moto_user = _cognito_moto_user(user)
        moto_user.token_verified = True
        if not session:
            return None
        new_session = str(mock_random.uuid4())
        _cognito_backend_of(pool).sessions[new_session] = (user.username, pool)
        return new_session


def cognito_respond_to_auth_challenge(account: str, region: str, params: dict[str, Any], *,
                                      admin: bool) -> dict[str, Any]:
    from moto.cognitoidp.models import RegionAgnosticBackend

    with _cognito_errors():
        backend = RegionAgnosticBackend(account, region)
        respond = backend.admin_respond_to_auth_challenge if admin else backend.respond_to_auth_challenge
        return respond(params.get("Session"), params["ClientId"], params["ChallengeName"],
                       params.get("ChallengeResponses") or {})


def cognito_pool_region(pool_id: str) -> str | None:
    with LOCK:
        return next((pool.region for pool in _cognito_pools() if pool.id == pool_id), None)


def cognito_pool_ids() -> set[str]:
    with LOCK:
        return {pool.id for pool in _cognito_pools()}


def _cognito_create_jwt(original: Callable) -> Callable:
    def create_jwt(self: Any, *args: Any, **kwargs: Any) -> tuple[str, int]:
        token, expires_in = original(self, *args, **kwargs)
        signer = _cognito_hooks["signer"]
        if signer is None:
            return token, expires_in
        # Keep moto's claims (iss, sub, aud/client_id, token_use, exp, groups…); only the signature changes.
        payload = token.split(".")[1]
        claims = _json.loads(_base64.urlsafe_b64decode(payload + "=" * (-len(payload) % 4)))
        return signer(self.id, claims), expires_in

    create_jwt.__kit_cognito__ = True  # type: ignore[attr-defined]
    return create_jwt


def _cognito_well_known_route(document: str, original: Callable) -> Callable:
    def serve(request: Any, full_url: str, headers: Any) -> Any:
        hook = _cognito_hooks["well_known"]
        if hook is None:
            return original(request, full_url, headers)
        url = _urlparse(full_url)
        return hook(url.path.strip("/").split("/")[0], document, f"{url.scheme}://{url.netloc}")

    serve.__name__ = f"serve_cognito_{document.replace('.', '_').replace('-', '_')}"  # the Flask endpoint name
    serve.__kit_cognito__ = True  # type: ignore[attr-defined]
    return serve


def set_cognito_hooks(signer: Callable[[str, dict[str, Any]], str] | None,
                      well_known: Callable[[str, str, str], tuple[int, dict[str, str], bytes]] | None) -> None:
    """Turn the Cognito patches on, or off with None (moto's own behaviour again). Idempotent.

    signer(pool_id, claims) -> token: signs every ID and access token moto issues (in place of the key moto
    ships); moto stores the returned token, so its own checks (GetUser, GlobalSignOut…) accept it.
    well_known(pool_id, document, base_url) -> (status, headers, body): answers GET /<pool id>/.well-known/jwks.json
    and /openid-configuration. moto's Flask app reads its url_paths once, on the first Cognito request: call this
    before that (the cloud does, when it builds its components). Both are called with LOCK held."""
    with LOCK:
        _cognito_hooks["signer"], _cognito_hooks["well_known"] = signer, well_known
    when_imported("moto.cognitoidp.models", _patch_cognito_models)
    when_imported("moto.cognitoidp.urls", _patch_cognito_urls)


def _patch_cognito_models(models: Any) -> None:
    if not getattr(models.CognitoIdpUserPool.create_jwt, "__kit_cognito__", False):
        models.CognitoIdpUserPool.create_jwt = _cognito_create_jwt(models.CognitoIdpUserPool.create_jwt)
    backend = models.CognitoIdpBackend
    if not getattr(backend._validate_password, "__kit_cognito__", False):
        backend._validate_password = _cognito_validate_password
        for operation in ("admin_initiate_auth", "change_password"):
            setattr(backend, operation, _cognito_no_username_in_errors(getattr(backend, operation)))
        backend.sign_up = _cognito_sign_up_exists_message(backend.sign_up)


# The messages a learner reads, as Cognito words them (aws-facts.md, Cognito User Pools). moto says "does not
# confirm to the configured password policy" for every rule, answers a wrong password in the admin flows and
# ChangePassword with the bare username, and a second sign-up with the bare username.
_COGNITO_INCORRECT = "Incorrect username or password."
# Cognito's special characters (Cognito developer guide, "Adding user pool password requirements"); a space that
# neither leads nor trails counts as one.
_COGNITO_SYMBOLS = frozenset("^$*.[]{}()?\"!@#%&/\\,><':;|_~`=+-")


def _cognito_password_problem(password: str, policy: dict[str, Any]) -> str | None:
    """The first rule of the pool's policy the password breaks, in Cognito's words; None if it conforms.
    Without a PasswordPolicy, Cognito's defaults apply: at least 8 characters, all four character classes."""
    if len(password) < int(policy.get("MinimumLength", 8)):
        return "Password not long enough"
    rules = (("RequireUppercase", str.isupper, "uppercase"), ("RequireLowercase", str.islower, "lowercase"),
             ("RequireNumbers", str.isdigit, "numeric"))
    for setting, test, words in rules:
        if policy.get(setting, True) and not any(test(c) for c in password):
            return f"Password must have {words} characters"
    inner_space = " " in password.strip(" ")
    if policy.get("RequireSymbols", True) and not inner_space and not any(c in _COGNITO_SYMBOLS for c in password):
        return "Password must have symbol characters"
    return None


def _cognito_validate_password(self: Any, user_pool_id: str, password: str) -> None:
    from moto.cognitoidp.exceptions import InvalidPasswordException

    policy = self.describe_user_pool(user_pool_id).extended_config.get("Policies", {}).get("PasswordPolicy", {})
    problem = _cognito_password_problem(password or "", policy)
    if problem is not None:
        error = InvalidPasswordException()
        error.message = f"Password did not conform with policy: {problem}"
        error.description = _json.dumps({"message": error.message, "__type": error.error_type})
        raise error


_cognito_validate_password.__kit_cognito__ = True  # type: ignore[attr-defined]


def _cognito_no_username_in_errors(original: Callable) -> Callable:
    """moto raises NotAuthorizedException with the username (or the access token) as its message where Cognito
    says "Incorrect username or password." (or "Invalid Access Token"); a message that is already a sentence, as
    "User is disabled.", is kept."""
    from moto.cognitoidp.exceptions import NotAuthorizedError

    def call(self: Any, *args: Any, **kwargs: Any) -> Any:
        try:
            return original(self, *args, **kwargs)
        except NotAuthorizedError as exc:
            if " " in exc.message:
                raise
            token = kwargs.get("access_token", args[0] if args else None)
            if original.__name__ == "change_password" and exc.message == token:
                raise NotAuthorizedError("Invalid Access Token") from None
            raise NotAuthorizedError(_COGNITO_INCORRECT) from None

    call.__name__ = original.__name__
    return call


def _cognito_sign_up_exists_message(original: Callable) -> Callable:
    """Cognito's message for a second sign-up names the kind of username, not the username itself."""
    from moto.cognitoidp.exceptions import UsernameExistsException

    def sign_up(self: Any, client_id: str, username: str, *args: Any, **kwargs: Any) -> Any:
        try:
            return original(self, client_id, username, *args, **kwargs)
        except UsernameExistsException:
            pool = next((p for p in self.user_pools.values() if client_id in p.clients), None)
            attributes = pool.extended_config.get("UsernameAttributes") or [] if pool is not None else []
            kind = ("email" if "email" in attributes and "@" in username else
                    "phone_number" if "phone_number" in attributes and username.startswith("+") else None)
            message = f"An account with the given {kind} already exists." if kind else "User already exists"
            raise UsernameExistsException(message) from None

    sign_up.__name__ = "sign_up"
    return sign_up


def _patch_cognito_urls(urls: Any) -> None:
    for path, document in _COGNITO_WELL_KNOWN.items():
        if not getattr(urls.url_paths[path], "__kit_cognito__", False):
            urls.url_paths[path] = _cognito_well_known_route(document, urls.url_paths[path])


# --- waf ---
# The WAF engine reads web ACLs, IP sets, regex pattern sets and rule groups by ARN; its provider validates
# CreateWebACL/UpdateWebACL and then lets moto do the work, by handing it the original request.
#     waf_resource(arn)        a WAFv2 resource as moto holds it (wire JSON: blobs still Base64), or None
#     waf_lock_token(arn)      its current LockToken (cheap: tells a cache whether to re-read), or None
#     waf_call_moto(environ)   run one WSGI request through moto's application: (status, headers, body)

_waf_moto_app: Any = None


def _waf_item(arn: str) -> Any:
    from moto.wafv2.models import wafv2_backends

    parts = arn.split(":")
    if len(parts) < 6 or parts[2] != "wafv2":
        return None
    for backend in dict.values(wafv2_backends[parts[4]]):  # only regions in use; "global" holds CLOUDFRONT scope
        for store in (backend.wacls, backend.ip_sets, backend.regex_pattern_sets, backend.rule_groups):
            item = store.get(arn)
            if item is not None:
                return item
    return None


def waf_resource(arn: str) -> dict[str, Any] | None:
    with LOCK:
        item = _waf_item(arn)
        return None if item is None else item.to_dict()


def waf_lock_token(arn: str) -> str | None:
    with LOCK:
        item = _waf_item(arn)
        return None if item is None else item.lock_token


def waf_call_moto(environ: dict[str, Any]) -> tuple[int, list[tuple[str, str]], bytes]:
    """The environ must carry its body in a fresh ``wsgi.input``; the answer is materialised under LOCK."""
    global _waf_moto_app
    captured: dict[str, Any] = {}

    def start_response(status: str, headers: list[tuple[str, str]], exc_info: Any = None) -> Callable:
        captured["status"], captured["headers"] = status, headers
        return lambda data: None

    with LOCK:
        if _waf_moto_app is None:
            _waf_moto_app = wsgi_app()
        result = _waf_moto_app(environ, start_response)
        try:
            body = b"".join(result)
        finally:
            getattr(result, "close", lambda: None)()
    return int(captured["status"].split()[0]), list(captured["headers"]), body


# ---------------------------------------------------------------------------------------------------------------
# --- api gateway ---
# The API Gateway data plane (apigw/) serves REST and HTTP APIs from what moto stores. moto keeps a deployment as an
# id and replaces a stage (and its settings) on every CreateDeployment; the data plane freezes an API's definition
# when it is deployed, and reads stages, usage plans and function policies live, cached per change count.
#
#     watch_changes()                        count state-changing requests per moto service from now on (idempotent)
#     change_count(*services)                their sum: a cache built at one count holds until it moves
#                                            (cloud.generation moves on every DynamoDB PutItem as well)
#     ApiLocation, apigw_locate(api_id)      kind (REST or HTTP), account and region of an API id, or None
#     apigw_rest_definition(account, region, api_id)        what a REST deployment freezes (plain JSON), or None
#     apigw_create_deployment(account, region, api_id, …)    CreateDeployment as AWS does it: (deployment, definition)
#     apigw_deployment_ids(account, region, api_id)         the ids of the REST API's deployments
#     apigw_stage(account, region, api_id, stage)           a REST stage as GetStage shows it, or None
#     apigw_usage_plans(account, region)                    usage plans, each with its API keys (value, enabled)
#     apigw_http_definition(account, region, api_id)        an HTTP API: routes, integrations, authorizers, CORS
#     apigw_http_stage(account, region, api_id, stage)      an HTTP API stage as GetStage shows it, or None
#     lambda_policy(account, region, function, qualifier)   a function's resource policy (dict), or None
# Errors come out as AwsError with moto's code and message.


_APIGW_CHANGES: _Counter[str] = _Counter()
_APIGW_READS = frozenset({"GET", "HEAD", "OPTIONS"})


def watch_changes() -> None:
    """Count every state-changing request moto serves, per service (moto's service_name: apigateway, apigatewayv2,
    awslambda, wafv2, cognito-idp…). Patches BaseResponse._dispatch, which every service's handler runs: patching
    the services' own classes would import them, and moto.apigateway alone takes ~1.7 s to import."""
    from moto.core.responses import BaseResponse

    with LOCK:
        original = BaseResponse._dispatch
        if getattr(original, "__kit_apigw__", False):
            return

        @functools.wraps(original)
        def _dispatch(self: Any, request: Any, full_url: Any = None, headers: Any = None) -> Any:
            try:
                return original(self, request, full_url, headers)
            finally:
                if getattr(request, "method", "GET") not in _APIGW_READS:
                    _APIGW_CHANGES[self.service_name or ""] += 1

        _dispatch.__kit_apigw__ = True  # type: ignore[attr-defined]
        BaseResponse._dispatch = _dispatch


def change_count(*services: str) -> int:
    return sum(_APIGW_CHANGES[s] for s in services)


@dataclasses.dataclass(frozen=True)
class ApiLocation:
    kind: str  # "REST" (apigateway) or "HTTP" (apigatewayv2)
    account: str
    region: str


@contextlib.contextmanager
def _apigw_errors() -> Iterator[None]:
    from moto.core.exceptions import JsonRESTError

    with LOCK:
        try:
            yield
        except JsonRESTError as exc:
            raise AwsError(exc.error_type, exc.message, exc.code) from None


def _apigw_backends(module: str, attr: str) -> Iterator[tuple[str, str, Any]]:
    """(account, region, backend) of a service already in use; nothing when moto never loaded it (the import is
    slow, and an API cannot exist before its service's first request)."""
    loaded = _sys.modules.get(module)
    if loaded is None:
        return
    for account, per_account in list(getattr(loaded, attr).items()):
        for region, backend in list(dict.items(per_account)):
            yield account, region, backend


def apigw_locate(api_id: str) -> ApiLocation | None:
    with LOCK:
        for account, region, backend in _apigw_backends("moto.apigateway.models", "apigateway_backends"):
            if api_id in backend.apis:
                return ApiLocation("REST", account, region)
        for account, region, backend in _apigw_backends("moto.apigatewayv2.models", "apigatewayv2_backends"):
            if api_id in backend.apis:
                return ApiLocation("HTTP", account, region)
    return None


def _apigw_rest_api(account: str, region: str, api_id: str) -> Any:
    from moto.apigateway.models import apigateway_backends

    return apigateway_backends[account][region].get_rest_api(api_id)


def _apigw_definition(api: Any) -> dict[str, Any]:
    return {
        "id": api.id,
        "name": api.name,
        "resources": [resource.to_dict() for resource in list(api.resources.values())],
        "authorizers": [authorizer.to_json() for authorizer in list(api.authorizers.values())],
        "gatewayResponses": [response.to_json() for response in list(api.gateway_responses.values())],
        "binaryMediaTypes": list(api.binaryMediaTypes or []),
        "apiKeySource": api.api_key_source or "HEADER",
        "disableExecuteApiEndpoint": bool(api.disableExecuteApiEndpoint),
    }


def apigw_rest_definition(account: str, region: str, api_id: str) -> dict[str, Any] | None:
    """The API as it stands: resources with their methods and integrations, authorizers, gateway responses,
    binary media types, API key source; a deep copy (JSON), safe to keep."""
    with _apigw_errors():
        try:
            api = _apigw_rest_api(account, region, api_id)
        except AwsError:
            return None
        return _json.loads(_json.dumps(_apigw_definition(api), default=str))


def apigw_create_deployment(account: str, region: str, api_id: str, *, stage_name: str | None,
                            description: str = "", stage_description: str | None = None,
                            variables: dict[str, str] | None = None) -> tuple[dict[str, Any], dict[str, Any]]:
    """moto's CreateDeployment, except that an existing stage keeps its settings (method settings, access logs,
    web ACL, variables) and only points at the new deployment, as on AWS ("Deploy a REST API": redeploying to a
    stage updates it). Returns the deployment (GetDeployment's shape) and the API definition it froze."""
    from moto.apigateway.models import Stage

    with _apigw_errors():
        api = _apigw_rest_api(account, region, api_id)
        from moto.apigateway.models import apigateway_backends

        backend = apigateway_backends[account][region]
        kept = api.stages.get(stage_name) if stage_name else None
        deployment = backend.create_deployment(api_id, stage_name or "", description, dict(variables or {}))
        if stage_name:
            if kept is not None:
                kept.deployment_id = deployment.id
                kept.variables.update(variables or {})
                api.stages[stage_name] = kept
            stage: Stage = api.stages[stage_name]
            if stage_description is not None:
                stage.description = stage_description
        definition = _json.loads(_json.dumps(_apigw_definition(api), default=str))
        _APIGW_CHANGES["apigateway"] += 1
        return deployment.to_json(), definition


def apigw_deployment_ids(account: str, region: str, api_id: str) -> set[str]:
    with _apigw_errors():
        try:
            return set(_apigw_rest_api(account, region, api_id).deployments)
        except AwsError:
            return set()


def apigw_stage(account: str, region: str, api_id: str, stage: str) -> dict[str, Any] | None:
    with _apigw_errors():
        try:
            found = _apigw_rest_api(account, region, api_id).stages.get(stage)
        except AwsError:
            return None
        return None if found is None else _json.loads(_json.dumps(found.to_json(), default=str))


def apigw_usage_plans(account: str, region: str) -> list[dict[str, Any]]:
    """Every usage plan of the region (id, apiStages, throttle, quota) with ``keys``: its API keys' id, value and
    enabled flag."""
    from moto.apigateway.models import apigateway_backends

    with _apigw_errors():
        backend = apigateway_backends[account][region]
        plans = []
        for plan in list(backend.usage_plans.values()):
            keys = []
            for key_id in list(backend.usage_plan_keys.get(plan.id, {})):
                key = backend.keys.get(key_id)
                if key is not None:
                    keys.append({"id": key.id, "value": key.value, "enabled": bool(key.enabled)})
            plans.append({**_json.loads(_json.dumps(plan.to_json(), default=str)), "keys": keys})
        return plans


def _apigw_http_api(account: str, region: str, api_id: str) -> Any:
    from moto.apigatewayv2.models import apigatewayv2_backends

    return apigatewayv2_backends[account][region].get_api(api_id)


def apigw_http_definition(account: str, region: str, api_id: str) -> dict[str, Any] | None:
    """An HTTP API as it stands: routes, integrations, authorizers, CORS configuration (JSON copies)."""
    with _apigw_errors():
        try:
            api = _apigw_http_api(account, region, api_id)
        except AwsError:
            return None
        definition = {
            "id": api.api_id,
            "name": api.name,
            "protocolType": api.protocol_type,
            "corsConfiguration": api.cors_configuration,
            "disableExecuteApiEndpoint": bool(api.disable_execute_api_endpoint),
            "routes": [route.to_json() for route in list(api.routes.values())],
            "integrations": [integration.to_json() for integration in list(api.integrations.values())],
            "authorizers": [authorizer.to_json() for authorizer in list(api.authorizers.values())],
            "stages": sorted(api.stages),
        }
        return _json.loads(_json.dumps(definition, default=str))


def apigw_http_stage(account: str, region: str, api_id: str, stage: str) -> dict[str, Any] | None:
    with _apigw_errors():
        try:
            found = _apigw_http_api(account, region, api_id).stages.get(stage)
        except AwsError:
            return None
        return None if found is None else _json.loads(_json.dumps(found.to_json(), default=str))


def lambda_policy(account: str, region: str, function: str, qualifier: str | None = None) -> dict[str, Any] | None:
    """The function's resource-based policy (GetPolicy's document), or None when it has no statement or the
    function does not exist."""
    from moto.awslambda.models import lambda_backends
    from moto.core.exceptions import JsonRESTError

    with LOCK:
        try:
            text = lambda_backends[account][region].get_policy(function, qualifier)
        except (JsonRESTError, KeyError, ValueError):
            return None
    try:
        policy = _json.loads(text)  # GetPolicy's answer: {"Policy": "<the document as a string>", "RevisionId"}
        if isinstance(policy, dict) and isinstance(policy.get("Policy"), str):
            policy = _json.loads(policy["Policy"])
    except (TypeError, ValueError):
        return None
    return policy if isinstance(policy, dict) and policy.get("Statement") else None


# ---------------------------------------------------------------------------------------------------------------
# --- cloudfront ---
# The CloudFront data plane (cdn/) keeps each distribution's configuration, status and ETag itself; moto keeps the
# record the rest of the cloud reads (id, ARN, the DomainName DNS aliases match, tags, the caller reference).
#
#     CloudFrontRecord                               a distribution as moto holds it, as plain frozen data
#     cloudfront_name_locally()                      new distributions are named <id in lower case>.cloudfront.localhost
#     cloudfront_create(account, config, tags)       moto's CreateDistribution(WithTags); returns the CloudFrontRecord
#     cloudfront_update(account, dist_id, config)    moto's UpdateDistribution, so moto's copy stays in step
#     cloudfront_delete(account, dist_id)            moto's DeleteDistribution
#     cloudfront_records()                           every distribution of every account
#     cloudfront_config(account, dist_id)            moto's stored DistributionConfig in boto3's shape (for distributions
#                                                    made before the data plane kept its own copy)
#     cloudfront_origin_access_control(account, id)  an OAC's config (boto3's shape), or None
#     cloudfront_delete_origin_access_control(account, id)
#     S3Object, s3_object(bucket, key, body=True)    an object's bytes and the headers S3 serves with it, or None
#     acm_certificate_pems(arn)                      (status, cert, key, chain) PEMs of an ACM certificate, or None
# Errors come out as AwsError with moto's code and message (status from the botocore cloudfront model).


CLOUDFRONT_LOCAL_SUFFIX = ".cloudfront.localhost"
# What S3 serves back of what was stored with an object (the rest of moto's metadata is request bookkeeping).
_S3_SERVED = {"content-type": "Content-Type", "cache-control": "Cache-Control", "expires": "Expires",
              "content-encoding": "Content-Encoding", "content-disposition": "Content-Disposition",
              "content-language": "Content-Language",
              "x-amz-website-redirect-location": "x-amz-website-redirect-location"}


@dataclasses.dataclass(frozen=True)
class CloudFrontRecord:
    account: str
    id: str
    arn: str
    domain_name: str
    caller_reference: str


@dataclasses.dataclass(frozen=True)
class S3Object:
    key: str
    body: bytes  # b"" when read without the body
    size: int
    etag: str  # quoted, as S3 sends it
    last_modified: str  # RFC 1123
    headers: tuple[tuple[str, str], ...]  # Content-Type, Cache-Control, Expires, x-amz-meta-*… as stored


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
        return _cloudfront_record(account, dist)


def cloudfront_update(account: str, dist_id: str, config: dict[str, Any]) -> CloudFrontRecord:
    with LOCK, _cloudfront_errors():
        dist, _, _ = _cloudfront_backend(account).update_distribution(_copy.deepcopy(config), dist_id, True)
        return _cloudfront_record(account, dist)


def cloudfront_delete(account: str, dist_id: str) -> None:
    with LOCK, _cloudfront_errors():
        _cloudfront_backend(account).delete_distribution(dist_id, True)


def cloudfront_records() -> list[CloudFrontRecord]:
    models = _if_imported("moto.cloudfront.models")
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


def s3_object(bucket: str, key: str, *, body: bool = True) -> S3Object | None:
    """The current version of an object, or None if the bucket has no such key (a delete marker counts as none)."""
    from moto.s3.models import FakeKey, s3_backends

    with LOCK:
        for _, per_account in s3_backends.items():
            backend = per_account.get("aws")
            found = backend.buckets.get(bucket) if backend else None
            if found is None:
                continue
            obj = found.keys.get(key)
            if not isinstance(obj, FakeKey):
                return None
            headers = [(_S3_SERVED[name], str(value)) for name, value in obj.metadata.items() if name in _S3_SERVED]
            headers += [(name, str(value)) for name, value in obj.metadata.items() if name.startswith("x-amz-meta-")]
            return S3Object(key=key, body=obj.value if body else b"", size=int(obj.size), etag=obj.etag,
                            last_modified=obj.last_modified_RFC1123, headers=tuple(headers))
    return None


def acm_certificate_pems(arn: str) -> tuple[str, bytes, bytes, bytes] | None:
    """(status, certificate, private key, chain) of the ACM certificate an ARN names, or None if there is none."""
    from moto.acm.models import acm_backends

    parts = arn.split(":")
    if len(parts) < 6 or parts[2] != "acm":
        return None
    with LOCK:
        try:
            bundle = acm_backends[parts[4]][parts[3]]._certificates.get(arn)
        except KeyError:  # a region moto does not know
            return None
        if bundle is None:
            return None
        return str(bundle.status), bytes(bundle.cert), bytes(bundle.key), bytes(bundle.chain)
