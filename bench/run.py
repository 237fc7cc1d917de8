"""Run the benchmarks: `python -m bench.run [--only NAME]` (`make bench [ONLY=NAME]`).

Each module listed in BENCHMARKS has `NAME` and `run()`, which measures, writes
bench/results/<NAME>.json and returns what it wrote. A table of every metric and the
issue targets (met or missed) is printed at the end. A crashed benchmark makes the run
exit non-zero; a missed target does not.
"""

from __future__ import annotations

import argparse
import importlib
import sys
import time
import traceback
from typing import Any

from bench.common import RESULTS_DIR, BenchmarkError, format_value

# Later issues append their benchmark modules here (bench/<name>.py).
BENCHMARKS = ["pages", "ingest", "notifications", "esurat", "leave", "learning", "gamification"]

MIN_PYTHON = (3, 12)


def _print_table(results: list[dict[str, Any]]) -> None:
    rows = [("name", "metric", "value")]
    for result in results:
        for metric, value in result["metrics"].items():
            rows.append((result["name"], metric, format_value(value)))
    widths = [max(len(row[column]) for row in rows) for column in range(3)]
    rule = "-+-".join("-" * width for width in widths)
    print()
    for index, (name, metric, value) in enumerate(rows):
        print(f"{name:<{widths[0]}} | {metric:<{widths[1]}} | {value:>{widths[2]}}")
        if index == 0:
            print(rule)
    print()
    for result in results:
        machine = result["machine"]
        print(
            f"{result['name']}: {machine['cores']} cores, Python {machine['python']}, "
            f"PostgreSQL {machine['postgres']}, CPU idle before {machine['cpu_idle_before']:.0%}"
        )
    targets = [
        (result["name"], target) for result in results for target in result.get("targets", [])
    ]
    if targets:
        print("\nTargets:")
        for name, target in targets:
            status = "MET   " if target["met"] else "MISSED"
            detail = f" ({target['detail']})" if target["detail"] else ""
            print(f"  [{status}] {name}: {target['description']}{detail}")


def main(argv: list[str] | None = None) -> int:
    if sys.version_info < MIN_PYTHON:
        print(
            f"bench: Python {'.'.join(map(str, MIN_PYTHON))}+ is needed (this is "
            f"{sys.version.split()[0]}); run it with .venv/bin/python -m bench.run or `make bench`.",
            file=sys.stderr,
        )
        return 2
    parser = argparse.ArgumentParser(
        prog="python -m bench.run", description=__doc__.splitlines()[0]
    )
    parser.add_argument(
        "--only",
        action="append",
        metavar="NAME",
        help=f"run only this benchmark (repeatable or comma-separated); one of: {', '.join(BENCHMARKS)}",
    )
    parser.add_argument("--list", action="store_true", help="list the benchmarks and exit")
    args = parser.parse_args(argv)
    if args.list:
        print("\n".join(BENCHMARKS))
        return 0
    names = BENCHMARKS
    if args.only:
        names = [name.strip() for value in args.only for name in value.split(",") if name.strip()]
        unknown = [name for name in names if name not in BENCHMARKS]
        if unknown:
            parser.error(f"unknown benchmark {', '.join(unknown)}; known: {', '.join(BENCHMARKS)}")

    results: list[dict[str, Any]] = []
    failures: list[tuple[str, BaseException]] = []
    for name in names:
        started = time.perf_counter()
        print(f"[bench] === {name} ===", file=sys.stderr, flush=True)
        # A crashed run must not leave the previous run's figures looking current.
        (RESULTS_DIR / f"{name}.json").unlink(missing_ok=True)
        try:
            module = importlib.import_module(f"bench.{name}")
            results.append(module.run())
        except KeyboardInterrupt:
            print(f"[bench] {name}: interrupted", file=sys.stderr)
            return 130
        except BenchmarkError as error:
            # An expected failure (service down, server not starting): the message says it all.
            failures.append((name, error))
        except Exception as error:
            traceback.print_exc()
            failures.append((name, error))
        else:
            print(f"[bench] {name} took {time.perf_counter() - started:.0f} s", file=sys.stderr)

    if results:
        _print_table(results)
    if failures:
        for name, error in failures:
            if isinstance(error, BenchmarkError):
                message = str(error)
            else:
                first_line = (str(error).strip().splitlines() or [""])[0]
                message = f"{type(error).__name__}: {first_line} (traceback above)"
            print(f"\nbench: benchmark {name!r} crashed: {message}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
