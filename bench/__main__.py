"""``python -m bench`` (make bench): run every benchmark, print a table, save bench/results/<name>.json."""

from __future__ import annotations

import argparse
import json
from pathlib import Path

from rich.console import Console
from rich.table import Table

from . import api, cdn, dns, edge, grade, lambda_invoke, startup, waf, workshop

BENCHMARKS = {"dns": dns.run, "startup": startup.run, "lambda_invoke": lambda_invoke.run, "waf": waf.run,
              "edge": edge.run, "cdn": cdn.run, "api": api.run, "workshop": workshop.run,
              "grade": grade.run}


def main() -> int:
    parser = argparse.ArgumentParser(prog="python -m bench")
    parser.add_argument("names", nargs="*", help=f"benchmarks to run: {', '.join(BENCHMARKS)} (default: all)")
    parser.add_argument("--runs", type=int, default=5, help="repetitions per measurement (medians are reported)")
    args = parser.parse_args()
    unknown = [n for n in args.names if n not in BENCHMARKS]
    if unknown:
        parser.error(f"no such benchmark: {', '.join(unknown)} (there are: {', '.join(BENCHMARKS)})")
    out = Path(__file__).parent / "results"
    out.mkdir(exist_ok=True)
    console = Console(highlight=False)
    for name in args.names or list(BENCHMARKS):
        console.print(f"Running {name} ({args.runs} runs)…")
        result = BENCHMARKS[name](args.runs)
        (out / f"{name}.json").write_text(json.dumps(result, indent=2) + "\n")
        table = Table(title=name, show_header=False)
        for key, value in result.items():
            table.add_row(key, str(value))
        console.print(table)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
