"""The DynamoDB validator: green on the right table, the right hint on a wrong key, billing mode or missing table;
once the API is deployed, the item a visitor sends through it is found in the table (skipped before notebook 09)."""

from __future__ import annotations

import uuid

import validators
from labkit import config, names
from validators.base import BLOCKED, FAIL, PASS, SKIP

from .deployments import deploy_api, deploy_app


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


def test_right_table_passes_and_waits_for_the_api(cloud):
    cfg = make_cfg(cloud)
    create(cloud, cfg, [("sender", "HASH"), ("createdAt", "RANGE")])
    found = results(cfg)
    through_api = found.pop("dynamodb.through_api")
    assert {r.status for r in found.values()} == {PASS}
    assert through_api.status == SKIP and "notebook 09" in through_api.observed and not through_api.counted


def test_item_sent_through_the_api_is_found_and_removed(cloud):
    cfg = deploy_app(cloud)
    deploy_api(cloud, cfg)
    found = results(cfg)
    assert {r.status for r in found.values()} == {PASS}, {k: (r.observed, r.hint) for k, r in found.items()}
    # The validator's visitor and message leave nothing behind; nor do the api and sns layers' own messages, sent
    # through the API and straight to the function (checking again and again must not fill the learner's table).
    others = {r.check: r.status for r in validators.run(["api", "sns"], cfg).results}
    assert others["api.signed_in"] == PASS and others["sns.delivery"] == PASS, others
    assert cloud.client("dynamodb").scan(TableName=names(cfg).table)["Items"] == []


def test_function_writing_to_another_table_is_named(cloud):
    cfg = deploy_app(cloud)
    deploy_api(cloud, cfg)
    other = make_cfg(cloud)
    create(cloud, other, [("sender", "HASH"), ("createdAt", "RANGE")])
    lam = cloud.client("lambda")
    variables = lam.get_function_configuration(FunctionName=names(cfg).function)["Environment"]["Variables"]
    lam.update_function_configuration(FunctionName=names(cfg).function,
                                      Environment={"Variables": {**variables, "TABLE_NAME": names(other).table}})
    found = results(cfg)["dynamodb.through_api"]
    assert found.status == FAIL and "TABLE_NAME" in found.hint and "wrong table key" in found.hint
    assert names(other).table in found.observed
    # The function's role names its own table only, so the other table's PutItem was refused, as on AWS (the role
    # is enforced: tests/cloud/runtime/test_execution_role.py): nothing landed there.
    assert cloud.client("dynamodb").scan(TableName=names(other).table)["Items"] == []


def test_wrong_key_is_named_and_stops_the_layer(cloud):
    cfg = make_cfg(cloud)
    create(cloud, cfg, [("id", "HASH")])
    found = results(cfg)
    assert found["dynamodb.keys"].status == FAIL and "wrong table key" in found["dynamodb.keys"].hint
    assert found["dynamodb.round_trip"].status == BLOCKED and found["dynamodb.round_trip"].blocked_by == "dynamodb.keys"
    assert found["dynamodb.billing"].status == PASS  # it does not depend on the keys


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


def test_a_table_still_being_created_is_pending_not_failed():
    """CreateTable answers at once with TableStatus CREATING; the table turns ACTIVE a few seconds later (AWS's
    DescribeTable reference): the check waits, then says pending, as for any AWS still settling."""
    import pytest as _pytest

    from labkit import NotYet, config
    from validators.base import Context
    from validators.dynamodb import probe_table

    ctx = Context(config.load({}), facts={"table": {"TableName": "lab-messages", "TableStatus": "CREATING"}})
    with _pytest.raises(NotYet, match="the table is CREATING"):
        probe_table(ctx)
    assert "table" not in ctx.facts  # the next try reads the table again
    ctx.facts["table"] = {"TableName": "lab-messages", "TableStatus": "DELETING"}
    result = probe_table(ctx)
    assert result.status == "fail" and "being deleted" in result.hint
