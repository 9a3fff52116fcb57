"""labkit's public names are what notebooks import: adding one is a decision, removing one breaks a notebook."""

import labkit

PUBLIC = {
    "CloudDown", "Config", "ConfigError", "Fatal", "LabError", "Names", "NotYet", "PortInUse", "StillPending",
    "TargetError", "activate", "api_url", "check", "check_environment", "client", "cognito_endpoint",
    "cognito_jwks_url", "distribution_url", "dns_server", "first", "load_config", "names", "retry_until", "s3_object_url",
    "show_target", "site_origin", "site_origins", "tags",
}


def test_public_names_are_pinned():
    assert set(labkit.__all__) == PUBLIC
    for name in PUBLIC:
        assert hasattr(labkit, name), name


def test_first_names_the_notebook_to_run_when_nothing_is_found():
    import pytest

    assert labkit.first(iter(["a", "b"]), "unused") == "a"
    with pytest.raises(labkit.LabError, match="run notebook 02 first"):
        labkit.first((z for z in [] if z), "no hosted zone for contact.localhost: run notebook 02 first")
