"""Notebook 12: remove everything the workshop made for one learner, and show that nothing is left.

    teardown(cfg)     delete this learner's resources in dependency order (kinds.KINDS); returns a CleanupReport
    leftovers(cfg)    what of this learner is still there: every service listed by name, and the Resource Groups
                      Tagging API asked for the lab:workshop / lab:owner tags
    CleanupReport     what was removed and what could not be (with why); ``show()`` prints it as a rich table
    kinds             one finder (shared by both) and one deleter per kind of resource

"This learner" is the names of ``labkit.names(cfg)`` (LAB_PREFIX) plus the domain's hosted zone and certificate
(LAB_DOMAIN): another prefix's resources in the same account are never touched, even under the same owner tag. So
two learners sharing an account need their own prefix and their own domain.

Every step tolerates "already gone", so a second run finds nothing and says so. A step that fails is reported with
AWS's reason and the others still run; running again retries it.

    report = cleanup.teardown(cfg)       # prints the waits and the report
    assert cleanup.leftovers(cfg) == []
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from typing import Any

from botocore.exceptions import BotoCoreError, ClientError

from ..config import Config
from ..errors import LabError
from ..tags import WORKSHOP
from .kinds import GLOBAL_REGION, GONE, KINDS, Context, code, why

__all__ = ["CleanupReport", "leftovers", "teardown"]


@dataclass
class CleanupReport:
    prefix: str
    target: str
    removed: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, name, details)
    failed: list[tuple[str, str, str]] = field(default_factory=list)  # (kind, name, why)

    @property
    def nothing_found(self) -> bool:
        return not self.removed and not self.failed

    def show(self, console: Any = None) -> None:
        from rich.console import Console
        from rich.table import Table

        console = console or Console(highlight=False)
        if self.nothing_found:
            console.print(f"Nothing to remove: no resources of prefix [bold]{self.prefix}[/bold] on the {self.target} "
                          "target (already clean).")
            return
        table = Table(title=f"Cleanup · {self.prefix} · {self.target}")
        table.add_column("resource", no_wrap=True)
        table.add_column("name", overflow="fold")
        table.add_column("result", overflow="fold")
        for kind, name, details in self.removed:
            table.add_row(kind, name, "[green]removed[/green]" + (f" ({details})" if details else ""))
        for kind, name, reason in self.failed:
            table.add_row(kind, name, f"[bold red]not removed[/bold red]: {reason}")
        console.print(table)
        if self.failed:
            console.print(f"{len(self.failed)} not removed: fix the reason shown, then run the cell again.")


def teardown(cfg: Config | None = None, progress: bool = True) -> CleanupReport:
    """Delete this learner's resources in KINDS order and return what happened; with ``progress`` the waits show a
    progress bar and the report is printed. Never raises for one resource: its failure is in ``report.failed``."""
    ctx = Context(cfg, progress)
    report = CleanupReport(prefix=ctx.names.prefix, target=ctx.cfg.target)
    for kind, find, delete in KINDS:
        try:
            found = list(find(ctx))
        except (ClientError, BotoCoreError) as exc:
            report.failed.append((kind, "(could not list them)", why(exc)))
            continue
        for item in found:
            try:
                details = delete(ctx, item)
            except ClientError as exc:
                if code(exc) not in GONE:  # gone meanwhile is what we wanted
                    report.failed.append((kind, item.name, why(exc)))
            except (LabError, BotoCoreError) as exc:  # a wait ran out (StillPending), an object refused deletion
                report.failed.append((kind, item.name, why(exc)))
            else:
                report.removed.append((kind, item.name, details or ""))
    if progress:
        report.show()
    return report


def leftovers(cfg: Config | None = None) -> list[str]:
    """What of this learner is still there, one line each; [] when clean. A service that cannot be listed is a line
    too ("could not check"): nothing is proven gone that was not looked at."""
    ctx = Context(cfg, progress=False)
    lines, seen = [], set()
    for kind, find, _ in KINDS:
        try:
            for item in find(ctx):
                lines.append(f"{item.kind} {item.name}")
                seen.add(item.arn)
        except (ClientError, BotoCoreError) as exc:
            lines.append(f"{kind}: could not check ({why(exc)})")
    try:
        lines += [f"tagged {arn}" for arn in _tagged(ctx) if arn not in seen]
    except (ClientError, BotoCoreError) as exc:
        lines.append(f"Resource Groups Tagging API: could not check ({why(exc)})")
    return lines


def _tagged(ctx: Context) -> Iterator[str]:
    """ARNs tagged lab:workshop and lab:owner for this owner whose names are this learner's (the same owner may run
    another prefix). The Tagging API is regional (CloudFront and its certificate answer in us-east-1), and it never
    lists IAM roles: the finders' listing by name covers what it misses."""
    filters = [{"Key": "lab:workshop", "Values": [WORKSHOP]}, {"Key": "lab:owner", "Values": [ctx.cfg.owner]}]
    arns: dict[str, None] = {}  # global resources may answer in both regions
    for region in dict.fromkeys((ctx.cfg.region, GLOBAL_REGION)):
        tagging = ctx.client("resourcegroupstaggingapi", region)
        for page in tagging.get_paginator("get_resources").paginate(TagFilters=filters):
            arns.update(dict.fromkeys(m["ResourceARN"] for m in page["ResourceTagMappingList"]))
    for arn in arns:
        name = _name_of(ctx, arn)
        if name is not None and ctx.own_name(name):
            yield arn


def _name_of(ctx: Context, arn: str) -> str | None:
    """The name a resource goes by (a distribution's comment, a certificate's domain), or None once it is gone."""
    _, _, service, region, _, resource = arn.split(":", 5)
    kind, rest = re.fullmatch(r"([^:/]*)[:/]?(.*)", resource).groups()  # type: ignore[union-attr]
    try:
        if service == "cloudfront":
            return ctx.client("cloudfront").get_distribution_config(Id=rest)["DistributionConfig"]["Comment"]
        if service == "acm":
            return ctx.client("acm", region).describe_certificate(CertificateArn=arn)["Certificate"]["DomainName"]
        if service == "cognito-idp":
            return ctx.client("cognito-idp", region).describe_user_pool(UserPoolId=rest)["UserPool"]["Name"]
        if service == "apigateway" and rest.startswith("restapis/"):
            return ctx.client("apigateway", region).get_rest_api(restApiId=rest.split("/")[1])["name"]
        if service == "route53":
            return ctx.client("route53").get_hosted_zone(Id=rest)["HostedZone"]["Name"]
    except ClientError as exc:
        if code(exc) in GONE:
            return None
        raise
    if service == "wafv2":  # global/webacl/<name>/<id>
        return rest.split("/")[1] if "/" in rest else rest
    if service == "lambda":  # function:<name>[:<version>]
        return rest.split(":")[0]
    return rest or kind  # table/<name>, log-group:<name>; S3 and SNS ARNs end in the bare name
