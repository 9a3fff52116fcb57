"""Layer 07 · DynamoDB: the messages table exists with the keys the Lambda function queries by, bills per request,
a written item can be read back the way the API reads it, and (once notebook 09 deployed the API) a message sent
through the API is found in this table under the sender's e-mail."""

from __future__ import annotations

import secrets
import time
import uuid

from botocore.exceptions import ClientError

from labkit import NotYet, names

from .base import PASS, Check, Context, Result, failed, passed, skipped

EXPECTED_KEYS = {"HASH": ("sender", "S"), "RANGE": ("createdAt", "S")}


def _table(ctx: Context) -> dict:
    if "table" not in ctx.facts:
        ctx.facts["table"] = ctx.client("dynamodb").describe_table(TableName=names(ctx.cfg).table)["Table"]
    return ctx.facts["table"]


def probe_table(ctx: Context) -> Result:
    try:
        table = _table(ctx)
    except ClientError as exc:
        if exc.response["Error"]["Code"] == "ResourceNotFoundException":
            return failed(f"no table {names(ctx.cfg).table}", "the table exists", "run notebook 07's create-table cell")
        raise
    status = table["TableStatus"]
    if status in ("CREATING", "UPDATING"):  # AWS still settling: retried, then pending
        ctx.facts.pop("table", None)
        raise NotYet(f"the table is {status}")
    if status != "ACTIVE":
        return failed(status, "ACTIVE", "the table is being deleted: once it is gone, run notebook 07's create-table "
                      "cell again")
    return passed(f"{table['TableName']} ACTIVE")


def probe_keys(ctx: Context) -> Result:
    table = _table(ctx)
    types = {a["AttributeName"]: a["AttributeType"] for a in table["AttributeDefinitions"]}
    keys = {k["KeyType"]: (k["AttributeName"], types.get(k["AttributeName"])) for k in table["KeySchema"]}
    if keys != EXPECTED_KEYS:
        shown = ", ".join(f"{kind} {name} ({kind_type})" for kind, (name, kind_type) in sorted(keys.items()))
        return failed(shown, "HASH sender (S), RANGE createdAt (S)",
                      "wrong table key: the function stores and queries messages by sender, newest first by createdAt; "
                      "keys cannot change, so delete the table and create it again")
    return passed("HASH sender, RANGE createdAt")


def probe_billing(ctx: Context) -> Result:
    mode = _table(ctx).get("BillingModeSummary", {}).get("BillingMode", "PROVISIONED")
    if mode != "PAY_PER_REQUEST":
        return failed(mode, "PAY_PER_REQUEST", "use BillingMode='PAY_PER_REQUEST': no capacity to plan, no idle cost")
    return passed(mode)


def probe_round_trip(ctx: Context) -> Result:
    """Write an item as the function does and read it back with the function's query."""
    ddb, table = ctx.client("dynamodb"), names(ctx.cfg).table
    sender = f"validator-{uuid.uuid4().hex[:8]}@example.com"
    created = time.strftime("%Y-%m-%dT%H:%M:%S.000+00:00", time.gmtime())
    ddb.put_item(TableName=table, Item={"sender": {"S": sender}, "createdAt": {"S": created},
                                         "id": {"S": "probe"}, "name": {"S": "validator"}, "message": {"S": "probe"}})
    try:
        found = ddb.query(TableName=table, KeyConditionExpression="sender = :s",
                          ExpressionAttributeValues={":s": {"S": sender}})["Items"]
    finally:
        ddb.delete_item(TableName=table, Key={"sender": {"S": sender}, "createdAt": {"S": created}})
    if len(found) != 1:
        return failed(f"query found {len(found)} items", "1 item", "the table's keys do not match the function's query")
    return passed("put, query by sender, delete")


def _other_table_hint(table: str) -> str:
    return (f"the function writes to another table (its TABLE_NAME must be {table}) or under a wrong table key: "
            "sender is the caller's e-mail from the authorizer's claims, createdAt the time")


def _function_table(ctx: Context) -> str:
    variables = ctx.client("lambda").get_function_configuration(
        FunctionName=names(ctx.cfg).function).get("Environment", {}).get("Variables", {})
    return variables.get("TABLE_NAME", "unset")


def probe_through_api(ctx: Context) -> Result:
    """A throw-away visitor POSTs a unique message; the item must be in this table under the visitor's e-mail (the
    sender the function takes from the authorizer's claims). Notebook 07 runs before the API exists, so until then
    the check is skipped, not failed."""
    from . import api

    if api.probe_api(ctx).status != PASS:
        return skipped("runs once notebook 09 deployed the API: a message sent through it must land in this table")
    ddb, table = ctx.client("dynamodb"), names(ctx.cfg).table
    marker = f"validator {secrets.token_hex(4)}"
    answer, email = api.post_as_visitor(ctx, marker, keep=True)  # read below, then deleted
    if answer.status_code != 201:
        written_to = _function_table(ctx)
        if answer.status_code == 502 and written_to != table:  # its role then refuses it that other table, as on AWS
            return failed(f"POST → 502 (the function's TABLE_NAME is {written_to})", "201", _other_table_hint(table))
        return failed(f"POST → {answer.status_code} {answer.text[:150]}", "201",
                      "the API did not accept the message: the api layer's checks (notebook 09) say why")
    # The function's own read path: the partition key is the sender; the marker picks out this very item.
    items = ddb.query(TableName=table, KeyConditionExpression="sender = :s", ConsistentRead=True,
                      ExpressionAttributeValues={":s": {"S": email}})["Items"]
    mine = [i for i in items if i.get("message", {}).get("S") == marker]
    for item in mine:
        ddb.delete_item(TableName=table, Key={"sender": item["sender"], "createdAt": item["createdAt"]})
    if not mine:
        return failed(f"no item with sender {email} and the message in {table} "
                      f"(the function's TABLE_NAME is {_function_table(ctx)})",
                      f"the item under sender={email}", _other_table_hint(table))
    return passed(f"POST through the API → item sender={email}, createdAt={mine[0]['createdAt']['S']}")


CHECKS = [
    Check("dynamodb.table", "the messages table exists and is active", probe_table, wait=30),
    Check("dynamodb.keys", "keys: sender (partition), createdAt (sort)", probe_keys, needs=("dynamodb.table",)),
    Check("dynamodb.billing", "billing per request", probe_billing, needs=("dynamodb.table",)),
    Check("dynamodb.round_trip", "an item written as the function writes is found by its query", probe_round_trip,
          needs=("dynamodb.keys",)),
    Check("dynamodb.through_api", "the item written through the API is found", probe_through_api,
          needs=("dynamodb.keys", "api.signed_in")),
]
