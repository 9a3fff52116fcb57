"""labkit.cloud.moto, the shared part of using moto's internals: the pin is checked, and the snapshot pickler
handles what moto's models hold."""

from __future__ import annotations

import datetime
import pickle
import threading
import weakref
from collections import defaultdict

import moto
import pytest
import trustme
from cryptography import x509
from cryptography.hazmat.primitives.asymmetric import rsa

from labkit.cloud.moto import LOCK, PINNED_MOTO, check_version, dispatch
from labkit.cloud.moto import state as moto_state


def test_installed_moto_is_the_pinned_one():
    """A different moto must be a deliberate change: the kit reads its internals."""
    assert moto.__version__ == PINNED_MOTO == "5.2.5"


def test_other_moto_version_is_refused_with_the_fix(monkeypatch):
    monkeypatch.setattr(moto, "__version__", "9.9.9")
    with pytest.raises(RuntimeError, match="run `make setup`"):
        check_version()


class Model:
    pass


def test_pickler_converts_what_plain_pickle_refuses():
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    cert = x509.load_pem_x509_certificate(trustme.CA().cert_pem.bytes())
    model = Model()
    weak = weakref.WeakValueDictionary({"fn": model})
    state = {"key": key, "public": key.public_key(), "cert": cert, "lock": threading.Lock(),
             "rlock": threading.RLock(), "cond": threading.Condition(), "model": model, "weak": weak,
             "aliases": defaultdict(lambda: {}, {"a": {"x": 1}})}
    with pytest.raises(Exception):
        pickle.dumps(state)
    back = pickle.loads(moto_state.dumps(state))
    assert back["key"].private_numbers() == key.private_numbers()
    assert back["public"].public_numbers() == key.public_key().public_numbers()
    assert back["cert"] == cert
    assert back["lock"].acquire(blocking=False) and back["rlock"].acquire(blocking=False)
    assert isinstance(back["cond"], threading.Condition)
    assert back["weak"]["fn"] is back["model"]  # identity kept: still the same object the backend holds
    assert isinstance(back["weak"], weakref.WeakValueDictionary)
    assert back["aliases"]["new"] == {} and back["aliases"]["a"] == {"x": 1}


def test_unknown_lambda_factory_is_refused_loudly():
    with pytest.raises(pickle.PicklingError, match="defaultdict factory"):
        moto_state.dumps(defaultdict(lambda: datetime.date.today()))


def _signed(service: str, target: str | None = None, key: str = "AKIAEXAMPLE") -> dict[str, str]:
    headers = {"Authorization": f"AWS4-HMAC-SHA256 Credential={key}/20260101/us-east-1/{service}/aws4_request, "
                                "SignedHeaders=host, Signature=0"}
    if target:
        headers.update({"X-Amz-Target": target, "Content-Type": "application/x-amz-json-1.0"})
    return headers


def test_iam_backend_is_made_by_iam_calls_only_and_access_keys_still_name_their_account():
    """moto made an IAM backend (with ~1,600 AWS managed policies) for every partition on a service's first request;
    labkit.cloud.moto makes it when IAM is used. Managed policies are still there for IAM, and an access key still tells
    its account."""
    from moto.iam.models import get_account_id_from, iam_backends
    from werkzeug.test import Client

    dispatch.reset()
    client = Client(dispatch.wsgi_app())
    with LOCK:
        assert client.post("/", data=b"{}", headers=_signed("dynamodb", "DynamoDB_20120810.ListTables")).status_code == 200
        assert dict.get(iam_backends, "123456789012") is None
        answer = client.post("/", data="Action=GetPolicy&Version=2010-05-08&PolicyArn="
                             "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess",
                             headers={**_signed("iam"), "Content-Type": "application/x-www-form-urlencoded"})
        assert answer.status_code == 200 and b"AmazonDynamoDBFullAccess" in answer.data
        assert set(dict.keys(iam_backends["123456789012"])) == {"aws"}
        other = iam_backends["111122223333"]["aws"]
        other.create_user("us-east-1", "ada")
        key = other.create_access_key("ada").access_key_id
        assert get_account_id_from(key) == "111122223333"
        assert get_account_id_from("AKIAUNKNOWN") == "123456789012"
    dispatch.reset()


def test_aws_managed_policies_are_saved_by_name_with_what_can_change():
    """A snapshot keeps an AWS managed policy's id and attachments but not its document (~4 MB per account):
    the loaded policy is whole again, and still the one object the role and the account point at."""
    from moto.iam.models import iam_backends

    dispatch.reset()
    iam = iam_backends["123456789012"]["aws"]
    arn = "arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess"
    trust = '{"Version": "2012-10-17", "Statement": []}'
    iam.create_role("app", trust, "/", None, "", [], None)
    iam.attach_role_policy(arn, "app")
    before = iam.managed_policies[arn]
    state = moto_state.dumps(dict(iam_backends["123456789012"]))
    assert len(state) < 1_000_000  # the documents alone weigh over 3 MB
    loaded = pickle.loads(state)["aws"]
    policy = loaded.managed_policies[arn]
    assert (policy.id, policy.attachment_count, policy.arn) == (before.id, 1, arn)
    assert policy.versions[0].document == before.versions[0].document
    assert loaded.get_role("app").managed_policies[arn] is policy
    dispatch.reset()
