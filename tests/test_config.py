"""LAB_* settings: defaults, overrides, and one clear error per malformed value."""

from __future__ import annotations

import pytest

from labkit import config
from labkit.errors import ConfigError


def test_defaults():
    cfg = config.load({})
    assert (cfg.target, cfg.region, cfg.prefix, cfg.domain) == ("local", "us-east-1", "lab", "contact.localhost")
    assert cfg.ports == {"gateway": 4566, "dns": 1053, "https": 4443, "http": 4480, "smtp": 2525}
    assert cfg.gateway_url == "http://127.0.0.1:4566"
    assert cfg.state_dir == config.PROJECT_ROOT / ".labcloud"


def test_overrides():
    cfg = config.load({"LAB_TARGET": "AWS", "LAB_REGION": "eu-west-1", "LAB_PREFIX": "ada", "LAB_DOMAIN": "Ada.Example.",
                       "LAB_AWS_ACCOUNT": "111122223333", "LAB_GATEWAY_PORT": "4567", "LAB_OWNER": "ada"})
    assert (cfg.target, cfg.region, cfg.prefix, cfg.domain, cfg.owner) == ("aws", "eu-west-1", "ada",
                                                                           "ada.example", "ada")
    assert cfg.aws_account == "111122223333" and cfg.ports["gateway"] == 4567
    assert cfg.name("site", "bucket") == "ada-site-bucket"


@pytest.mark.parametrize("env, words", [
    ({"LAB_TARGET": "azure"}, ["LAB_TARGET='azure'", "LAB_TARGET=local", "LAB_TARGET=aws"]),
    ({"LAB_GATEWAY_PORT": "45x"}, ["LAB_GATEWAY_PORT='45x'", "1 to 65535"]),
    ({"LAB_DNS_PORT": "70000"}, ["LAB_DNS_PORT"]),
    ({"LAB_AWS_ACCOUNT": "12345"}, ["12 digits"]),
    ({"LAB_REGION": "mars-1"}, ["region"]),
    ({"LAB_PREFIX": "Bad_Prefix"}, ["LAB_PREFIX"]),
])
def test_malformed_settings_name_the_setting_and_the_fix(env, words):
    with pytest.raises(ConfigError) as caught:
        config.load(env)
    for word in words:
        assert word in str(caught.value)
