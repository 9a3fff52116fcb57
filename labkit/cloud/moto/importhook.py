"""Run a function on a module right after it is imported, or at once if it already is.

The services' models.py patch moto's service modules (Cognito, SNS, CloudFront, Route 53, IAM). Importing them at
the cloud's start costs ~35 ms, and moto imports a service anyway at its first request or when a snapshot holds it,
so the patches wait for that import:

    when_imported("moto.sns.models", patch)    patch(module) once the module has run, before any importer sees it
    if_imported("moto.sns.models")             the module if it was imported already, else None

A patch runs inside the import, holding that module's import lock: it must only set attributes (taking
moto.LOCK there could deadlock with a thread that imports while holding it), and it must be idempotent.
"""

from __future__ import annotations

import importlib
import importlib.abc
import importlib.machinery
import sys
import threading
from collections.abc import Callable
from types import ModuleType
from typing import Any

Patch = Callable[[ModuleType], None]


class _Finder(importlib.abc.MetaPathFinder):
    """First on sys.meta_path; finds nothing itself, only wraps the loader of a module that has patches."""

    def __init__(self) -> None:
        self.patches: dict[str, list[Patch]] = {}
        self.lock = threading.Lock()

    def find_spec(self, name: str, path: Any = None, target: Any = None) -> importlib.machinery.ModuleSpec | None:
        with self.lock:
            patches = list(self.patches.get(name, ()))
        if not patches:
            return None
        spec = importlib.machinery.PathFinder.find_spec(name, path, target)
        if spec is None or spec.loader is None or not hasattr(spec.loader, "exec_module"):
            return spec
        run = spec.loader.exec_module

        def exec_module(module: ModuleType) -> None:
            run(module)
            for patch in patches:
                patch(module)

        spec.loader.exec_module = exec_module  # type: ignore[method-assign]  # this spec's own loader instance
        return spec


_FINDER = _Finder()
sys.meta_path.insert(0, _FINDER)


def when_imported(name: str, patch: Patch) -> None:
    with _FINDER.lock:
        patches = _FINDER.patches.setdefault(name, [])
        if patch not in patches:
            patches.append(patch)
    # Registered first, then checked: an import that began before the registration is found in sys.modules (and
    # waited for by import_module); one that began after it runs the patch itself. Either may run it twice.
    if name in sys.modules:
        patch(importlib.import_module(name))


def if_imported(name: str) -> ModuleType | None:
    """moto's module ``name`` if it was imported already, else None. moto keeps a service's resources in its models
    module, so a service never imported has none: the readers the cloud runs at start need not import it (~5 ms)."""
    return importlib.import_module(name) if name in sys.modules else None  # waits for an import in progress
