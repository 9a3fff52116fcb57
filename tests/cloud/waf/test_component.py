"""WafComponent: registered with the local cloud, binds no port, contributes the wafv2 provider and an engine
that reads the cloud's own state."""

from __future__ import annotations

from labkit.cloud import server
from labkit.cloud.wafv2.component import WafComponent
from labkit.cloud.wafv2.provider import WafProvider
from labkit.cloud.wafv2.resources import CloudResources


def test_registered_without_ports():
    assert WafComponent in server.COMPONENTS
    assert WafComponent.port_settings == ()


def test_contributes_the_provider_and_an_engine_on_cloud_state():
    component = WafComponent(cloud=None)
    (provider,) = component.providers()
    assert isinstance(provider, WafProvider) and provider.service == "wafv2"
    assert isinstance(component.engine.resources, CloudResources)
    assert component.health()["managed_rule_groups"] == [
        "AWSManagedRulesCommonRuleSet", "AWSManagedRulesKnownBadInputsRuleSet", "AWSManagedRulesSQLiRuleSet"]
