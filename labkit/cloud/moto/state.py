"""moto's state, for snapshots (snapshot.py): every backend in use, and a pickler for what they hold.

    export_state() / import_state()   moto's backends and random generator
    StatePickler, dumps()             pickle with converters for what moto's models hold but pickle refuses
"""

from __future__ import annotations

import functools
import importlib
import io
import json as _json
import pickle
import threading
import weakref
from collections import defaultdict
from typing import Any

from cryptography import x509
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric import ec, ed25519, rsa
from moto.core.base_backend import BackendDict
from moto.moto_api._internal import mock_random

from . import LOCK


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
        if _is_iam_backend(obj):
            # A class's accounts each hold ~1,600 AWS managed policies that nobody attached: saved as their names
            # only (50 accounts: 2 s of every save under the lock, and 20 MB, otherwise).
            return _new_iam_backend, (type(obj),), _iam_state(obj), None, None, _set_iam_state
        if _is_aws_managed_policy(obj) and len(obj.versions) == 1:
            # ~1,600 per account, each with its document: 4 MB of every snapshot. Kept: what can change (ids,
            # attachment counts); the document comes back from moto's copy of AWS's data.
            return _aws_managed_policy, (obj.name, {k: v for k, v in vars(obj).items() if k != "versions"})
        return NotImplemented


def _is_iam_backend(obj: Any) -> bool:
    cls = type(obj)
    return cls.__name__ == "IAMBackend" and cls.__module__ == "moto.iam.models"


def _pristine(policy: Any) -> bool:
    """An AWS managed policy as moto made it: never attached (AWS's own cannot be edited or tagged)."""
    return _is_aws_managed_policy(policy) and policy.attachment_count == 0 and len(policy.versions) == 1


def _iam_state(backend: Any) -> dict[str, Any]:
    state = dict(vars(backend))
    aws = state.get("aws_managed_policies") or []
    state["aws_managed_policies"] = [p.name if _pristine(p) else p for p in aws]
    state["managed_policies"] = {arn: p for arn, p in state.get("managed_policies", {}).items() if not _pristine(p)}
    return state


def _new_iam_backend(cls: type) -> Any:
    return cls.__new__(cls)


def _set_iam_state(backend: Any, state: dict[str, Any]) -> None:
    """The saved state, with each pristine policy made again from AWS's data, in moto's order (AWS's first)."""
    from moto.iam.models import AWSManagedPolicy

    data = _aws_managed_policies_data()
    aws = [AWSManagedPolicy.from_data(item, state["account_id"], state["region_name"], data[item])
           if isinstance(item, str) else item for item in state["aws_managed_policies"]]
    managed = {p.arn: p for p in aws}
    managed.update(state["managed_policies"])
    vars(backend).update(state, aws_managed_policies=aws, managed_policies=managed)


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
