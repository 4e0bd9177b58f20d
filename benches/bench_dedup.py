"""Dedup benchmark: the Rust core against polars + rapidfuzz, side by side.

    python benches/bench_dedup.py                 # 1k and 100k, table + JSON
    python benches/bench_dedup.py --sizes 1000 100000 1000000 --memory
    python benches/bench_dedup.py --ci            # 1k and 100k; fails if 1k > 100 ms

Seconds are medians of several runs on the same generated data (see
`dancescrape.bench.runner`); the table is printed to stderr and one JSON object
per size (a JSON list) to stdout.
"""

from __future__ import annotations

import argparse
import json
import sys
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import get_context

from rich.console import Console

from dancescrape.bench.runner import TARGET_SECONDS_PER_1K, bench_dedup
from dancescrape.cli.bench import render_dedup

CI_SIZES = (1_000, 100_000)
# The old target (100 ms per 1,000 events) is CI's bound: generous enough never to flake.
CI_LIMIT_SECONDS = TARGET_SECONDS_PER_1K


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--sizes", type=int, nargs="+", default=list(CI_SIZES))
    parser.add_argument(
        "--ci", action="store_true", help="1k and 100k; exit 1 if 1k is over 100 ms"
    )
    parser.add_argument("--memory", action="store_true", help="peak extra memory per event")
    parser.add_argument("--no-baseline", action="store_true")
    parser.add_argument("--seed", type=int, default=7)
    args = parser.parse_args(argv)
    sizes = list(CI_SIZES) if args.ci else args.sizes
    results = []
    for n in sizes:
        kwargs = {"baseline": not args.no_baseline, "memory": args.memory, "seed": args.seed}
        # Each size in a fresh process: the previous size's heap and the baseline's
        # worker threads (rapidfuzz, polars) must not weigh on the next measurement.
        with ProcessPoolExecutor(max_workers=1, mp_context=get_context("spawn")) as pool:
            results.append(pool.submit(bench_dedup, n, **kwargs).result())
        print(f"done: {n:,} events", file=sys.stderr)
    render_dedup(results, Console(stderr=True))
    print(json.dumps(results, indent=2))
    if args.ci:
        small = next(r for r in results if r["events"] == 1_000)
        if small["core_seconds"] > CI_LIMIT_SECONDS:
            print(
                f"FAIL: 1,000 events took {small['core_seconds'] * 1000:.1f} ms (median), "
                f"over the {CI_LIMIT_SECONDS * 1000:.0f} ms bound",
                file=sys.stderr,
            )
            return 1
        print(
            f"ok: 1,000 events in {small['core_seconds'] * 1000:.2f} ms (median)", file=sys.stderr
        )
    return 0


if __name__ == "__main__":
    sys.exit(main())
