"""moto's API Gateway loads without its OpenAPI validator (~2 s of imports) and still validates when asked."""

from __future__ import annotations

import json
import subprocess
import sys

from labkit.config import PROJECT_ROOT

from .helpers import unique

IMPORT_WITHOUT_VALIDATOR = """
import sys
from labkit.cloud.apigateway import lazyvalidator
lazyvalidator.defer()
import moto.apigateway.models as models
print(sorted(m for m in sys.modules if m.split(".")[0] in ("jsonschema", "openapi_spec_validator", "rfc3987_syntax")))
import openapi_spec_validator
print(openapi_spec_validator.__spec__ is not None, models.validate is lazyvalidator.validate)
"""


def test_moto_apigateway_imports_no_validator_and_leaves_the_real_package_importable():
    """Does importing moto's API Gateway models after defer() import neither jsonschema nor the validator, and does
    a later import of openapi_spec_validator get the real package while moto calls the stand-in?"""
    result = subprocess.run([sys.executable, "-c", IMPORT_WITHOUT_VALIDATOR], cwd=PROJECT_ROOT, capture_output=True,
                            text=True, timeout=60)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == ["[]", "True True"]


def test_import_rest_api_still_rejects_an_invalid_document(cloud):
    """Does ImportRestApi with failOnWarnings still answer moto's BadRequestException for an OpenAPI document
    without info.version, and import a valid one?"""
    apigw = cloud.client("apigateway")
    title = unique("openapi")
    paths = {"/x": {"get": {"responses": {"200": {"description": "ok"}}}}}
    bad = {"openapi": "3.0.0", "info": {"title": title, "description": "d"}, "paths": paths}
    try:
        apigw.import_rest_api(body=json.dumps(bad).encode(), failOnWarnings=True)
    except apigw.exceptions.BadRequestException as exc:
        assert "Failed to parse the uploaded OpenAPI document due to: 'version' is a required property" in str(exc)
    else:
        raise AssertionError("an OpenAPI document without info.version was accepted")
    good = {**bad, "info": {**bad["info"], "version": "1"}}
    assert apigw.import_rest_api(body=json.dumps(good).encode(), failOnWarnings=True)["name"] == title
