"""The dedup benchmark: generated events with planted duplicates, the Rust core
against the same algorithm in polars + rapidfuzz, timed and scored side by side."""

from dancescrape.bench.runner import DEFAULT_SEED, bench_dedup

__all__ = ["DEFAULT_SEED", "bench_dedup"]
