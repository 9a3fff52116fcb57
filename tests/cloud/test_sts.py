"""STS temporary credentials act in the caller's account with ASIA… keys, as AWS's do (STS API reference:
"Temporary credentials … access key IDs begin with ASIA"; GetSessionToken and GetFederationToken take
DurationSeconds from 900 to 129,600, 43,200 by default). moto alone answers both with one fixed AKIA… example key,
which acts in its default account whatever the caller's (measured: a learner's session-token calls landed there)."""

from __future__ import annotations

import datetime
import uuid

import boto3
import botocore.exceptions
import pytest

from labkit import config, target


def learner(cloud) -> tuple[str, object]:
    name = f"s{uuid.uuid4().hex[:8]}"
    return config.local_account(name), target.client("sts", config.load({**cloud.env, "LAB_LEARNER": name}))


def session_of(cloud, credentials: dict, service: str):
    return boto3.client(service, endpoint_url=cloud.cfg.gateway_url, region_name="us-east-1",
                        aws_access_key_id=credentials["AccessKeyId"],
                        aws_secret_access_key=credentials["SecretAccessKey"],
                        aws_session_token=credentials["SessionToken"])


@pytest.mark.parametrize("operation", ["get_session_token", "get_federation_token"])
def test_temporary_credentials_are_asia_keys_of_the_callers_account(cloud, operation):
    account, sts = learner(cloud)
    answer = getattr(sts, operation)(**({"Name": "visitor"} if operation == "get_federation_token" else {}))
    credentials = answer["Credentials"]
    assert credentials["AccessKeyId"].startswith("ASIA") and len(credentials["AccessKeyId"]) == 20
    left = credentials["Expiration"] - datetime.datetime.now(datetime.timezone.utc)
    assert datetime.timedelta(hours=11, minutes=59) < left <= datetime.timedelta(hours=12)
    assert session_of(cloud, credentials, "sts").get_caller_identity()["Account"] == account
    bucket = f"sts-{uuid.uuid4().hex[:12]}"
    session_of(cloud, credentials, "s3").create_bucket(Bucket=bucket)  # lands in the learner's account
    owner = target.client("s3", config.load({**cloud.env, "LAB_LEARNER": "nobody-else"}))
    assert bucket in [b["Name"] for b in session_of(cloud, credentials, "s3").list_buckets()["Buckets"]]
    assert bucket not in [b["Name"] for b in owner.list_buckets()["Buckets"]]
    if operation == "get_federation_token":
        assert answer["FederatedUser"]["Arn"] == f"arn:aws:sts::{account}:federated-user/visitor"


def test_two_calls_give_two_keys(cloud):
    _, sts = learner(cloud)
    first, second = (sts.get_session_token()["Credentials"] for _ in range(2))
    assert first["AccessKeyId"] != second["AccessKeyId"]
    assert first["SessionToken"] != second["SessionToken"]


def test_a_duration_past_36_hours_is_refused(cloud):
    _, sts = learner(cloud)
    assert sts.get_session_token(DurationSeconds=900)["Credentials"]["AccessKeyId"].startswith("ASIA")
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        sts.get_session_token(DurationSeconds=129_601)
    assert caught.value.response["Error"]["Code"] == "ValidationError"
    assert "129600" in caught.value.response["Error"]["Message"]


def test_decode_authorization_message_is_answered(cloud):
    _, sts = learner(cloud)
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        sts.decode_authorization_message(EncodedMessage="not-a-message")
    assert caught.value.response["Error"]["Code"] == "InvalidAuthorizationMessageException"
    assert caught.value.response["ResponseMetadata"]["HTTPStatusCode"] == 400
