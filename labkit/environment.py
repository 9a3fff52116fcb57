"""What a notebook's first cells show: the Python and packages in use, and the target with its endpoints."""

from __future__ import annotations

import re
import sys
from typing import Any

from .config import PROJECT_ROOT, Config
from .errors import LabError
from .target import caller_account, check

# rich and importlib.metadata are imported where they are used: every importer of labkit imports this module, the
# local cloud process too, which needs neither.

MIN_PYTHON = (3, 11)


def requirements() -> dict[str, str]:
    """The pins of requirements.txt: distribution name → version."""
    pins = {}
    for line in (PROJECT_ROOT / "requirements.txt").read_text().splitlines():
        found = re.match(r"^\s*([A-Za-z0-9_.-]+)(?:\[[^\]]*\])?==([^\s;#]+)", line)
        if found:
            pins[found.group(1).lower()] = found.group(2)
    return pins


def check_environment(*, show: bool = True) -> dict[str, Any]:
    """Compare the running Python and packages with requirements.txt; raises LabError naming what to fix."""
    from importlib import metadata

    if sys.version_info < MIN_PYTHON:
        raise LabError(f"Python {sys.version.split()[0]} is too old: the kit needs {'.'.join(map(str, MIN_PYTHON))} "
                       "or newer (make setup builds .venv with python3)")
    rows, wrong = [], []
    for name, pinned in requirements().items():
        try:
            installed = metadata.version(name)
        except metadata.PackageNotFoundError:
            installed = None
        rows.append((name, pinned, installed))
        if installed != pinned:
            wrong.append(f"{name} {installed or 'missing'} (wants {pinned})")
    if show:
        from rich.console import Console
        from rich.table import Table

        table = Table(title=f"Python {sys.version.split()[0]} at {sys.executable}")
        for column in ("package", "pinned", "installed"):
            table.add_column(column)
        for name, pinned, installed in rows:
            mark = "green" if installed == pinned else "red"
            table.add_row(name, pinned, f"[{mark}]{installed or 'missing'}[/{mark}]")
        Console().print(table)
    if wrong:
        raise LabError(f"packages differ from requirements.txt: {', '.join(wrong)}; run make setup, then restart the "
                       "kernel")
    return {"python": sys.version.split()[0], "packages": {n: i for n, _, i in rows}}


def show_target(cfg: Config) -> dict[str, str]:
    """Check the target can be used (raises LabError if not) and print what the notebooks will act on."""
    check(cfg)
    info = {
        "target": cfg.target,
        **({"learner": cfg.learner} if cfg.learner else {}),  # a class on one local cloud: LAB_LEARNER
        "account": caller_account(cfg),
        "region": cfg.region,
        "resource prefix": cfg.prefix,
        "domain": cfg.domain,
        "owner tag": cfg.owner,
    }
    if cfg.local:
        info["AWS APIs"] = cfg.gateway_url
    from rich.console import Console
    from rich.table import Table

    table = Table(title="Lab target", show_header=False)
    for key, value in info.items():
        table.add_row(key, value)
    Console().print(table)
    return info
