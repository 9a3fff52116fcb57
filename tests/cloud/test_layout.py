"""The local cloud's layout (docs/contributing.md, "The local cloud, one package per service"): one package per AWS service above core/ and
moto/, no import cycle between packages, only models.py and moto/ touching moto, no module past ~400 lines.

Imports are read from the source (ast), every one of them, including those inside functions; imports under
``if TYPE_CHECKING:`` are left out, since they never run."""

from __future__ import annotations

import ast
from pathlib import Path

import labkit.cloud

ROOT = Path(labkit.cloud.__file__).parent
TOP = "(labkit.cloud)"  # the modules beside the packages: server (LocalCloud), control (make up/down/status), __main__
BELOW_SERVICES = {"core", "moto"}
MAX_LINES = 400
# Where one service reads another's resources, as AWS's own services do. Anything else between services goes
# through core's interfaces (a Component hook, cloud.components); a new edge here is a design decision.
CROSS_SERVICE = {
    ("apigateway", "lambda_"): "an AWS_PROXY integration runs a function; its resource policy must allow API Gateway",
    ("apigateway", "cognito"): "a COGNITO_USER_POOLS or JWT authorizer names a user pool",
    ("apigateway", "cloudwatch"): "a stage's access log lines go to CloudWatch Logs, its metrics to CloudWatch",
    ("apigateway", "wafv2"): "a stage's web ACL screens its requests",
    ("cloudfront", "s3"): "an S3 origin is read as S3 answers CloudFront (Origin Access Control, bucket policy)",
    ("cloudfront", "acm"): "the viewer certificate is an ACM certificate in us-east-1",
    ("cloudfront", "wafv2"): "a distribution's web ACL screens its requests",
    ("lambda_", "cloudwatch"): "a function's START/END/REPORT lines and output go to CloudWatch Logs, its metrics"
                              " to CloudWatch",
    ("lambda_", "iam"): "a function acts with a session of its execution role",
    ("s3", "iam"): "a bucket policy is evaluated by IAM's policy logic",
    ("cloudwatch", "sns"): "an alarm's actions notify SNS topics",
    ("dynamodb", "cloudwatch"): "a table's writes publish their consumed capacity to CloudWatch",
    ("cloudfront", "iam"): "Origin Access Control reads the bucket policy with IAM's policy logic",
}


