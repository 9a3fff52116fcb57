"""Which resource a request path names, as API Gateway matches it.

    Router(paths)            a tree of path templates ("/messages/{id}", "/files/{proxy+}"), built once per
                             deployment
    Router.match(raw_path)   RouteMatch(template, value, path parameters) or None
    split_stage(raw_path)    ("prod", "/messages/42") from "/prod/messages/42"

Matching rules (API Gateway developer guide, "Set up a proxy integration with a proxy resource" and "Set up REST
API resources"): a literal segment wins over a {param}, which wins over a greedy {name+}; a greedy variable takes
one or more remaining segments, never zero (the parent resource answers for its own path); "{proxy+}" must be
the last part of a template. Segments are compared percent-decoded, one at a time, so "%2F" stays inside its
segment. One trailing slash is ignored.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import unquote


@dataclass
class _Node:
    value: Any = None
    has_value: bool = False
    literal: dict[str, _Node] = field(default_factory=dict)
    param: tuple[str, _Node] | None = None
    greedy: tuple[str, _Node] | None = None


@dataclass(frozen=True)
class RouteMatch:
    template: str
    value: Any
    params: dict[str, str]


class Router:
    def __init__(self, routes: Iterable[tuple[str, Any]]) -> None:
        self._root = _Node()
        for template, value in routes:
            self._add(template, value)

    def _add(self, template: str, value: Any) -> None:
        node = self._root
        for part in _segments(template):
            if part.startswith("{") and part.endswith("+}"):
                name = part[1:-2]
                if node.greedy is None:
                    node.greedy = (name, _Node())
                node = node.greedy[1]
            elif part.startswith("{") and part.endswith("}"):
                name = part[1:-1]
                if node.param is None:
                    node.param = (name, _Node())
                node = node.param[1]
            else:
                node = node.literal.setdefault(part, _Node())
        node.value, node.has_value = (template, value), True

    def match(self, raw_path: str) -> RouteMatch | None:
        """The best template for a raw (still percent-encoded) path after the stage, or None."""
        if raw_path != "/" and raw_path.endswith("/"):
            raw_path = raw_path[:-1]
        parts = _segments(raw_path)
        if any(part == "" for part in parts):
            return None
        params: dict[str, str] = {}
        found = self._walk(self._root, parts, 0, params)
        if found is None:
            return None
        template, value = found.value
        return RouteMatch(template, value, params)

    def _walk(self, node: _Node, parts: list[str], index: int, params: dict[str, str]) -> _Node | None:
        if index == len(parts):
            return node if node.has_value else None
        segment = unquote(parts[index])
        child = node.literal.get(segment)
        if child is not None:
            found = self._walk(child, parts, index + 1, params)
            if found is not None:
                return found
        if node.param is not None:
            name, child = node.param
            found = self._walk(child, parts, index + 1, params)
            if found is not None:
                params[name] = segment
                return found
        if node.greedy is not None and node.greedy[1].has_value:
            name, child = node.greedy
            params[name] = unquote("/".join(parts[index:]))
            return child
        return None


def _segments(path: str) -> list[str]:
    stripped = path.strip("/") if path != "/" else ""
    return stripped.split("/") if stripped else []


def split_stage(raw_path: str) -> tuple[str | None, str]:
    """The stage (first segment, decoded) and the rest of the raw path ("/" when nothing follows)."""
    if not raw_path.startswith("/") or raw_path == "/":
        return None, "/"
    stage, slash, rest = raw_path[1:].partition("/")
    return unquote(stage) or None, "/" + rest if slash else "/"
