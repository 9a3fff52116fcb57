"""The one helper that finds ``### BEGIN <KIND>`` / ``### END <KIND>`` regions in a cell and replaces them.

Both region preprocessors (ClearSolutions, RemoveHiddenTests) go through ``replace_regions`` so that markers are
recognised, and mistakes reported, the same way everywhere.
"""

from __future__ import annotations

import re
from typing import Callable

from nbformat import NotebookNode

from .errors import NotebookError, cell_location

SOLUTION = "SOLUTION"
HIDDEN_TESTS = "HIDDEN TESTS"

# A marker is a whole line: optional indentation, any number of '#', BEGIN or END, a known kind, and optionally one
# word naming the region (``### BEGIN SOLUTION admin_rule``). Prose that merely mentions a marker is therefore left
# alone.
MARKER = re.compile(
    rf"^(?P<indent>[ \t]*)#+[ \t]*(?P<edge>BEGIN|END)[ \t]+(?P<kind>{SOLUTION}|{HIDDEN_TESTS})"
    r"(?:[ \t]+(?P<name>[A-Za-z_][\w.-]*))?[ \t]*\r?$"
)


class RegionError(NotebookError):
    """A BEGIN/END marker without its partner, a marker inside a region, or a name where none belongs."""


def replace_regions(
    cell: NotebookNode, kind: str, replacement: Callable[[str, str | None], list[str]], name: str, index: int
) -> int:
    """Replace each ``kind`` region of ``cell.source``, markers included, by the lines
    ``replacement(indent, region_name)``, where both come from the BEGIN marker (the name is None when it has none);
    return how many regions were replaced.

    Markers of another kind outside a region are left to their own preprocessor. Inside a region any marker is an
    error (RegionError), like an unmatched one: the region would otherwise swallow it unseen. So is a name on any
    marker but BEGIN SOLUTION, where nothing would use it.
    """
    kept: list[str] = []
    begin_line, indent, region_name, replaced = 0, "", None, 0
    for number, line in enumerate(cell.source.split("\n"), start=1):
        marker = MARKER.match(line)
        if marker and marker["kind"] == kind and marker["name"] and (marker["edge"], kind) != ("BEGIN", SOLUTION):
            raise _error(name, index, cell, f"{marker['edge']} {kind} takes no name (line {number}): "
                                            f"only BEGIN {SOLUTION} does")
        if not begin_line:
            if not marker or marker["kind"] != kind:
                kept.append(line)
            elif marker["edge"] == "BEGIN":
                begin_line, indent, region_name = number, marker["indent"], marker["name"]
            else:
                raise _error(name, index, cell, f"END {kind} without BEGIN {kind} (line {number})")
        elif marker and (marker["edge"], marker["kind"]) == ("END", kind):
            kept.extend(replacement(indent, region_name))
            begin_line, replaced = 0, replaced + 1
        elif marker:
            raise _error(name, index, cell, f"{marker['edge']} {marker['kind']} inside a {kind} region (line {number})")
    if begin_line:
        raise _error(name, index, cell, f"BEGIN {kind} without END {kind} (line {begin_line})")
    cell.source = "\n".join(kept)
    return replaced


def _error(name: str, index: int, cell: NotebookNode, problem: str) -> RegionError:
    return RegionError(f"{cell_location(name, index, cell)}: {problem}")
