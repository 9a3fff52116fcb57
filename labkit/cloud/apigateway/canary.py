"""Canary releases of a REST API stage (API Gateway developer guide, "Set up an API Gateway canary release
deployment" and its pages "Create", "Update", "Promote" and "Turn off a canary release"); moto 5.2.5 has none.

    from_deployment(settings, deployment_id)    CreateDeployment's canarySettings: the stage's canary, on the new
                                                deployment (the stage itself keeps serving its own)
    apply(canary, stage, operations)            UpdateStage: the /canarySettings operations applied to the canary,
                                                promotion's copies to the stage; (canary, stage changes, the other
                                                operations for moto)
    serving(stage, draw)                        the stage a request is served by, and whether it is a canary request

"Total API traffic is separated at random into a production release and a canary release with a pre-configured
ratio" (percentTraffic, 0.0 to 100.0); the canary's requests see the stage's variables with its
stageVariableOverrides over them. Adding canary settings by UpdateStage starts the canary on the stage's own
deployment ("a deployment ID, initially identical to the ID of the base version deployment set on the stage").
"""

from __future__ import annotations

import random
from collections.abc import Callable
from typing import Any

from ..core.errors import AwsError

PREFIX = "/canarySettings"


def _bad(message: str) -> AwsError:
    return AwsError("BadRequestException", message, 400)


def _percent(value: Any) -> float:
    try:
        percent = float(value)
    except (TypeError, ValueError):
        raise _bad(f"Invalid percentTraffic value: {value!r}: a number from 0.0 to 100.0") from None
    if not 0.0 <= percent <= 100.0:
        raise _bad(f"percentTraffic must be between 0.0 and 100.0, not {percent:g}")
    return percent


def from_deployment(settings: dict[str, Any], deployment_id: str) -> dict[str, Any]:
    return {"deploymentId": deployment_id, "percentTraffic": _percent(settings.get("percentTraffic", 0.0)),
            "stageVariableOverrides": dict(settings.get("stageVariableOverrides") or {}),
            "useStageCache": bool(settings.get("useStageCache", False))}


def apply(canary: dict[str, Any] | None, stage: dict[str, Any], operations: list[dict[str, Any]],
          ) -> tuple[dict[str, Any] | None, dict[str, Any], list[dict[str, Any]]]:
    """``stage`` is {"deploymentId", "variables"}; the changes returned name only what the operations changed."""
    changes: dict[str, Any] = {}
    others = []
    for op in operations:
        kind, path, source = op.get("op"), op.get("path", ""), op.get("from", "")
        if kind == "copy":  # promotion: the canary's deployment or variables become the stage's
            if canary is None:
                raise _bad("The stage has no canary settings to copy from")
            if source == f"{PREFIX}/deploymentId" and path == "/deploymentId":
                changes["deploymentId"] = canary["deploymentId"]
            elif source == f"{PREFIX}/stageVariableOverrides" and path == "/variables":
                changes["variables"] = {**stage.get("variables", {}), **changes.get("variables", {}),
                                        **canary["stageVariableOverrides"]}
            else:
                raise _bad(f"Invalid copy operation from {source or '(none)'} to {path}: copy "
                           f"{PREFIX}/deploymentId to /deploymentId or {PREFIX}/stageVariableOverrides to /variables")
            continue
        if not (path == PREFIX or path.startswith(PREFIX + "/")):
            others.append(op)
            continue
        if kind == "remove" and path == PREFIX:
            canary = None
            continue
        canary = dict(canary or from_deployment({}, stage.get("deploymentId") or ""))
        canary["stageVariableOverrides"] = dict(canary["stageVariableOverrides"])
        field, _, key = path[len(PREFIX) + 1:].partition("/")
        value = op.get("value")
        if field == "stageVariableOverrides" and key:
            if kind == "remove":
                canary["stageVariableOverrides"].pop(key, None)
            else:
                canary["stageVariableOverrides"][key] = str(value)
        elif kind != "replace":
            raise _bad(f"Invalid patch operation {kind} on {path}: replace its value, or remove {PREFIX}")
        elif field == "percentTraffic":
            canary["percentTraffic"] = _percent(value)
        elif field == "deploymentId":
            canary["deploymentId"] = str(value)
        elif field == "useStageCache":
            canary["useStageCache"] = str(value).lower() == "true"
        else:
            raise _bad(f"Invalid patch path {path}")
    return canary, changes, others


def serving(stage: dict[str, Any], draw: Callable[[], float] = random.random) -> tuple[dict[str, Any], bool]:
    canary = stage.get("canarySettings")
    if not canary or not canary.get("deploymentId") or draw() * 100.0 >= float(canary.get("percentTraffic") or 0.0):
        return stage, False
    variables = {**(stage.get("variables") or {}), **(canary.get("stageVariableOverrides") or {})}
    return {**stage, "deploymentId": canary["deploymentId"], "variables": variables}, True
