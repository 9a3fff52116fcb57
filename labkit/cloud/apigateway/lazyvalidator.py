"""moto's API Gateway without the ~2 s import of the OpenAPI validator it seldom uses.

moto.apigateway.models imports openapi_spec_validator at its top, only to check the document of an ImportRestApi or
PutRestApi with failOnWarnings. That import pulls in jsonschema, whose format checkers build rfc3987_syntax's grammar
at import: measured here, 1.9 s of the 2.1 s moto.apigateway takes, paid by the first API Gateway request of every
local cloud (in the workshop, notebook 07's check).

    defer()   before moto's import: stand-ins answer the two names moto imports; the real validator is imported the
              first time moto calls it, and its error is handed to moto as the stand-in's

The stand-ins leave sys.modules as soon as moto.apigateway.models has run, so that anyone else importing
openapi_spec_validator gets the real package.
"""

from __future__ import annotations

import importlib
import sys
from types import ModuleType
from typing import Any

from ..moto.importhook import when_imported

MOTO_MODULE = "moto.apigateway.models"
PACKAGE = "openapi_spec_validator"
STAND_INS = (PACKAGE, f"{PACKAGE}.validation", f"{PACKAGE}.validation.exceptions")


class OpenAPIValidationError(Exception):
    """What moto catches (``except OpenAPIValidationError as e``) and reads (``e.message``)."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message


def validate(spec: Any, *args: Any, **kwargs: Any) -> None:
    """The real ``openapi_spec_validator.validate``, imported now, its validation error as the stand-in's."""
    _forget_stand_ins()
    real = importlib.import_module(PACKAGE)
    error = importlib.import_module(f"{PACKAGE}.validation.exceptions").OpenAPIValidationError
    try:
        real.validate(spec, *args, **kwargs)
    except error as exc:
        raise OpenAPIValidationError(exc.message) from exc


def defer() -> None:
    """Put the stand-ins in place until moto's API Gateway models are imported (nothing to do once they are)."""
    if MOTO_MODULE in sys.modules or PACKAGE in sys.modules:
        return
    modules = {name: ModuleType(name) for name in STAND_INS}
    modules[PACKAGE].validate = validate  # type: ignore[attr-defined]
    modules[STAND_INS[2]].OpenAPIValidationError = OpenAPIValidationError  # type: ignore[attr-defined]
    sys.modules.update(modules)
    when_imported(MOTO_MODULE, lambda module: _forget_stand_ins())


def _forget_stand_ins() -> None:
    for name in STAND_INS:
        module = sys.modules.get(name)
        if module is not None and getattr(module, "__spec__", None) is None:  # a stand-in: no import made it
            del sys.modules[name]
