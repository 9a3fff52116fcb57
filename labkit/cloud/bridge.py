"""The one module that touches moto's internals. moto calls them internal and liable to change between versions,
so the version is pinned (requirements.txt) and checked here: a new moto breaks this file, not the whole kit.

    PINNED_MOTO / check_version()     the pin, verified at import
    LOCK                              serialises every use of moto's models (requests, snapshots, reads)
    wsgi_app(), RequestHandler        moto's server application and its request handler, served by the gateway
    export_state() / import_state()   moto's backends and random generator, for snapshots (see snapshot.py)
    StatePickler                      pickle with converters for what moto's models hold but pickle refuses
    service_model()                   a service's botocore model, as moto's serializer wants it
    parse_request() / serialize_*()   moto's botocore-model request parser and response serializer, for providers
    reset()                           forget every resource (tests)
"""

from __future__ import annotations

import importlib
import io
import pickle
import threading
import warnings
import weakref
from collections import defaultdict
from dataclasses import dataclass
from typing import Any

import moto
from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa

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
from moto.moto_server.werkzeug_app import (  # noqa: E402
    DomainDispatcherApplication,
    MotoRequestHandler,
    create_backend_app,
)

LOCK = threading.RLock()
RequestHandler = MotoRequestHandler


def wsgi_app() -> DomainDispatcherApplication:
    """moto's server application: routes a request to the service its signature (or path) names."""
    return DomainDispatcherApplication(create_backend_app)


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
        return NotImplemented


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
