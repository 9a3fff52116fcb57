"""The Lambda and SNS validators: green on the app as notebooks 07, 08 and 10 build it; the right hint on the
classic mistakes (deprecated runtime, FullAccess role, non-proxy answer, missing CORS header, unconfirmed e-mail
subscription)."""

from __future__ import annotations

import validators
from labkit import names
from validators.base import FAIL, PASS

from .deployments import APP, deploy_app


def results(cfg, layers):
    return {r.check: r for r in validators.run(layers, cfg).results}


def test_application_as_the_notebooks_build_it_passes(cloud):
    found = results(deploy_app(cloud), ["lambda", "sns"])
    assert {r.status for r in found.values()} == {PASS}, {k: (r.observed, r.hint) for k, r in found.items()}


def test_deprecated_runtime_is_named(cloud):
    cfg = deploy_app(cloud)
    cloud.client("lambda").update_function_configuration(FunctionName=names(cfg).function, Runtime="python3.8")
    found = results(cfg, ["lambda"])["lambda.runtime"]
    assert found.status == FAIL and found.observed == "python3.8" and "supported Python runtime" in found.hint


def test_full_access_role_is_not_least_privilege(cloud):
    cfg = deploy_app(cloud)
    cloud.client("iam").attach_role_policy(RoleName=names(cfg).function_role,
                                           PolicyArn="arn:aws:iam::aws:policy/AmazonDynamoDBFullAccess")
    found = results(cfg, ["lambda"])["lambda.role"]
    assert found.status == FAIL and "AmazonDynamoDBFullAccess" in found.observed
    assert "replace *FullAccess policies" in found.hint


def test_wildcard_inline_policy_is_not_least_privilege(cloud):
    cfg = deploy_app(cloud, policy={"Version": "2012-10-17",
                                    "Statement": [{"Effect": "Allow", "Action": "dynamodb:*", "Resource": "*"}]})
    assert results(cfg, ["lambda"])["lambda.role"].status == FAIL


def test_non_proxy_answer_names_the_proxy_shape(cloud):
    source = "def handler(event, context):\n    return {'messages': []}\n"
    found = results(deploy_app(cloud, source=source), ["lambda"])["lambda.invoke"]
    assert found.status == FAIL and "proxy vs non-proxy" in found.hint


def test_an_allow_list_without_the_sites_origin_is_named(cloud):
    """The function answers Access-Control-Allow-Origin only for the origins of its ALLOWED_ORIGINS (aws-facts API
    Gateway, CORS: the function adds the header to its own responses); one that lists another site hides every
    answer from the contact page."""
    cfg = deploy_app(cloud)
    lam = cloud.client("lambda")
    function = names(cfg).function
    variables = lam.get_function_configuration(FunctionName=function)["Environment"]["Variables"]
    lam.update_function_configuration(FunctionName=function, Environment={"Variables": {
        **variables, "ALLOWED_ORIGINS": "https://elsewhere.example"}})
    found = results(cfg, ["lambda"])["lambda.invoke"]
    assert found.status == FAIL and "Access-Control-Allow-Origin missing" in found.observed
    assert "'https://elsewhere.example'" in found.hint and "labkit.site_origins(cfg)" in found.hint


def test_missing_cors_header_is_named(cloud):
    source = APP.replace('headers["Access-Control-Allow-Origin"] = origin', "pass")
    assert source != APP
    found = results(deploy_app(cloud, source=source), ["lambda"])["lambda.invoke"]
    assert found.status == FAIL and "missing CORS header" in found.hint


def test_unconfirmed_subscription_is_named_and_blocks_delivery(cloud):
    found = results(deploy_app(cloud, confirm=False), ["sns"])
    assert found["sns.subscription"].status == FAIL and "not confirmed" in found["sns.subscription"].hint
    assert found["sns.delivery"].status == "blocked" and found["sns.delivery"].blocked_by == "sns.subscription"


