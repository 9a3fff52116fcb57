"""What a table's writes consume, as DynamoDB counts it and publishes it to CloudWatch.

    write_units(size)          write request units of one write of an item of ``size`` bytes
    consumed(table, units)     the ConsumedWriteCapacityUnits datapoint of one write

AWS (DynamoDB developer guide, "DynamoDB read/write capacity mode"): "One write request unit represents one write
for an item up to 1 KB in size"; a larger item takes one more unit per started KB. For UpdateItem "the larger of the
item's before and after size" counts, and for DeleteItem the deleted item's. Metrics ("DynamoDB metrics and
dimensions"): namespace AWS/DynamoDB, ConsumedWriteCapacityUnits with the dimension TableName, read with Sum; it is
published for on-demand tables too.
"""

from __future__ import annotations

import math
from typing import Any

NAMESPACE = "AWS/DynamoDB"
UNIT_BYTES = 1024


def write_units(size: int) -> int:
    return max(1, math.ceil(size / UNIT_BYTES))


def consumed(table: str, units: int) -> list[dict[str, Any]]:
    return [{"MetricName": "ConsumedWriteCapacityUnits", "Dimensions": [{"Name": "TableName", "Value": table}],
             "Value": float(units), "Unit": "Count"}]
