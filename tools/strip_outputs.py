"""``python -m tools.strip_outputs [--check] NOTEBOOK...``: redact secrets from outputs in place (SUBMIT).

Run it on an executed notebook before it is handed in or shared: outputs stay, credentials and account ids go.
``--check`` changes nothing and fails if a notebook still holds something to redact (for CI or a pre-commit hook).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .notebooks import display, read, render
from .preprocessors import SUBMIT, NotebookError


def strip(path: Path, *, write: bool = True) -> int:
    """Pass the notebook at ``path`` through SUBMIT, saving it unless ``write`` is false; return how many values
    were redacted. A notebook with nothing to redact is left as it was, byte for byte."""
    path = Path(path)
    nb = read(path)
    steps = [step() for step in SUBMIT]
    for step in steps:
        nb = step.preprocess(nb, display(path))
    redactions = sum(step.redactions for step in steps)
    if write and redactions:
        path.write_bytes(render(nb))
    return redactions


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.strip_outputs",
                                     description="Redact secrets from notebook outputs, in place.")
    parser.add_argument("--check", action="store_true",
                        help="change nothing; exit 1 if any notebook holds something to redact")
    parser.add_argument("notebooks", nargs="+", type=Path, metavar="NOTEBOOK")
    args = parser.parse_args(argv)
    flagged = []
    for path in args.notebooks:
        try:
            redactions = strip(path, write=not args.check)
        except NotebookError as err:
            print(f"error: {err}", file=sys.stderr)
            return 1
        if redactions:
            flagged.append(display(path))
        values = f"{redactions} value{'' if redactions == 1 else 's'}"
        print(f"{display(path)}: {values} to redact" if args.check else f"{display(path)}: {values} redacted")
    if args.check and flagged:
        print(f"to redact them, run: python -m tools.strip_outputs {' '.join(flagged)}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
