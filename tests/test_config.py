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


def test_a_learner_gets_an_account_a_domain_and_an_owner_of_their_own():
    alice, bob = config.load({"LAB_LEARNER": "alice"}), config.load({"LAB_LEARNER": "Bob "})
    assert (alice.learner, alice.domain, alice.owner, alice.owner_email) == (
        "alice", "alice.contact.localhost", "alice", "alice@example.com")
    assert bob.learner == "bob" and bob.domain == "bob.contact.localhost"
    assert alice.account != bob.account and config.LOCAL_ACCOUNT not in (alice.account, bob.account)
    assert len(alice.account) == 12 and alice.account.isdigit()
    assert config.load({"LAB_LEARNER": "alice"}).account == alice.account  # derived, the same in every process
    assert config.load({}).account == config.LOCAL_ACCOUNT  # no learner: the single-learner setup as before


def test_a_learner_domain_is_prefixed_once_and_only_on_the_local_target():
    assert config.load({"LAB_LEARNER": "alice", "LAB_DOMAIN": "class.localhost"}).domain == "alice.class.localhost"
    assert config.load({"LAB_LEARNER": "alice", "LAB_DOMAIN": "alice.class.localhost"}).domain == "alice.class.localhost"
    aws = config.load({"LAB_LEARNER": "alice", "LAB_TARGET": "aws", "LAB_DOMAIN": "alice-site.example",
                       "LAB_AWS_ACCOUNT": "111122223333"})
    assert aws.domain == "alice-site.example" and aws.account == "111122223333"  # AWS keeps accounts apart itself


@pytest.mark.parametrize("name", ["al ice", "-alice", "alice_b", "x" * 31, "élodie"])
def test_a_learner_name_that_cannot_be_a_domain_label_is_refused(name):
    with pytest.raises(ConfigError) as caught:
        config.load({"LAB_LEARNER": name})
    assert "LAB_LEARNER" in str(caught.value) and "lower-case letters" in str(caught.value)


def test_the_site_origin_is_what_a_browser_sends_as_origin():
    """A browser leaves the default port out of Origin (RFC 6454: the port is serialised only when it is not the
    scheme's default), so the API's CORS allow-list must too, or LAB_HTTPS_PORT=443 would refuse the site."""
    from labkit import config, site_origin, site_origins

    assert site_origin(config.load({"LAB_DOMAIN": "contact.test", "LAB_HTTPS_PORT": "4443"})) == \
        "https://contact.test:4443"
    assert site_origins(config.load({"LAB_DOMAIN": "contact.test", "LAB_HTTPS_PORT": "443"})) == \
        ["https://contact.test", "https://www.contact.test"]
