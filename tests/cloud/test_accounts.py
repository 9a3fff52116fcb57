"""One local cloud, many accounts: each learner's access key acts in the learner's own account (as an IAM key acts in
the account that made it), a browser's unsigned Cognito call finds the account of the pool it names, and what one
account makes is not there for another (research/moto-5.2.5.md §11: per-account state; S3 names stay global)."""

from __future__ import annotations

import uuid

import botocore.exceptions
import pytest
import requests

from labkit import config, target


def learner_client(cloud, learner: str, service: str):
    return target.client(service, config.load({**cloud.env, "LAB_LEARNER": learner}))


def test_a_learner_key_acts_in_the_learner_account(cloud):
    name = f"a{uuid.uuid4().hex[:8]}"
    identity = learner_client(cloud, name, "sts").get_caller_identity()
    assert identity["Account"] == config.local_account(name)
    assert identity["Account"] != config.LOCAL_ACCOUNT
    assert learner_client(cloud, name, "sts").meta.config.retries["total_max_attempts"] == 1
    assert target.local_credentials(identity["Account"])["AWS_ACCESS_KEY_ID"].startswith("AKIALAB0")
    assert len(target.local_credentials(identity["Account"])["AWS_ACCESS_KEY_ID"]) == 20  # as long as AWS's


def test_what_one_account_makes_the_other_does_not_see(cloud):
    ana, ben = (f"{who}{uuid.uuid4().hex[:6]}" for who in ("ana", "ben"))
    table = f"t{uuid.uuid4().hex[:8]}"
    learner_client(cloud, ana, "dynamodb").create_table(
        TableName=table, BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "k", "KeyType": "HASH"}],
        AttributeDefinitions=[{"AttributeName": "k", "AttributeType": "S"}])
    assert table in learner_client(cloud, ana, "dynamodb").list_tables()["TableNames"]
    assert table not in learner_client(cloud, ben, "dynamodb").list_tables()["TableNames"]
    assert table not in cloud.client("dynamodb").list_tables()["TableNames"]
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        learner_client(cloud, ben, "dynamodb").describe_table(TableName=table)
    assert caught.value.response["Error"]["Code"] == "ResourceNotFoundException"
    # Both may host a zone of one name; each account lists its own (the DNS answers from the oldest: zones.py).
    for who in (ana, ben):
        learner_client(cloud, who, "route53").create_hosted_zone(Name=f"{ana}.localhost",
                                                                 CallerReference=str(uuid.uuid4()))
    zones = [[z["Id"] for z in learner_client(cloud, who, "route53").list_hosted_zones()["HostedZones"]
              if z["Name"] == f"{ana}.localhost."] for who in (ana, ben)]
    assert len(zones[0]) == len(zones[1]) == 1 and zones[0] != zones[1]


def test_bucket_names_stay_global_across_accounts(cloud):
    """AWS: "Bucket names must be unique across all AWS accounts" (S3 User Guide, bucket naming rules)."""
    bucket = f"b-{uuid.uuid4().hex[:10]}"
    learner_client(cloud, "ana", "s3").create_bucket(Bucket=bucket)
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        learner_client(cloud, "ben", "s3").create_bucket(Bucket=bucket)
    assert caught.value.response["Error"]["Code"] == "BucketAlreadyExists"


def test_a_presigned_url_acts_in_the_signer_account(cloud):
    s3 = learner_client(cloud, "ana", "s3")
    bucket = f"b-{uuid.uuid4().hex[:10]}"
    s3.create_bucket(Bucket=bucket)
    s3.put_object(Bucket=bucket, Key="note.txt", Body=b"mine")
    url = s3.generate_presigned_url("get_object", Params={"Bucket": bucket, "Key": "note.txt"})
    assert "AKIALAB0" in url
    answer = requests.get(url, timeout=10)
    assert answer.status_code == 200 and answer.content == b"mine"


def test_an_unsigned_cognito_call_finds_the_pool_account(cloud):
    """The contact page signs up with an unsigned POST (no credentials at all): the pool's account must answer."""
    who = f"c{uuid.uuid4().hex[:8]}"
    idp = learner_client(cloud, who, "cognito-idp")
    pool = idp.create_user_pool(PoolName="visitors", UsernameAttributes=["email"],
                                AutoVerifiedAttributes=["email"])["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool, ClientName="web",
                                            ExplicitAuthFlows=["ALLOW_USER_PASSWORD_AUTH"])["UserPoolClient"]["ClientId"]
    email = f"v-{uuid.uuid4().hex[:8]}@example.com"

    def unsigned(operation: str, body: dict) -> requests.Response:
        return requests.post(cloud.cfg.gateway_url + "/", json=body, timeout=10, headers={
            "X-Amz-Target": f"AWSCognitoIdentityProviderService.{operation}",
            "Content-Type": "application/x-amz-json-1.1"})

    signed_up = unsigned("SignUp", {"ClientId": client_id, "Username": email, "Password": "Correct-Horse-9",
                                    "UserAttributes": [{"Name": "email", "Value": email}]})
    assert signed_up.status_code == 200, signed_up.text
    users = idp.list_users(UserPoolId=pool)["Users"]
    assert [u["Username"] for u in users] == [signed_up.json()["UserSub"]]
    idp.admin_confirm_sign_up(UserPoolId=pool, Username=email)
    tokens = unsigned("InitiateAuth", {"ClientId": client_id, "AuthFlow": "USER_PASSWORD_AUTH",
                                       "AuthParameters": {"USERNAME": email, "PASSWORD": "Correct-Horse-9"}})
    assert tokens.status_code == 200, tokens.text
    me = unsigned("GetUser", {"AccessToken": tokens.json()["AuthenticationResult"]["AccessToken"]})
    assert me.status_code == 200 and {"Name": "email", "Value": email} in me.json()["UserAttributes"]
    unknown = unsigned("SignUp", {"ClientId": "nosuchclient123", "Username": email, "Password": "Correct-Horse-9"})
    assert unknown.status_code == 400 and unknown.json()["__type"].endswith("ResourceNotFoundException")
