"""DynamoDB, as far as the local cloud adds to moto: the capacity a table's writes consume, in CloudWatch.

    models.py      moto's PutItem, UpdateItem and DeleteItem report the size of the item they wrote
    metrics.py     write units from an item's size; ConsumedWriteCapacityUnits datapoints
    component.py   TableMetrics: writes those datapoints off the request path
"""
