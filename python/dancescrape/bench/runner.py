"""Run the dedup benchmark at one size: core and baseline timed on the same data."""

from __future__ import annotations

import os
import statistics
import time
from collections.abc import Callable
from typing import Any, TypeVar

from dancescrape.bench.data import generate_events
from dancescrape.bench.metrics import pair_scores
from dancescrape.dedup import DedupOptions, DedupRows, DedupStats, dedup, dedup_rows

__all__ = ["DEFAULT_SEED", "TARGET_SECONDS_PER_1K", "bench_dedup", "default_repeats"]

DEFAULT_SEED = 7
TARGET_SECONDS_PER_1K = 0.1  # the old target: 100 ms per 1,000 events
PHASES = ("normalise", "exact", "fuzzy", "cluster")

T = TypeVar("T")


def default_repeats(events: int) -> tuple[int, int]:
    """(core, baseline) repetitions: many for small sizes, few where one run takes seconds.

    A 1k run takes about a millisecond, so a short burst of load on a shared machine
    would sway a median of a few runs; 201 runs take a fifth of a second.
    """
    if events <= 2_000:
        return 201, 21
    if events <= 10_000:
        return 51, 7
    if events <= 200_000:
        return 7, 3
    return 3, 1


def _timed(fn: Callable[[], T], repeats: int) -> tuple[list[float], T]:
    times, result = [], fn()  # one warm-up run, untimed, also gives the result to score
    for _ in range(repeats):
        start = time.perf_counter()
        result = fn()
        times.append(time.perf_counter() - start)
    return times, result


def bench_dedup(
    events: int,
    *,
    repeats: int | None = None,
    baseline_repeats: int | None = None,
    baseline: bool = True,
    memory: bool = False,
    seed: int = DEFAULT_SEED,
    options: DedupOptions | None = None,
) -> dict[str, Any]:
    """Time and score the core (and the polars + rapidfuzz baseline) on `events` rows.

    Seconds are medians over `repeats` runs after one warm-up. `core_seconds` covers
    `dedup_rows`: normalise, keys, local dates, exact and fuzzy dedup and clustering
    in Rust, results back as polars frames. `api_seconds` adds the
    merge into canonical events (polars, identical for both implementations).
    """
    if events < 1:
        raise ValueError(f"events must be at least 1, got {events}")
    options = options or DedupOptions()
    core_n, base_n = default_repeats(events)
    core_n, base_n = repeats or core_n, baseline_repeats or base_n
    frame = generate_events(events, seed)
    runs: list[DedupStats] = []

    def core_run() -> DedupRows:
        # Only the stats are kept: holding on to every result would make each run
        # allocate fresh pages instead of reusing the last run's memory.
        rows = dedup_rows(frame, options)
        runs.append(rows.stats)
        return rows

    core_times, core = _timed(core_run, core_n)
    timed = runs[1:]  # the warm-up run is not timed
    phase_medians = {
        k: statistics.median(getattr(r, f"{k}_seconds") for r in timed) for k in PHASES
    }
    api_times, _ = _timed(lambda: dedup(frame, options), max(1, min(core_n, 3)))
    scores = pair_scores(frame["truth"], core.rows["event_id"])
    median = statistics.median(core_times)
    target = TARGET_SECONDS_PER_1K * events / 1000
    stats = core.stats.as_dict()
    result: dict[str, Any] = {
        "events": events,
        "seed": seed,
        "cpus": os.cpu_count(),
        "repeats": core_n,
        "core_seconds": median,
        "core_seconds_min": min(core_times),
        # Medians over the timed runs, phase by phase (the core's own clock).
        "core_phases_seconds": phase_medians,
        "api_seconds": statistics.median(api_times),
        "target_seconds": target,
        "within_target": median <= target,
        "pairs_precision": scores.precision,
        "pairs_recall": scores.recall,
        "true_pairs": scores.true,
        "predicted_pairs": scores.predicted,
        "clusters": stats["clusters"],
        "candidate_pairs": stats["candidate_pairs"],
        "review_pairs": stats["review_pairs"],
        "baseline_seconds": None,
    }
    if baseline:
        from dancescrape.bench.baseline import baseline_dedup

        base_times, base = _timed(lambda: baseline_dedup(frame, options), base_n)
        base_scores = pair_scores(frame["truth"], base["event_id"])
        result |= {
            "baseline_repeats": base_n,
            "baseline_seconds": statistics.median(base_times),
            "speedup": statistics.median(base_times) / median,
            "baseline_pairs_precision": base_scores.precision,
            "baseline_pairs_recall": base_scores.recall,
            # Rows given the same event_id by both: the two implementations agree.
            "agreement": int((base["event_id"] == core.rows["event_id"]).sum()) / events,
        }
    if memory:
        from dancescrape.bench.memory import measure_in_subprocess

        result["memory"] = {"core": measure_in_subprocess(events, "core", seed)}
        if baseline:
            result["memory"]["baseline"] = measure_in_subprocess(events, "baseline", seed)
    return result
