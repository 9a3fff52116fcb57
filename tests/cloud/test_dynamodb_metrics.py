"""A table's writes publish ConsumedWriteCapacityUnits (dynamodb/): PutItem, UpdateItem, DeleteItem and
BatchWriteItem over the wire with boto3, read back with GetMetricStatistics.

AWS facts: DynamoDB developer guide, "DynamoDB read/write capacity mode": one write request unit is one write of an
item up to 1 KB, one more per started KB; UpdateItem counts the larger of the item's before and after size.
"DynamoDB metrics and dimensions": namespace AWS/DynamoDB, ConsumedWriteCapacityUnits, dimension TableName, Sum.
"""

from __future__ import annotations

import datetime
import secrets

from labkit.cloud.dynamodb.metrics import write_units
from labkit.waiting import NotYet, retry_until


def test_write_units_are_counted_per_started_kilobyte():
    assert [write_units(n) for n in (0, 1, 1024, 1025, 2048, 3000)] == [1, 1, 1, 2, 2, 3]


def _consumed(cloud, table: str, at_least: float) -> float:
    watch = cloud.client("cloudwatch")

    def read() -> float:
        now = datetime.datetime.now(datetime.timezone.utc)
        points = watch.get_metric_statistics(
            Namespace="AWS/DynamoDB", MetricName="ConsumedWriteCapacityUnits",
            Dimensions=[{"Name": "TableName", "Value": table}], Period=600, Statistics=["Sum"],
            StartTime=now - datetime.timedelta(minutes=10), EndTime=now + datetime.timedelta(minutes=1))["Datapoints"]
        total = sum(p["Sum"] for p in points)
        if total < at_least:
            raise NotYet(f"{total} units so far")
        return total

    return retry_until("ConsumedWriteCapacityUnits", read, deadline=30, progress=False)


def test_each_write_consumes_its_units(cloud):
    db = cloud.client("dynamodb")
    table = f"metrics-{secrets.token_hex(3)}"
    db.create_table(TableName=table, BillingMode="PAY_PER_REQUEST", KeySchema=[{"AttributeName": "id",
                    "KeyType": "HASH"}], AttributeDefinitions=[{"AttributeName": "id", "AttributeType": "S"}])
    db.put_item(TableName=table, Item={"id": {"S": "small"}})  # 1 unit
    db.put_item(TableName=table, Item={"id": {"S": "big"}, "text": {"S": "x" * 2500}})  # 3 units
    # An update that shrinks the big item counts its size before (3 units); a delete its deleted item (1 unit).
    db.update_item(TableName=table, Key={"id": {"S": "big"}}, UpdateExpression="SET #t = :t",
                   ExpressionAttributeNames={"#t": "text"}, ExpressionAttributeValues={":t": {"S": "short"}})
    db.delete_item(TableName=table, Key={"id": {"S": "small"}})
    db.batch_write_item(RequestItems={table: [{"PutRequest": {"Item": {"id": {"S": f"b{n}"}}}} for n in range(2)]})
    assert _consumed(cloud, table, 10) == 10  # 1 + 3 + 3 + 1 + 2
    other = f"metrics-{secrets.token_hex(3)}"
    assert _consumed(cloud, other, 0) == 0  # a table's metric is its own
