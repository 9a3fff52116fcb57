"""Errors the Lambda platform itself reports (not the handler): their payloads and log lines, in AWS's shape.

    timeout_error(request_id, seconds)      Sandbox.Timedout: "RequestId: … Error: Task timed out after 1.00 seconds"
    timeout_log_line(request_id, seconds)   "<ISO time> <request id> Task timed out after 1.00 seconds"
    exit_error(request_id, status)          Runtime.ExitError: "… Error: Runtime exited with error: signal: killed",
                                            or "… Error: Runtime exited without providing a reason" after exit 0
    exit_log_line(request_id, status)       the same, as Lambda logs it (message, then the error type)
    exit_status(returncode)                 "exit status 1", "signal: aborted"… as Lambda words a process's end
    response_too_large()                    Function.ResponseSizeTooLarge, past the 6 MB response limit

Sources: AWS payloads seen in public reports, e.g. ``{"errorType":"Runtime.ExitError","errorMessage":"RequestId:
d88fc138-… Error: Runtime exited with error: exit status 137"}`` (aws/aws-lambda-dotnet#480), "signal: killed"
for a function over its memory (awslabs/amazon-s3-find-and-forget#283); the "Task timed out after N.NN seconds"
log line and REPORT ``Status: timeout`` (AWS Lambda troubleshooting guide); "Runtime exited without providing a
reason" (aws-samples/aws-lambda-java-custom-runtime#4). Lambda's platform is written in Go, so
exit statuses use Go's wording of signals.
"""

from __future__ import annotations

import json
import signal
import time

RESPONSE_LIMIT = 6_291_556  # bytes, the number Lambda's Function.ResponseSizeTooLarge message names

# Go's names for signals (syscall.Signal.String()), which Lambda's "Runtime exited with error" uses.
_SIGNAL_NAMES = {
    signal.SIGABRT: "aborted",
    signal.SIGBUS: "bus error",
    signal.SIGFPE: "floating point exception",
    signal.SIGHUP: "hangup",
    signal.SIGILL: "illegal instruction",
    signal.SIGINT: "interrupt",
    signal.SIGKILL: "killed",
    signal.SIGPIPE: "broken pipe",
    signal.SIGQUIT: "quit",
    signal.SIGSEGV: "segmentation fault",
    signal.SIGTERM: "terminated",
    signal.SIGTRAP: "trace/breakpoint trap",
    signal.SIGUSR1: "user defined signal 1",
    signal.SIGUSR2: "user defined signal 2",
    signal.SIGXCPU: "CPU time limit exceeded",
}


def _compact(payload: dict) -> bytes:
    return json.dumps(payload, separators=(",", ":")).encode()


def exit_status(returncode: int | None) -> str:
    if returncode is None:
        return "exit status unknown"
    if returncode < 0:
        number = -returncode
        try:
            name = _SIGNAL_NAMES.get(signal.Signals(number)) or signal.Signals(number).name
        except ValueError:
            name = f"signal {number}"
        return f"signal: {name}"
    return f"exit status {returncode}"


def _exit_reason(status: str) -> str:
    if status == "exit status 0":  # a clean exit mid-invocation (sys.exit() in a handler) names no error
        return "Runtime exited without providing a reason"
    return f"Runtime exited with error: {status}"


def exit_error(request_id: str, status: str) -> bytes:
    return _compact({"errorType": "Runtime.ExitError",
                     "errorMessage": f"RequestId: {request_id} Error: {_exit_reason(status)}"})


def exit_log_line(request_id: str, status: str) -> str:
    return f"RequestId: {request_id} Error: {_exit_reason(status)}\nRuntime.ExitError"


def timeout_error(request_id: str, seconds: float) -> bytes:
    return _compact({"errorType": "Sandbox.Timedout",
                     "errorMessage": f"RequestId: {request_id} Error: Task timed out after {seconds:.2f} seconds"})


def timeout_log_line(request_id: str, seconds: float, now: float | None = None) -> str:
    now = time.time() if now is None else now
    stamp = time.strftime("%Y-%m-%dT%H:%M:%S", time.gmtime(now)) + f".{int(now * 1000) % 1000:03d}Z"
    return f"{stamp} {request_id} Task timed out after {seconds:.2f} seconds"


def response_too_large() -> bytes:
    return _compact({"errorMessage": f"Response payload size exceeded maximum allowed payload size "
                                     f"({RESPONSE_LIMIT} bytes).",
                     "errorType": "Function.ResponseSizeTooLarge"})