def _module_name(path: Path) -> str:
    parts = ["labkit", "cloud", *path.relative_to(ROOT).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _type_checking_only(tree: ast.Module) -> set[int]:
    skipped: set[int] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            skipped.update(id(inner) for stmt in node.body for inner in ast.walk(stmt))
    return skipped


def imports_of(path: Path) -> set[str]:
    """Every module name an import in the file may load, absolute: ``from . import a`` gives both the package and
    package.a, since either may be the module."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rsplit(".", 1)[0]
    tree = ast.parse(path.read_text())
    skipped = _type_checking_only(tree)
    found: set[str] = set()
    for node in ast.walk(tree):
        if id(node) in skipped:
            continue
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")[: len(package.split(".")) - node.level + 1]
                prefix = ".".join(base + ([node.module] if node.module else []))
            else:
                prefix = node.module or ""
            found.add(prefix)
            found.update(f"{prefix}.{alias.name}" for alias in node.names)
    return found


def package_of(module: str) -> str | None:
    """The package directly under labkit.cloud that holds the module, TOP for the modules beside them, None for
    anything outside labkit.cloud."""
    if module != "labkit.cloud" and not module.startswith("labkit.cloud."):
        return None
    rest = module.split(".")[2:]
    return rest[0] if rest and (ROOT / rest[0]).is_dir() else TOP


def modules() -> dict[str, Path]:
    return {_module_name(path): path for path in ROOT.rglob("*.py")}


def package_graph() -> dict[str, dict[str, set[str]]]:
    """package → package it imports → the module-level imports that make the edge (``a.b -> c.d``)."""
    known = modules()
    graph: dict[str, dict[str, set[str]]] = {}
    for module, path in known.items():
        source = package_of(module)
        graph.setdefault(source, {})
        for target in imports_of(path):
            if target not in known or target == "labkit.cloud":
                continue
            destination = package_of(target)
            if destination != source:
                graph[source].setdefault(destination, set()).add(f"{module} -> {target}")
    return graph


def cycles(graph: dict[str, set[str]] | dict[str, dict[str, set[str]]]) -> list[list[str]]:
    """The strongly connected components with more than one node (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in graph.get(node, ()):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                member = stack.pop()
                on_stack.discard(member)
                component.append(member)
                if member == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in list(graph):
        if node not in index:
            visit(node)
    return found


def test_the_walker_sees_imports_and_the_cycle_finder_finds_cycles() -> None:
    graph = package_graph()
    # Known facts of the tree: the CloudFront data plane builds on core's edge, LocalCloud assembles the services.
    assert "core" in graph["cloudfront"] and "labkit.cloud.cloudfront.component -> labkit.cloud.core.edge" in \
        graph["cloudfront"]["core"]
    assert {"route53", "cognito", "sns"} <= set(graph[TOP])
    assert cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
    assert cycles({"a": {"b"}, "b": set()}) == []


def test_no_import_cycle_between_packages() -> None:
    graph = package_graph()
    found = cycles(graph)
    detail = [f"{a} -> {b}: {sorted(graph[a][b])[:3]}"
              for group in found for a in group for b in graph[a] if b in group]
    assert not found, f"packages importing each other: {found}\n" + "\n".join(detail)


def test_core_and_moto_sit_below_the_services() -> None:
    graph = package_graph()
    assert set(graph["core"]) <= {"moto"}, {k: sorted(v) for k, v in graph["core"].items() if k != "moto"}
    assert set(graph["moto"]) == set(), {k: sorted(v) for k, v in graph["moto"].items()}


def test_services_import_each_other_only_where_the_layout_says() -> None:
    graph = package_graph()
    services = set(graph) - BELOW_SERVICES - {TOP}
    actual = {(a, b) for a in services for b in graph[a] if b in services}
    assert actual - set(CROSS_SERVICE) == set(), {e: sorted(graph[e[0]][e[1]]) for e in actual - set(CROSS_SERVICE)}
    assert set(CROSS_SERVICE) - actual == set(), "CROSS_SERVICE lists an edge the code no longer has"


def test_only_models_and_the_moto_package_import_moto() -> None:
    offenders = []
    for module, path in modules().items():
        uses = {name for name in imports_of(path) if name == "moto" or name.startswith("moto.")}
        allowed = path.name == "models.py" or package_of(module) == "moto"
        if uses and not allowed:
            offenders.append(f"{path.relative_to(ROOT)}: {sorted(uses)}")
    assert offenders == []
    assert not (ROOT / "bridge.py").exists()


def test_every_service_package_reads_moto_only_through_its_models() -> None:
    """models.py of service X reads X's moto models: it imports moto.<X's moto service>, no other service's."""
    moto_service = {"acm": {"acm"}, "apigateway": {"apigateway", "apigatewayv2"}, "cloudfront": {"cloudfront"},
                    "cloudwatch": {"logs", "cloudwatch"}, "cognito": {"cognitoidp"}, "dynamodb": {"dynamodb"}, "lambda_": {"awslambda"},
                    "route53": {"route53"}, "s3": {"s3"}, "sns": {"sns"}, "wafv2": {"wafv2"},
                    "sts": {"sts", "iam"}}  # STS keys are IAM access keys (moto's sts keeps them there too)
    shared = {"core", "moto_api", "settings", "moto_server", "utilities"}  # moto's own plumbing, not a service
    for package, own in moto_service.items():
        path = ROOT / package / "models.py"
        services = {name.split(".")[1] for name in imports_of(path) if name.startswith("moto.")} - shared
        assert services <= own, f"{package}/models.py reads moto's {sorted(services - own)}"


def test_no_module_is_longer_than_the_layout_allows() -> None:
    long = {str(path.relative_to(ROOT)): n for path in ROOT.rglob("*.py")
            if (n := len(path.read_text().splitlines())) > MAX_LINES}
    assert long == {}
