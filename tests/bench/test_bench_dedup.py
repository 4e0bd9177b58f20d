"""The dedup benchmark's parts: data generator, metrics, baseline parity, CLI contract."""

from __future__ import annotations

import json

import polars as pl
from click.testing import CliRunner
from hypothesis import example, given, settings
from hypothesis import strategies as st

from dancescrape.bench.baseline import baseline_dedup
from dancescrape.bench.data import generate_events
from dancescrape.bench.metrics import pair_scores
from dancescrape.cli.main import cli
from dancescrape.dedup import dedup_rows


def test_generator_is_deterministic_and_plants_duplicates_and_traps() -> None:
    a, b = generate_events(800, seed=3), generate_events(800, seed=3)
    assert a.equals(b) and a.height == 800
    assert not a.equals(generate_events(800, seed=4))
    copies = a.group_by("truth").agg(pl.len(), pl.col("source").n_unique().alias("sources"))
    assert (copies["len"] > 1).sum() > 100  # planted duplicates ...
    assert (copies["len"] == copies["sources"]).all()  # ... each from another source
    nights = a.with_columns(day=pl.col("start").dt.date()).group_by("venue", "day", "city")
    assert (nights.agg(pl.col("truth").n_unique())["truth"] > 1).any()  # traps


@given(st.lists(st.integers(0, 5), max_size=40), st.lists(st.integers(0, 5), max_size=40))
def test_pair_scores_are_consistent(truth: list[int], predicted: list[int]) -> None:
    n = min(len(truth), len(predicted))
    t, p = pl.Series(truth[:n]), pl.Series(predicted[:n])
    s = pair_scores(t, p)
    assert 0 <= s.correct <= min(s.predicted, s.true)
    assert pair_scores(t, t).precision == pair_scores(t, t).recall == 1.0
    assert 0.0 <= s.precision <= 1.0 and 0.0 <= s.recall <= 1.0


@settings(max_examples=5, deadline=None)
@given(st.integers(0, 1_000))
@example(657)  # two pairs tied at 24/31 by different routes, one bit apart in rapidfuzz
def test_baseline_runs_the_same_algorithm_as_the_core(seed: int) -> None:
    frame = generate_events(1_500, seed=seed)
    core = dedup_rows(frame).rows
    base = baseline_dedup(frame)
    assert base["exact"].to_list() == core["exact_key"].to_list()
    assert base["title_norm"].to_list() == core["title_norm"].to_list()
    assert base["venue_norm"].to_list() == core["venue_norm"].to_list()
    assert base["event_id"].to_list() == core["event_id"].to_list()


def test_accuracy_on_the_planted_set() -> None:
    frame = generate_events(20_000, seed=11)
    scores = pair_scores(frame["truth"], dedup_rows(frame).rows["event_id"])
    assert scores.precision >= 0.98
    assert scores.recall >= 0.95


def test_cli_prints_the_contract_fields() -> None:
    out = CliRunner().invoke(cli, ["bench", "dedup", "--events", "300", "--json", "--repeats", "1"])
    assert out.exit_code == 0, out.output
    result = json.loads(out.output)
    for key in ("events", "core_seconds", "baseline_seconds", "pairs_precision", "pairs_recall"):
        assert key in result
    assert result["events"] == 300
    assert result["agreement"] == 1.0
