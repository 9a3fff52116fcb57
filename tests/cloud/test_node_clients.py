"""Node programs use the local cloud unchanged once ``eval "$(python -m labkit env --node)"`` ran
(labkit/node/localhost.cjs): node's fetch reaches ``<api>.execute-api.localhost`` (glibc resolves only
"localhost" itself, so plain node fails with ENOTFOUND), trusts the local CA (NODE_EXTRA_CA_CERTS), and
aws-jwt-verify, which fetches a pool's keys from the token's issuer (https://cognito-idp.<region>.amazonaws.com),
verifies a local ID token. Without the exports both fail, which is what the exports are for."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import uuid
from pathlib import Path

import pytest

SCRIPT = Path(__file__).parents[1] / "clients" / "node" / "verify_and_fetch.mjs"
PASSWORD = "Corr3ct-horse!"


@pytest.fixture(scope="module")
def api_url(cloud):
    """A deployed REST API whose GET / answers 200 from a MOCK integration."""
    ag = cloud.client("apigateway")
    api = ag.create_rest_api(name=f"node-{uuid.uuid4().hex[:6]}")["id"]
    root = next(r["id"] for r in ag.get_resources(restApiId=api)["items"] if r["path"] == "/")
    ag.put_method(restApiId=api, resourceId=root, httpMethod="GET", authorizationType="NONE")
    ag.put_integration(restApiId=api, resourceId=root, httpMethod="GET", type="MOCK",
                       requestTemplates={"application/json": '{"statusCode": 200}'})
    ag.put_method_response(restApiId=api, resourceId=root, httpMethod="GET", statusCode="200")
    ag.put_integration_response(restApiId=api, resourceId=root, httpMethod="GET", statusCode="200",
                                responseTemplates={"application/json": '{"hello": "node"}'})
    ag.create_deployment(restApiId=api, stageName="prod")
    return f"https://{api}.execute-api.localhost:{cloud.cfg.ports['https']}/prod/"


@pytest.fixture(scope="module")
def id_token(cloud):
    idp = cloud.client("cognito-idp")
    pool = idp.create_user_pool(PoolName=f"p-{uuid.uuid4().hex[:8]}", UsernameAttributes=["email"])["UserPool"]["Id"]
    client_id = idp.create_user_pool_client(UserPoolId=pool, ClientName="web", ExplicitAuthFlows=[
        "ALLOW_USER_PASSWORD_AUTH", "ALLOW_REFRESH_TOKEN_AUTH"])["UserPoolClient"]["ClientId"]
    email = f"u{uuid.uuid4().hex[:10]}@example.com"
    idp.admin_create_user(UserPoolId=pool, Username=email, MessageAction="SUPPRESS",
                          UserAttributes=[{"Name": "email", "Value": email}])
    idp.admin_set_user_password(UserPoolId=pool, Username=email, Password=PASSWORD, Permanent=True)
    token = idp.initiate_auth(ClientId=client_id, AuthFlow="USER_PASSWORD_AUTH", AuthParameters={
        "USERNAME": email, "PASSWORD": PASSWORD})["AuthenticationResult"]["IdToken"]
    return pool, client_id, token


def run_node(cloud, tmp_path, args, *, exports: bool) -> dict:
    assert (SCRIPT.parent / "node_modules" / "aws-jwt-verify").is_dir(), "the node clients are missing: make clients"
    env = {k: v for k, v in os.environ.items() if not k.startswith(("AWS_", "NODE_"))}
    env.update(cloud.env)
    command = f"node {shlex.join([str(SCRIPT), *args])}"
    if exports:
        file = tmp_path / "env.sh"
        file.write_text(subprocess.run([sys.executable, "-m", "labkit", "env", "--node"], env=env, check=True,
                                       capture_output=True, text=True, timeout=60).stdout)
        command = f'eval "$(cat {shlex.quote(str(file))})"; {command}'
    done = subprocess.run(["bash", "-c", command], env=env, capture_output=True, text=True, timeout=60)
    assert done.returncode == 0, done.stderr
    return json.loads(done.stdout)


def test_node_programs_work_unchanged_with_labkit_env_node(cloud, tmp_path, api_url, id_token):
    pool, client_id, token = id_token
    seen = run_node(cloud, tmp_path, [pool, client_id, token, api_url], exports=True)
    assert seen["fetched"] == {"status": 200}, seen
    assert seen["verified"].get("token_use") == "id" and seen["verified"]["aud"] == client_id, seen
    assert seen["verified"]["iss"] == f"https://cognito-idp.us-east-1.amazonaws.com/{pool}"  # AWS's issuer, kept


def test_without_the_exports_node_cannot_resolve_or_verify(cloud, tmp_path, api_url, id_token):
    pool, client_id, token = id_token
    seen = run_node(cloud, tmp_path, [pool, client_id, token, api_url], exports=False)
    assert "error" in seen["fetched"], seen  # ENOTFOUND here (glibc); an untrusted CA where *.localhost resolves
    assert "cognito-idp.us-east-1.amazonaws.com" in seen["verified"]["error"], seen
