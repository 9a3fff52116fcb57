"""moto's server application, made fast enough to sit behind every request.

    wsgi_app()                   moto's server application (the host → backend lookup remembered)
    keep_underscored_headers()   what moto_server's request handler adds to each environ
    reset()                      forget every resource (tests)
"""

from __future__ import annotations

import functools
from typing import Any

from moto.core import responses as _moto_responses
from moto.core.base_backend import BackendDict
from moto.core.config import default_user_config
from moto.core.request import (
    PRESERVED_HEADER_NAMES_ENVIRON_KEY,
    environ_key_for_header,
    should_preserve_original_header_name,
)
from moto.moto_server.werkzeug_app import (
    DomainDispatcherApplication,
    create_backend_app,
)

from . import LOCK, accounts  # noqa: F401  (accounts patches moto's account lookup)

# AWS managed policies (AmazonDynamoDBFullAccess…) exist in every account: learners attach them, and the Lambda
# validator must be able to say why they should not. moto loads them only when asked.
default_user_config.setdefault("iam", {})["load_aws_managed_policies"] = True


class _Dispatcher(DomainDispatcherApplication):
    """moto's dispatcher with its host → backend lookup remembered. moto answers it by listing its package
    directory and matching ~170 URL patterns on every request (about 1 ms, two thirds of a small call's time);
    the answer depends on the host name alone, and the hosts it sees are a few per service and region."""

    @functools.lru_cache(maxsize=512)  # noqa: B019 (one dispatcher lives as long as the process)
    def get_backend_for_host(self, host: str | None) -> Any:
        return super().get_backend_for_host(host)


# moto lists a response class's methods with inspect.getmembers on every request (setup_class); a class's methods
# do not change while the process runs.
_moto_responses.method_names_from_class = functools.lru_cache(maxsize=None)(_moto_responses.method_names_from_class)


def keep_underscored_headers(environ: dict[str, Any], headers: list[tuple[bytes, bytes]]) -> None:
    """What moto_server's request handler adds to an environ: S3 metadata headers whose names hold "_" (dropped by
    WSGI servers, since X_Foo would pose as X-Foo), under their original spelling, unless a dashed one exists."""
    dashed = {environ_key_for_header(n.decode("latin-1")) for n, _ in headers if b"_" not in n}
    names: dict[str, str] = {}
    values: dict[str, list[str]] = {}
    for raw_name, raw_value in headers:
        name = raw_name.decode("latin-1")
        if not should_preserve_original_header_name(name):
            continue
        key = environ_key_for_header(name)
        if key in dashed:
            continue
        names.setdefault(key, name)
        values.setdefault(key, []).append(raw_value.decode("latin-1").replace("\r\n", ""))
    for key, key_values in values.items():
        environ[key] = ",".join(key_values)
    environ[PRESERVED_HEADER_NAMES_ENVIRON_KEY] = names


def wsgi_app() -> DomainDispatcherApplication:
    """moto's server application: routes a request to the service its signature (or path) names."""
    return _Dispatcher(create_backend_app)


def reset() -> None:
    from .changes import RESET, count_change

    with LOCK:
        BackendDict.reset()
        count_change(RESET)
