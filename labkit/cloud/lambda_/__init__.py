"""The Lambda runtime: runs uploaded Python functions in worker processes of the local cloud.

    models.py      moto's function versions (code bytes included) and resource policies, as plain data
    component.py   LambdaRuntime (the Component "lambda"): invoke() for other data planes, health, Event queue
    provider.py    lambda Invoke / InvokeAsync through the runtime
    pool.py        warm workers per function version; reserved and account concurrency limits
    process.py     one worker process seen from the cloud: start, Init, invoke, timeout, memory, kill
    worker.py      the worker process itself: imports the handler once, serves invocations (standard library only)
    zygote.py      a process with boto3 imported that forks workers: cold starts without boto3's import cost
    context.py     the context object handlers receive
    code.py        deployment packages unpacked once per code version
    logs.py        START / END / REPORT and the handler's output in CloudWatch Logs
    metrics.py     Invocations, Errors, Duration, Throttles, ConcurrentExecutions in CloudWatch
    faults.py      the platform's own errors: timeout, runtime exit, response too large

Other data planes reach it through the cloud: ``next(c for c in cloud.components if c.name == "lambda").invoke(…)``.
"""

from .component import InvokeResult, LambdaRuntime

__all__ = ["InvokeResult", "LambdaRuntime"]
