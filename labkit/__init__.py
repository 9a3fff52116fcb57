"""labkit: what the Serverless Lab Kit's notebooks and validators import.

    cfg = labkit.activate()        read LAB_* settings, point plain boto3 at the target (local cloud or AWS)
    labkit.show_target(cfg)        check the target is usable, print target, account, region, endpoints
    labkit.client("s3")            the kit's own boto3 client (fails fast on the local cloud)
    labkit.tags(style="list")      the lab:workshop / lab:owner tags for a create call
    labkit.names(cfg)              the name of every resource the workshop creates
    labkit.first(found, missing)   what an earlier notebook made, or one line naming that notebook
    labkit.s3_object_url(…), labkit.api_url(api_id, stage)   addresses that differ by target (endpoints.py)
    labkit.site_origin(cfg), labkit.site_origins(cfg)         the site's origin; it and its www name (CORS)
    labkit.retry_until(…)          wait on a condition with a deadline and a progress bar
"""

from .config import Config, load as load_config
from .endpoints import (api_url, cognito_endpoint, cognito_jwks_url, distribution_url, dns_server, s3_object_url,
                        site_origin, site_origins)
from .environment import check_environment, show_target
from .errors import CloudDown, ConfigError, LabError, PortInUse, TargetError
from .names import Names, first, names
from .notebook import install_error_display
from .tags import tags
from .target import activate, check, client
from .waiting import Fatal, NotYet, StillPending, retry_until

__all__ = [
    "CloudDown",
    "Config",
    "ConfigError",
    "Fatal",
    "LabError",
    "Names",
    "NotYet",
    "PortInUse",
    "StillPending",
    "TargetError",
    "activate",
    "api_url",
    "check",
    "check_environment",
    "client",
    "cognito_endpoint",
    "cognito_jwks_url",
    "distribution_url",
    "dns_server",
    "first",
    "load_config",
    "names",
    "retry_until",
    "s3_object_url",
    "show_target",
    "site_origin",
    "site_origins",
    "tags",
]

install_error_display()
