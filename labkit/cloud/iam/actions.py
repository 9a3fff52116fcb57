"""What a signed request asks IAM for: the actions and the resources they act on, as the services' "Actions,
resources, and condition keys" pages of the Service Authorization Reference name them.

    requested(environ, account) → Requested | None
        None when the request is of a service not listed in CHECKED (it is then not checked at all) or names no
        operation of it.

Every operation is ``<prefix>:<Operation>`` on the resource its parameters name, except where a service names its
actions otherwise (ACTION_NAMES: S3's ListBucket for ListObjectsV2, Lambda's InvokeFunction for Invoke…; API
Gateway's management API is apigateway:<HTTP method> on the path). An operation on no resource (ListTables,
ListTopics) is on "*". CloudWatch is not checked: botocore speaks CBOR to it, which the router does not parse.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import Any
from urllib.parse import parse_qs, unquote, urlsplit

from ..core.routing import OperationRouter
from ..moto.accounts import peek_body

# Services whose requests are checked: each has its resources worked out below (or acts on "*" only).
CHECKED = ("dynamodb", "sns", "sqs", "s3", "logs", "lambda", "sts", "iam", "cognito-idp", "apigateway")
NO_PERMISSION_NEEDED = {("sts", "GetCallerIdentity")}  # "No permissions are required to perform this operation."
ACTION_NAMES = {
    "s3": {"ListObjects": "ListBucket", "ListObjectsV2": "ListBucket", "HeadBucket": "ListBucket",
           "ListObjectVersions": "ListBucketVersions", "HeadObject": "GetObject", "CopyObject": "PutObject",
           "CreateMultipartUpload": "PutObject", "UploadPart": "PutObject", "UploadPartCopy": "PutObject",
           "CompleteMultipartUpload": "PutObject", "ListParts": "ListMultipartUploadParts",
           "ListMultipartUploads": "ListBucketMultipartUploads", "DeleteObjects": "DeleteObject",
           "ListBuckets": "ListAllMyBuckets", "GetBucketCors": "GetBucketCORS", "PutBucketCors": "PutBucketCORS",
           "DeleteBucketCors": "PutBucketCORS", "DeleteBucketTagging": "PutBucketTagging",
           "DeleteObjectTagging": "DeleteObjectTagging", "GetPublicAccessBlock": "GetBucketPublicAccessBlock",
           "PutPublicAccessBlock": "PutBucketPublicAccessBlock",
           "DeletePublicAccessBlock": "PutBucketPublicAccessBlock", "DeleteBucketWebsite": "DeleteBucketWebsite",
           "GetBucketWebsite": "GetBucketWebsite", "PutBucketWebsite": "PutBucketWebsite"},
    "lambda": {"Invoke": "InvokeFunction", "InvokeWithResponseStream": "InvokeFunction"},
}
_ROUTER = OperationRouter(list(CHECKED))
_BODY_LIMIT = 16 * 2**20  # DynamoDB's largest request (BatchWriteItem); S3's bodies are never read


@dataclass(frozen=True)
class Ask:
    action: str  # "dynamodb:PutItem"
    resource: str  # an ARN, or "*"


@dataclass
class Requested:
    service: str
    operation: Any  # botocore's OperationModel: the error is answered in its protocol
    region: str
    asks: list[Ask]


def requested(environ: dict[str, Any], account: str) -> Requested | None:
    match = _ROUTER.match(environ)
    if match is None:
        return None
    service, op = match.service, match.operation.name
    if (service, op) in NO_PERMISSION_NEEDED:
        return Requested(service, match.operation, match.region, [])
    protocol = match.operation.metadata.get("protocol", "")
    params = _params(protocol, peek_body(environ, _BODY_LIMIT) or b"") if protocol in ("json", "query") else {}
    params.update(match.uri_params)
    region = match.region
    if service == "apigateway":
        path = environ.get("PATH_INFO", "/")
        return Requested(service, match.operation, region, [
            Ask(f"apigateway:{environ.get('REQUEST_METHOD', 'GET')}", f"arn:aws:apigateway:{region}::{path}")])
    action = f"{service}:{ACTION_NAMES.get(service, {}).get(op, op)}"
    asks = _RESOURCES.get(service, _anything)(op, action, params, region, account, environ)
    return Requested(service, match.operation, region, asks)


def _params(protocol: str, body: bytes) -> dict[str, Any]:
    """The members that name resources: a JSON document, or a query/form body's flat fields."""
    if not body:
        return {}
    text = body.decode("utf-8", "replace")
    if protocol == "json":
        try:
            found = json.loads(text)
        except ValueError:
            return {}
        return found if isinstance(found, dict) else {}
    if protocol == "query":
        return {k: v[0] for k, v in parse_qs(text).items()}
    return {}


def _anything(op: str, action: str, params: dict, region: str, account: str, environ: dict) -> list[Ask]:
    return [Ask(action, "*")]


