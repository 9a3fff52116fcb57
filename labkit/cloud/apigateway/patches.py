"""API Gateway's patch operations (UpdateMethod, UpdateIntegration, UpdateResource, UpdateMethodResponse,
UpdateIntegrationResponse), applied to moto's objects; moto 5.2.5 has none of these operations.

    apply(kind, obj, operations)   each {op, path, value}; the fields ``FIELDS[kind]`` name, in API Gateway's JSON
                                   names, may be changed; anything else is BadRequestException naming the path

A PatchOperation's value is always a string (API reference, PatchOperation): "true"/"false" for booleans, digits for
numbers. A path is "/field" or "/field/key" for a map entry, with "/" in a key written "~1" (JSON Pointer, RFC
6901): "/requestTemplates/application~1json". ``add`` on a list field appends its value; ``remove`` with a value
takes that item out. Changes reach callers at the next CreateDeployment, as on AWS: the data plane serves what
was deployed.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from ..core.errors import AwsError

AUTHORIZATION_TYPES = ("NONE", "AWS_IAM", "CUSTOM", "COGNITO_USER_POOLS")
# field → (moto attribute, kind); kinds: str, bool, int, list, map (string values), flags (boolean values)
FIELDS: dict[str, dict[str, tuple[str, str]]] = {
    "method": {
        "authorizationType": ("authorization_type", "str"), "authorizerId": ("authorizer_id", "str"),
        "apiKeyRequired": ("api_key_required", "bool"), "operationName": ("operation_name", "str"),
        "requestValidatorId": ("request_validator_id", "str"), "authorizationScopes": ("authorization_scopes", "list"),
        "requestParameters": ("request_parameters", "flags"), "requestModels": ("request_models", "map"),
    },
    "integration": {
        "uri": ("uri", "str"), "httpMethod": ("http_method", "str"), "credentials": ("credentials", "str"),
        "passthroughBehavior": ("passthrough_behaviour", "str"), "contentHandling": ("content_handling", "str"),
        "connectionType": ("connection_type", "str"), "cacheNamespace": ("cache_namespace", "str"),
        "timeoutInMillis": ("timeout_in_millis", "int"), "cacheKeyParameters": ("cache_key_parameters", "list"),
        "requestTemplates": ("request_templates", "map"), "requestParameters": ("request_parameters", "map"),
    },
    "resource": {"pathPart": ("path_part", "str"), "parentId": ("parent_id", "str")},
    "method_response": {"responseParameters": ("response_parameters", "flags"),
                        "responseModels": ("response_models", "map")},
    "integration_response": {
        "selectionPattern": ("selection_pattern", "str"), "contentHandling": ("content_handling", "str"),
        "responseTemplates": ("response_templates", "map"), "responseParameters": ("response_parameters", "map"),
    },
}
# API reference, Integration: "The default value is 29,000 milliseconds or 29 seconds" and at least 50.
TIMEOUT_RANGE = (50, 29_000)


def _bad(message: str) -> AwsError:
    return AwsError("BadRequestException", message, 400)


def _unescape(segment: str) -> str:
    return segment.replace("~1", "/").replace("~0", "~")


def _typed(kind: str, value: Any, path: str) -> Any:
    if kind in ("bool", "flags"):
        text = str(value).lower()
        if text not in ("true", "false"):
            raise _bad(f"Invalid boolean value '{value}' for patch path '{path}': use 'true' or 'false'")
        return text == "true"
    if kind == "int":
        try:
            number = int(str(value))
        except ValueError:
            raise _bad(f"Invalid number '{value}' for patch path '{path}'") from None
        if path == "/timeoutInMillis" and not TIMEOUT_RANGE[0] <= number <= TIMEOUT_RANGE[1]:
            raise _bad(f"Timeout should be between {TIMEOUT_RANGE[0]} ms and {TIMEOUT_RANGE[1]} ms")
        return number
    return None if value is None else str(value)


def _apply_one(fields: dict[str, tuple[str, str]], obj: Any, operation: dict[str, Any]) -> None:
    op, path, value = operation.get("op"), operation.get("path") or "", operation.get("value")
    if op not in ("add", "remove", "replace"):
        raise _bad(f"Invalid patch operation '{op}' for path '{path}': use add, remove or replace")
    segments = [_unescape(part) for part in path.split("/")[1:]] if path.startswith("/") else []
    if not segments or segments[0] not in fields or len(segments) > 2:
        raise _bad(f"Invalid patch path '{path}' specified for op '{op}'. "
                   f"Must be one of: [{', '.join('/' + name for name in fields)}]")
    attribute, kind = fields[segments[0]]
    if len(segments) == 2:  # one entry of a map
        if kind not in ("map", "flags"):
            raise _bad(f"Invalid patch path '{path}': {segments[0]} is not a map")
        entries = dict(getattr(obj, attribute) or {})
        if op == "remove":
            entries.pop(segments[1], None)
        else:
            entries[segments[1]] = _typed("bool" if kind == "flags" else "str", value, path)
        setattr(obj, attribute, entries)
        return
    if kind == "list":
        items = list(getattr(obj, attribute) or [])
        if op == "add":
            items.append(str(value))
        elif op == "remove":
            items = [item for item in items if value is not None and item != value]
        else:
            items = [str(value)] if value is not None else []
        setattr(obj, attribute, items)
        return
    if kind in ("map", "flags"):
        if op != "remove":
            raise _bad(f"Invalid patch path '{path}': name an entry, as '{path}/<key>'")
        setattr(obj, attribute, {})
        return
    if op == "remove":
        setattr(obj, attribute, False if kind == "bool" else None)
        return
    typed = _typed(kind, value, path)
    if segments[0] == "authorizationType" and typed not in AUTHORIZATION_TYPES:
        raise _bad(f"Invalid authorization type '{typed}': use one of {', '.join(AUTHORIZATION_TYPES)}")
    if segments[0] == "pathPart" and (not typed or "/" in typed):
        raise _bad(f"Invalid path part '{typed}': one segment of the path, without '/'")
    setattr(obj, attribute, typed)


def apply(kind: str, obj: Any, operations: list[dict[str, Any]], check: Callable[[], None] | None = None) -> None:
    """Apply every operation or none: a refused one, or ``check`` (run on the result) raising AwsError, puts back
    every field as it was before the call."""
    fields = FIELDS[kind]
    saved = {attribute: getattr(obj, attribute, None) for attribute, _ in fields.values()}
    try:
        for operation in operations or []:
            _apply_one(fields, obj, operation)
        if check is not None:
            check()
    except AwsError:
        for attribute, value in saved.items():
            setattr(obj, attribute, value)
        raise
