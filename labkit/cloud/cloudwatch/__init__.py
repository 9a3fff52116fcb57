"""CloudWatch, as far as the data planes write to it (Logs and metrics), and alarms that watch the metrics.

    models.py      put_log_lines: log events appended to a group and stream, both created when missing;
                   put_metric_data: datapoints in AWS's own namespaces; alarms start INSUFFICIENT_DATA
    writer.py      BatchWriter: what a request queues, written by a thread of its own (access logs, metrics)
    metrics.py     MetricWriter: datapoints queued by a request
    alarms.py      evaluate(alarm, points): the state a metric alarm's datapoints put it in; the SNS notification
    component.py   AlarmEvaluator: evaluates every alarm every few seconds; a change of state runs its actions
"""
