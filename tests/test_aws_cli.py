"""The seed workshop's steps by the AWS CLI (awscli, pinned in requirements.txt), against the site the solution
notebooks built: what an instructor scripts. The CLI is pointed at the local cloud the way the docs say, with
``eval "$(python -m labkit env)"``: no flag of ours on any command. awscli v1 has no ``aws logs tail`` (a v2
command); ``aws logs filter-log-events`` reads the same lines."""

from __future__ import annotations

import json
import os
import shlex
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest

from labkit import mailbox, names
from labkit.config import PROJECT_ROOT

AWS = str(Path(sys.executable).with_name("aws"))


@pytest.fixture(scope="module")
def cli(workshop, tmp_path_factory):
    """``aws …`` in a shell that ran ``eval "$(python -m labkit env)"``; returns stdout, fails with stderr."""
    workshop.require_built()
    base = {k: v for k, v in os.environ.items() if not k.startswith("AWS_")}
    env = {**base, **workshop.cloud.env}
    exports = tmp_path_factory.mktemp("cli") / "labkit-env.sh"
    exports.write_text(subprocess.run([sys.executable, "-m", "labkit", "env"], env=env, capture_output=True,
                                      text=True, timeout=60, check=True).stdout)

    def aws(*args: str) -> str:
        command = f'eval "$(cat {shlex.quote(str(exports))})"; {shlex.quote(AWS)} {shlex.join(args)}'
        done = subprocess.run(["bash", "-c", command], env=env, capture_output=True, text=True, timeout=120,
                              cwd=PROJECT_ROOT)
        assert done.returncode == 0, f"aws {' '.join(args)}: {done.stderr}"
        return done.stdout.strip()

    return aws


def text(cli, *args: str) -> str:
    return cli(*args, "--output", "text")


def test_the_workshop_by_cli(cli, workshop, tmp_path):
    cfg = workshop.cloud.cfg
    n = names(cfg)

    # S3: the site's files synced (to a folder of their own, so the site stays as the notebooks left it)
    cli("s3", "sync", str(PROJECT_ROOT / "assets" / "site"), f"s3://{n.site_bucket}/cli-copy/")
    listed = cli("s3", "ls", f"s3://{n.site_bucket}/cli-copy/")
    assert "index.html" in listed and "style.css" in listed
    cli("s3", "rm", "--recursive", f"s3://{n.site_bucket}/cli-copy/")

    # ACM, Route 53, CloudFront, WAF
    distribution = json.loads(cli("cloudfront", "list-distributions", "--query",
                                  f"DistributionList.Items[?Comment=='{n.distribution_comment}'] | [0]"))
    certificate = distribution["ViewerCertificate"]["ACMCertificateArn"]
    assert text(cli, "acm", "describe-certificate", "--region", "us-east-1", "--certificate-arn", certificate,
                "--query", "Certificate.Status") == "ISSUED"
    zone = text(cli, "route53", "list-hosted-zones-by-name", "--dns-name", cfg.domain, "--query",
                "HostedZones[0].Id")
    aliases = text(cli, "route53", "list-resource-record-sets", "--hosted-zone-id", zone, "--query",
                   "ResourceRecordSets[?Type=='A'].AliasTarget.DNSName")
    assert distribution["DomainName"] in aliases
    invalidation = json.loads(cli("cloudfront", "create-invalidation", "--distribution-id", distribution["Id"],
                                  "--paths", "/index.html"))
    assert invalidation["Invalidation"]["Status"] in ("InProgress", "Completed")
    assert n.web_acl in text(cli, "wafv2", "list-web-acls", "--scope", "CLOUDFRONT", "--region", "us-east-1",
                             "--query", "WebACLs[].Name")

    # Cognito: sign up, confirm with the mailed code, sign in
    pool = text(cli, "cognito-idp", "list-user-pools", "--max-results", "60", "--query",
                f"UserPools[?Name=='{n.user_pool}'].Id | [0]")
    client_id = text(cli, "cognito-idp", "list-user-pool-clients", "--user-pool-id", pool, "--query",
                     f"UserPoolClients[?ClientName=='{n.app_client}'].ClientId | [0]")
    visitor, password = f"cli-{uuid.uuid4().hex[:8]}@example.com", "Corr3ct-horse-staple!"
    since = time.time()
    cli("cognito-idp", "sign-up", "--client-id", client_id, "--username", visitor, "--password", password)
    code = mailbox.code_for(visitor, since=since, cfg=cfg)
    cli("cognito-idp", "confirm-sign-up", "--client-id", client_id, "--username", visitor,
        "--confirmation-code", code)
    token = text(cli, "cognito-idp", "initiate-auth", "--client-id", client_id, "--auth-flow", "USER_PASSWORD_AUTH",
                 "--auth-parameters", f"USERNAME={visitor},PASSWORD={password}", "--query",
                 "AuthenticationResult.IdToken")
    assert token.count(".") == 2

    # DynamoDB, Lambda, API Gateway, SNS, CloudWatch Logs
    assert int(text(cli, "dynamodb", "scan", "--table-name", n.table, "--select", "COUNT", "--query", "Count")) >= 0
    out = tmp_path / "answer.json"
    invoked = json.loads(cli("lambda", "invoke", "--function-name", n.function, "--payload",
                             json.dumps({"httpMethod": "GET", "path": "/messages"}), str(out)))
    assert invoked["StatusCode"] == 200 and "FunctionError" not in invoked and json.loads(out.read_text())
    assert n.api in text(cli, "apigateway", "get-rest-apis", "--query", "items[].name")
    topic = text(cli, "sns", "list-topics", "--query", f"Topics[?ends_with(TopicArn, ':{n.topic}')].TopicArn | [0]")
    assert text(cli, "sns", "publish", "--topic-arn", topic, "--message", "sent with the AWS CLI",
                "--query", "MessageId")
    events = json.loads(cli("logs", "filter-log-events", "--log-group-name", f"/aws/lambda/{n.function}",
                            "--limit", "20"))["events"]
    assert any(e["message"].startswith("START RequestId") for e in events)
