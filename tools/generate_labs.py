"""``python -m tools.generate_labs [--check]``: write labs/ (the student notebooks) from solutions/.

labs/ is generated, never edited by hand: each lab is its solution passed through GENERATE_LAB, byte for byte
reproducible, so ``--check`` (for CI) can tell a lab that is missing, stale, or left over from a deleted solution.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from .notebooks import ROOT, display, read, render
from .preprocessors import GENERATE_LAB, NotebookError


def generate(solutions_dir: Path, labs_dir: Path) -> list[Path]:
    """Bring ``labs_dir`` in line with ``solutions_dir``; return the labs written or removed.

    Labs already up to date are not rewritten, so an open lab is not disturbed for nothing. Nothing is written
    when any solution is broken (NotebookError).
    """
    changed = []
    for lab, content, _ in _differences(solutions_dir, labs_dir):
        if content is None:
            lab.unlink()
        else:
            labs_dir.mkdir(parents=True, exist_ok=True)
            lab.write_bytes(content)
        changed.append(lab)
    return changed


def out_of_sync(solutions_dir: Path, labs_dir: Path) -> list[str]:
    """One line per lab that ``generate`` would write or remove, saying what is wrong; empty when in sync."""
    return [f"{display(lab)} {problem}: run make labs" for lab, _, problem in _differences(solutions_dir, labs_dir)]


def _differences(solutions_dir: Path, labs_dir: Path) -> list[tuple[Path, bytes | None, str]]:
    """(lab, the bytes it should hold or None if it should go, what is wrong) for each lab not as generated."""
    differences = []
    for lab, content in _expected_labs(solutions_dir, labs_dir).items():
        if content is None:
            problem = f"has no solution in {display(solutions_dir)}"
        elif not lab.exists():
            problem = "is missing"
        elif lab.read_bytes() != content:
            problem = f"is stale: it differs from what {display(solutions_dir / lab.name)} generates"
        else:
            continue
        differences.append((lab, content, problem))
    return differences


def _expected_labs(solutions_dir: Path, labs_dir: Path) -> dict[Path, bytes | None]:
    """What ``labs_dir`` should hold: each lab's bytes, and None for each lab whose solution is gone."""
    if not solutions_dir.is_dir():
        # Without this, a mistyped --solutions would read as "no solutions" and remove every lab.
        raise NotebookError(f"{display(solutions_dir)}: no such folder")
    expected: dict[Path, bytes | None] = {}
    for solution in sorted(solutions_dir.glob("*.ipynb")):
        nb = read(solution)
        for step in GENERATE_LAB:
            nb = step().preprocess(nb, display(solution))
        expected[labs_dir / solution.name] = render(nb)
    for lab in sorted(labs_dir.glob("*.ipynb")):
        expected.setdefault(lab, None)
    return expected


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m tools.generate_labs", description="Write labs/ from solutions/.")
    parser.add_argument("--check", action="store_true",
                        help="write nothing; list every lab that is missing, stale or extra, and exit 1 if any")
    parser.add_argument("--solutions", type=Path, default=ROOT / "solutions", metavar="DIR",
                        help="the instructor's notebooks (default: solutions/)")
    parser.add_argument("--labs", type=Path, default=ROOT / "labs", metavar="DIR",
                        help="where the student notebooks go (default: labs/)")
    args = parser.parse_args(argv)
    try:
        if args.check:
            problems = out_of_sync(args.solutions, args.labs)
            print("\n".join(problems) or f"{display(args.labs)} is up to date")
            return 1 if problems else 0
        changed = generate(args.solutions, args.labs)
    except NotebookError as err:
        print(f"error: {err}", file=sys.stderr)
        return 1
    for lab in changed:
        print(f"{'wrote' if lab.exists() else 'removed'} {display(lab)}")
    if not changed:
        print(f"{display(args.labs)} is up to date")
    return 0


if __name__ == "__main__":
    sys.exit(main())