def test_a_published_mail_without_the_message_is_named(cloud, monkeypatch):
    """Other mail to the owner arrives meanwhile (other layers send messages too): the check waits for the one
    carrying its own message, and names a notification that lacks the text."""
    source = APP.replace('Message=', 'Message="A visitor wrote." or ', 1)
    assert source != APP
    monkeypatch.setattr("validators.sns.MAIL_DEADLINE", 3)  # the right mail never comes: no need to wait 20 s
    found = results(deploy_app(cloud, source=source), ["sns"])["sns.delivery"]
    assert found.status == FAIL and "does not carry the message" in found.hint, (found.observed, found.hint)


def test_delivery_through_a_temporary_queue_as_on_aws_leaves_nothing_behind(cloud):
    """On AWS nobody reads the owner's inbox, so sns.delivery subscribes a queue of its own, sends, reads and removes
    both. That path, run here on the local cloud (SNS → SQS is moto's own delivery)."""
    from validators.base import Context
    from validators.sns import _delivery_through_sqs, probe_topic

    cfg = deploy_app(cloud)
    ctx = Context(cfg)
    assert probe_topic(ctx).status == PASS
    result = _delivery_through_sqs(ctx, "queued validator message")
    assert result.status == PASS, (result.observed, result.hint)
    sqs, sns = cloud.client("sqs"), cloud.client("sns")
    assert not [q for q in sqs.list_queues().get("QueueUrls", []) if "-validator-" in q]
    protocols = [s["Protocol"] for s in sns.list_subscriptions_by_topic(TopicArn=ctx.facts["topic"])["Subscriptions"]]
    assert "sqs" not in protocols


def test_delivery_through_a_queue_names_a_function_publishing_elsewhere(cloud, monkeypatch):
    from validators import sns as sns_layer
    from validators.base import Context
    from validators.sns import _delivery_through_sqs, probe_topic

    cfg = deploy_app(cloud)
    other = cloud.client("sns").create_topic(Name=f"{cfg.prefix}-elsewhere")["TopicArn"]
    lam = cloud.client("lambda")
    function = names(cfg).function
    variables = lam.get_function_configuration(FunctionName=function)["Environment"]["Variables"]
    lam.update_function_configuration(FunctionName=function, Environment={"Variables": {**variables,
                                                                                       "TOPIC_ARN": other}})
    monkeypatch.setattr(sns_layer, "QUEUE_DEADLINE", 5)  # nothing will come: no need to wait the full 30 s
    ctx = Context(cfg)
    assert probe_topic(ctx).status == PASS
    result = _delivery_through_sqs(ctx, "a message for another topic")
    assert result.status == FAIL and "publishes to another topic" in result.hint


def _without(cloud, cfg, action):
    """The role's policy as notebook 08 writes it, less ``action``."""
    import json

    iam, role = cloud.client("iam"), names(cfg).function_role
    document = iam.get_role_policy(RoleName=role, PolicyName="contact-api")["PolicyDocument"]
    for statement in document["Statement"]:
        actions = statement["Action"] if isinstance(statement["Action"], list) else [statement["Action"]]
        statement["Action"] = [a for a in actions if a != action] or ["dynamodb:DescribeTable"]
    iam.put_role_policy(RoleName=role, PolicyName="contact-api", PolicyDocument=json.dumps(document))


def test_a_role_without_sns_publish_cannot_notify(cloud):
    """The role is enforced (IAM policy evaluation: no Allow is an implicit deny), so notebook 08's least privilege
    can fail locally as on AWS: the function's Publish is refused and sns.delivery names the missing permission."""
    cfg = deploy_app(cloud)
    _without(cloud, cfg, "sns:Publish")
    found = results(cfg, ["sns"])["sns.delivery"]
    assert found.status == FAIL and "AuthorizationError" in found.observed
    assert found.hint.startswith("the function's role may not SNS:Publish on arn:aws:sns:"), found.hint


def test_a_role_without_dynamodb_query_cannot_list(cloud):
    cfg = deploy_app(cloud)
    _without(cloud, cfg, "dynamodb:Query")
    found = results(cfg, ["lambda"])["lambda.invoke"]
    assert found.status == FAIL and "AccessDeniedException" in found.observed
    assert f"may not dynamodb:Query on arn:aws:dynamodb:us-east-1:123456789012:table/{names(cfg).table}" in found.hint
