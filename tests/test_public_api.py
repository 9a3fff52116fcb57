"""labkit's public names are what notebooks import: adding one is a decision, removing one breaks a notebook."""

import labkit

PUBLIC = {
    "CloudDown", "Config", "ConfigError", "Fatal", "LabError", "Names", "NotYet", "PortInUse", "StillPending",
    "TargetError", "activate", "api_url", "check", "check_environment", "client", "cognito_endpoint",
    "cognito_jwks_url", "distribution_url", "dns_server", "load_config", "names", "retry_until", "s3_object_url",
    "show_target", "site_origin", "tags",
}


def test_public_names_are_pinned():
    assert set(labkit.__all__) == PUBLIC
    for name in PUBLIC:
        assert hasattr(labkit, name), name
