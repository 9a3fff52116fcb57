"""What the data plane reads live from the control plane, cached until the services it comes from change.

    LiveState        locate(api_id), rest_stage(), usage_plans(), http_definition(), http_stage(),
                     lambda_policy(), function_timeout(), pool_exists(), rest_definition()

Each read is cached under the change count of the moto services it depends on (changes.change_count): a request
reads moto once after an API Gateway, Lambda, WAF or Cognito change, and not at all otherwise. (cloud.generation
would not do: the contact app's own DynamoDB PutItem moves it on every request.) The count is taken before the
read, so a change landing during the read makes the next request read again.
"""

from __future__ import annotations

import threading
from collections.abc import Callable
from typing import Any

from ..cognito import models as cognito_models
from ..lambda_ import models as lambda_models
from ..moto import changes
from . import models

_APIS = ("apigateway", "apigatewayv2")
_MAX_ENTRIES = 4096


class LiveState:
    def __init__(self) -> None:
        self._cache: dict[tuple[Any, ...], tuple[int, Any]] = {}
        self._lock = threading.Lock()

    def _cached(self, key: tuple[Any, ...], services: tuple[str, ...], load: Callable[[], Any]) -> Any:
        count = changes.change_count(*services)
        with self._lock:
            hit = self._cache.get(key)
        if hit is not None and hit[0] == count:
            return hit[1]
        value = load()
        with self._lock:
            if len(self._cache) >= _MAX_ENTRIES:
                self._cache.clear()
            self._cache[key] = (count, value)
        return value

    def locate(self, api_id: str) -> models.ApiLocation | None:
        return self._cached(("locate", api_id), _APIS, lambda: models.apigw_locate(api_id))

    def rest_stage(self, loc: models.ApiLocation, api_id: str, stage: str) -> dict[str, Any] | None:
        # AssociateWebACL writes the stage's webAclArn: a WAF change counts too.
        return self._cached(("stage", api_id, stage), ("apigateway", "wafv2"),
                            lambda: models.apigw_stage(loc.account, loc.region, api_id, stage))

    def rest_definition(self, loc: models.ApiLocation, api_id: str) -> dict[str, Any] | None:
        return self._cached(("rest", api_id), ("apigateway",),
                            lambda: models.apigw_rest_definition(loc.account, loc.region, api_id))

    def usage_plans(self, loc: models.ApiLocation) -> list[dict[str, Any]]:
        return self._cached(("plans", loc.account, loc.region), ("apigateway",),
                            lambda: models.apigw_usage_plans(loc.account, loc.region))

    def http_definition(self, loc: models.ApiLocation, api_id: str) -> dict[str, Any] | None:
        return self._cached(("http", api_id), ("apigatewayv2",),
                            lambda: models.apigw_http_definition(loc.account, loc.region, api_id))

    def http_stage(self, loc: models.ApiLocation, api_id: str, stage: str) -> dict[str, Any] | None:
        return self._cached(("http-stage", api_id, stage), ("apigatewayv2",),
                            lambda: models.apigw_http_stage(loc.account, loc.region, api_id, stage))

    def lambda_policy(self, account: str, region: str, name: str, qualifier: str | None) -> dict[str, Any] | None:
        return self._cached(("policy", account, region, name, qualifier), ("awslambda",),
                            lambda: lambda_models.lambda_policy(account, region, name, qualifier))

    def function_timeout(self, account: str, region: str, name: str, qualifier: str | None) -> float | None:
        """The function's Timeout in seconds, or None when it does not exist."""

        def load() -> float | None:
            try:
                return float(lambda_models.lambda_version(account, region, name, qualifier).timeout)
            except lambda_models.LambdaLookupError:
                return None

        return self._cached(("timeout", account, region, name, qualifier), ("awslambda",), load)

    def pool_exists(self, pool_id: str) -> bool:
        return self._cached(("pool", pool_id), ("cognito-idp",),
                            lambda: cognito_models.cognito_pool_region(pool_id) is not None)