def _dynamodb(op: str, action: str, params: dict, region: str, account: str, environ: dict) -> list[Ask]:
    def table(name: str, index: str | None = None) -> str:
        arn = name if name.startswith("arn:") else f"arn:aws:dynamodb:{region}:{account}:table/{name}"
        return f"{arn}/index/{index}" if index else arn

    if isinstance(params.get("RequestItems"), dict):  # BatchGetItem, BatchWriteItem
        return [Ask(action, table(name)) for name in params["RequestItems"]]
    if isinstance(params.get("TransactItems"), list):
        kinds = {"Put": "PutItem", "Update": "UpdateItem", "Delete": "DeleteItem", "ConditionCheck":
                 "ConditionCheckItem", "Get": "GetItem"}
        return [Ask(f"dynamodb:{kinds[kind]}", table(spec.get("TableName", "")))
                for item in params["TransactItems"] if isinstance(item, dict)
                for kind, spec in item.items() if kind in kinds and isinstance(spec, dict)]
    name = params.get("TableName") or params.get("ResourceArn")
    return [Ask(action, table(str(name), params.get("IndexName")) if name else "*")]


def _sns(op: str, action: str, params: dict, region: str, account: str, environ: dict) -> list[Ask]:
    arn = params.get("TopicArn") or params.get("TargetArn") or params.get("ResourceArn")
    if not arn and params.get("SubscriptionArn"):
        arn = ":".join(str(params["SubscriptionArn"]).split(":")[:6])  # a subscription acts on its topic
    if not arn and op == "CreateTopic" and params.get("Name"):
        arn = f"arn:aws:sns:{region}:{account}:{params['Name']}"
    return [Ask(action, str(arn) if arn else "*")]


def _sqs(op: str, action: str, params: dict, region: str, account: str, environ: dict) -> list[Ask]:
    url = params.get("QueueUrl")
    if url:
        parts = urlsplit(str(url)).path.strip("/").split("/")
        if len(parts) == 2:
            return [Ask(action, f"arn:aws:sqs:{region}:{parts[0]}:{parts[1]}")]
    if params.get("QueueName"):
        owner = params.get("QueueOwnerAWSAccountId") or account
        return [Ask(action, f"arn:aws:sqs:{region}:{owner}:{params['QueueName']}")]
    return [Ask(action, "*")]


def _s3(op: str, action: str, params: dict, region: str, account: str, environ: dict) -> list[Ask]:
    bucket, key = params.get("Bucket"), params.get("Key")
    if not bucket:
        return [Ask(action, "*")]
    if op == "DeleteObjects":  # the keys are in the body, which is not read here: all of the bucket's
        return [Ask(action, f"arn:aws:s3:::{bucket}/*")]
    asks = [Ask(action, f"arn:aws:s3:::{bucket}/{unquote(key)}" if key else f"arn:aws:s3:::{bucket}")]
    source = environ.get("HTTP_X_AMZ_COPY_SOURCE")
    if source:  # CopyObject and UploadPartCopy read the source too
        asks.append(Ask("s3:GetObject", "arn:aws:s3:::" + unquote(source.split("?")[0]).lstrip("/")))
    return asks


def _logs(op: str, action: str, params: dict, region: str, account: str, environ: dict) -> list[Ask]:
    group = params.get("logGroupName") or params.get("logGroupIdentifier")
    if not group:
        return [Ask(action, "*")]
    group = str(group)
    arn = group.removesuffix(":*") if group.startswith("arn:") else f"arn:aws:logs:{region}:{account}:log-group:{group}"
    stream = params.get("logStreamName")
    return [Ask(action, f"{arn}:log-stream:{stream}" if stream else f"{arn}:*")]


def _lambda(op: str, action: str, params: dict, region: str, account: str, environ: dict) -> list[Ask]:
    name = unquote(str(params.get("FunctionName") or ""))
    if not name:
        return [Ask(action, "*")]
    qualifier = parse_qs(environ.get("QUERY_STRING", "")).get("Qualifier", [None])[0]
    if name.startswith("arn:"):
        arn = name
    else:
        parts = name.split(":")  # name, name:qualifier, account:function:name (a partial ARN)
        if len(parts) >= 3 and parts[1] == "function":
            arn = f"arn:aws:lambda:{region}:{parts[0]}:function:{':'.join(parts[2:])}"
        else:
            arn = f"arn:aws:lambda:{region}:{account}:function:{name}"
    return [Ask(action, f"{arn}:{qualifier}" if qualifier and arn.count(":") == 6 else arn)]


def _iam(op: str, action: str, params: dict, region: str, account: str, environ: dict) -> list[Ask]:
    for member, kind in (("RoleName", "role"), ("UserName", "user"), ("GroupName", "group")):
        if params.get(member):
            return [Ask(action, f"arn:aws:iam::{account}:{kind}/{params[member]}")]
    return [Ask(action, str(params.get("PolicyArn") or params.get("RoleArn") or "*"))]


def _sts(op: str, action: str, params: dict, region: str, account: str, environ: dict) -> list[Ask]:
    return [Ask(action, str(params.get("RoleArn") or "*"))]


def _cognito(op: str, action: str, params: dict, region: str, account: str, environ: dict) -> list[Ask]:
    pool = params.get("UserPoolId")
    return [Ask(action, f"arn:aws:cognito-idp:{region}:{account}:userpool/{pool}" if pool else "*")]


_RESOURCES = {"dynamodb": _dynamodb, "sns": _sns, "sqs": _sqs, "s3": _s3, "logs": _logs, "lambda": _lambda,
              "iam": _iam, "sts": _sts, "cognito-idp": _cognito}
