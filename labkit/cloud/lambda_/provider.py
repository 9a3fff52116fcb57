"""lambda:Invoke and lambda:InvokeAsync answered by the Lambda runtime instead of moto (which needs Docker to run
code, research/moto-5.2.5.md §7). The registry parses the request and serialises this answer with the Lambda
model: Payload is the body, FunctionError, LogResult and ExecutedVersion go to their X-Amz-* headers, and
StatusCode is the HTTP status (Invoke API reference: 200 RequestResponse, 202 Event, 204 DryRun).
"""

from __future__ import annotations

from typing import Any

from ..core.providers import Context, Provider


class LambdaInvoke(Provider):
    service = "lambda"

    def __init__(self, runtime: Any) -> None:
        super().__init__(runtime.cloud)
        self.runtime = runtime

    def invoke(self, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        result = self.runtime.invoke(
            params["FunctionName"],
            params.get("Payload") or b"",
            invocation_type=params.get("InvocationType") or "RequestResponse",
            qualifier=params.get("Qualifier"),
            client_context=params.get("ClientContext"),
            account=ctx.account,
            region=ctx.region,
        )
        output: dict[str, Any] = {"StatusCode": result.status, "Payload": result.payload}
        if result.status == 200:
            output["ExecutedVersion"] = result.executed_version
            if result.function_error:
                output["FunctionError"] = result.function_error
            if params.get("LogType") == "Tail":  # LogResult only for synchronous invocations
                output["LogResult"] = result.log_tail
        return output

    def invoke_async(self, params: dict[str, Any], ctx: Context) -> dict[str, Any]:
        """The deprecated InvokeAsync: an Event invocation."""
        result = self.runtime.invoke(params["FunctionName"], params.get("InvokeArgs") or b"",
                                     invocation_type="Event", account=ctx.account, region=ctx.region)
        return {"Status": result.status}
