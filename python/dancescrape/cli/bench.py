"""`dancescrape bench dedup`: the dedup benchmark from the command line."""

from __future__ import annotations

import json
from typing import Any

import click
from rich.console import Console
from rich.table import Table

__all__ = ["bench", "render_dedup"]


@click.group()
def bench() -> None:
    """Benchmarks on generated data."""


def render_dedup(results: list[dict[str, Any]], console: Console) -> None:
    """One row per size: core, baseline, the old target, and accuracy."""
    table = Table(
        title="dedup: Rust core vs polars + rapidfuzz (median seconds)", title_justify="left"
    )
    for column in ("events", "core", "baseline", "speedup", "target", "precision", "recall"):
        table.add_column(column, justify="right")
    for r in results:
        base = r.get("baseline_seconds")
        table.add_row(
            f"{r['events']:,}",
            f"{r['core_seconds']:.4f}",
            "-" if base is None else f"{base:.4f}",
            "-" if base is None else f"{r['speedup']:.1f}x",
            f"{r['target_seconds']:.3f}",
            f"{r['pairs_precision']:.4f}",
            f"{r['pairs_recall']:.4f}",
        )
    console.print(table)


@bench.command("dedup")
@click.option("--events", type=click.IntRange(min=1), default=1000, show_default=True)
@click.option("--json", "as_json", is_flag=True, help="Print one JSON object.")
@click.option("--repeats", type=click.IntRange(min=1), help="Timed runs of the core (median).")
@click.option("--baseline-repeats", type=click.IntRange(min=1), help="Timed runs of the baseline.")
@click.option("--no-baseline", is_flag=True, help="Skip the polars + rapidfuzz baseline.")
@click.option("--memory", is_flag=True, help="Also measure peak extra memory in fresh processes.")
@click.option("--seed", type=int, default=7, show_default=True)
def bench_dedup_command(
    events: int,
    as_json: bool,
    repeats: int | None,
    baseline_repeats: int | None,
    no_baseline: bool,
    memory: bool,
    seed: int,
) -> None:
    """Dedup generated events with planted duplicates: core vs baseline, precision, recall."""
    from dancescrape.bench.runner import bench_dedup

    result = bench_dedup(
        events,
        repeats=repeats,
        baseline_repeats=baseline_repeats,
        baseline=not no_baseline,
        memory=memory,
        seed=seed,
    )
    if as_json:
        click.echo(json.dumps(result))
    else:
        render_dedup([result], Console())
