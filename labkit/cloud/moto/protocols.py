"""Protocols: providers answer AWS operations with dicts; moto's model-driven parser and serializer do the wire.

    service_model()                   a service's botocore model, as moto's serializer wants it
    parse_request() / serialize_*()   moto's botocore-model request parser and response serializer
"""

from __future__ import annotations

import warnings
from typing import Any

from moto.core.parse import PROTOCOL_PARSERS
from moto.core.serialize import get_serializer_class
from moto.core.utils import get_service_model


def service_model(name: str) -> Any:
    """The botocore model of a service (operations, shapes, protocol), in the shape classes moto's serializer needs."""
    return get_service_model(name)


def parse_request(operation_model: Any, request: Any, uri_params: dict[str, str]) -> dict[str, Any]:
    """The operation's input as a dict, parsed from a werkzeug request by the service's protocol."""
    parser = PROTOCOL_PARSERS[operation_model.service_model.protocol](operation_model)
    return parser.parse(
        {
            "method": request.method,
            "values": request.values,
            "headers": request.headers,
            "body": request.get_data(),
            "url_path": request.path,
            "url_params": uri_params,
        }
    )


def serialize_result(operation_model: Any, result: dict[str, Any]) -> dict[str, Any]:
    """``{"body", "headers", "status_code"}`` of a successful response, in the service's protocol."""
    serializer_cls = get_serializer_class(operation_model.service_model.service_name, operation_model.service_model.protocol)
    return serializer_cls(operation_model).serialize(result)


def serialize_error(operation_model: Any, error: Exception) -> dict[str, Any]:
    """The same for an error with ``code`` and ``message`` attributes (labkit.cloud.core.errors.AwsError)."""
    serializer_cls = get_serializer_class(operation_model.service_model.service_name, operation_model.service_model.protocol)
    with warnings.catch_warnings():  # codes outside the model (InternalFailure…) are fine: AWS sends them too
        warnings.simplefilter("ignore", UserWarning)
        return serializer_cls(operation_model).serialize(error)
