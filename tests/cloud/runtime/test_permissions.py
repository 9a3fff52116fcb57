"""A function's resource policy: AddPermission with a StatementId already in the policy is refused with
ResourceConflictException (409), as on AWS ("The statement id (…) provided already exists. Please provide a new
statement id, or remove the existing statement."); moto alone adds a second statement with the same Sid."""

from __future__ import annotations

import json

import botocore.exceptions
import pytest


def allow(lam, name: str, api: str) -> None:
    lam.add_permission(FunctionName=name, StatementId="apigateway", Action="lambda:InvokeFunction",
                       Principal="apigateway.amazonaws.com",
                       SourceArn=f"arn:aws:execute-api:us-east-1:123456789012:{api}/*/*/messages")


def test_a_statement_id_in_use_is_a_conflict_and_the_policy_keeps_one_statement(lam, make_function):
    name = make_function("app.echo")
    allow(lam, name, "firstapi")
    with pytest.raises(botocore.exceptions.ClientError) as caught:
        allow(lam, name, "secondapi")
    error = caught.value.response
    assert error["Error"]["Code"] == "ResourceConflictException"
    assert error["ResponseMetadata"]["HTTPStatusCode"] == 409
    assert "The statement id (apigateway) provided already exists" in error["Error"]["Message"]
    statements = json.loads(lam.get_policy(FunctionName=name)["Policy"])["Statement"]
    assert [s["Condition"]["ArnLike"]["AWS:SourceArn"].split(":")[-1] for s in statements] == [
        "firstapi/*/*/messages"]
    lam.remove_permission(FunctionName=name, StatementId="apigateway")
    allow(lam, name, "secondapi")  # removed, the id is free again
    assert "secondapi" in lam.get_policy(FunctionName=name)["Policy"]
