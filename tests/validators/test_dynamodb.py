"""The DynamoDB validator: green on the right table, the right hint on a wrong key, billing mode or missing table."""

from __future__ import annotations

import uuid

import validators
from labkit import config, names
from validators.base import FAIL, PASS, SKIP


def make_cfg(cloud):
    return config.load({**cloud.env, "LAB_PREFIX": f"t{uuid.uuid4().hex[:8]}"})


def create(cloud, cfg, keys, **extra):
    kwargs = {"BillingMode": "PAY_PER_REQUEST", **extra}
    cloud.client("dynamodb").create_table(
        TableName=names(cfg).table,
        AttributeDefinitions=[{"AttributeName": n, "AttributeType": "S"} for n, _ in keys],
        KeySchema=[{"AttributeName": n, "KeyType": k} for n, k in keys], **kwargs)


def results(cfg):
    return {r.check: r for r in validators.run(["dynamodb"], cfg).results}


def test_right_table_passes(cloud):
    cfg = make_cfg(cloud)
    create(cloud, cfg, [("sender", "HASH"), ("createdAt", "RANGE")])
    assert {r.status for r in results(cfg).values()} == {PASS}


def test_wrong_key_is_named_and_stops_the_layer(cloud):
    cfg = make_cfg(cloud)
    create(cloud, cfg, [("id", "HASH")])
    found = results(cfg)
    assert found["dynamodb.keys"].status == FAIL and "wrong table key" in found["dynamodb.keys"].hint
    assert found["dynamodb.round_trip"].status == SKIP


def test_provisioned_billing_is_named(cloud):
    cfg = make_cfg(cloud)
    create(cloud, cfg, [("sender", "HASH"), ("createdAt", "RANGE")], BillingMode="PROVISIONED",
           ProvisionedThroughput={"ReadCapacityUnits": 1, "WriteCapacityUnits": 1})
    found = results(cfg)
    assert found["dynamodb.billing"].status == FAIL and "PAY_PER_REQUEST" in found["dynamodb.billing"].hint
    assert found["dynamodb.round_trip"].status == PASS


def test_missing_table_names_the_notebook(cloud):
    found = results(make_cfg(cloud))
    assert found["dynamodb.table"].status == FAIL and "notebook 07" in found["dynamodb.table"].hint
