"""Notebook preprocessors, one job each, and the pipelines the tools run them in.

Each is a class whose ``preprocess(nb, name)`` changes the notebook and returns it; ``name`` (the notebook's
path) only serves error messages, which are NotebookErrors naming the notebook and cell.
"""

from .clear_outputs import ClearOutputs
from .clear_solutions import ClearSolutions
from .errors import NotebookError
from .regions import RegionError
from .remove_hidden_tests import RemoveHiddenTests
from .strip_secrets import StripSecrets

# solutions/ -> labs/. Hidden tests go first: they may sit in a solution cell, even inside its solution region,
# where ClearSolutions would reject their markers. Outputs go last, once the cells are final.
GENERATE_LAB = [RemoveHiddenTests, ClearSolutions, ClearOutputs]

# An executed notebook about to be shared (handed in, or kept as a report). Each step counts its changes in
# ``redactions``, which tools.strip_outputs reports.
SUBMIT = [StripSecrets]

__all__ = [
    "GENERATE_LAB",
    "SUBMIT",
    "ClearOutputs",
    "ClearSolutions",
    "NotebookError",
    "RegionError",
    "RemoveHiddenTests",
    "StripSecrets",
]
