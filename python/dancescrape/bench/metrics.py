"""Pair precision and recall of a clustering against the planted truth."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

__all__ = ["PairScores", "pair_scores"]


@dataclass(frozen=True, slots=True)
class PairScores:
    """Counts of same-event row pairs: predicted, true, and both."""

    predicted: int
    true: int
    correct: int

    @property
    def precision(self) -> float:
        return self.correct / self.predicted if self.predicted else 1.0

    @property
    def recall(self) -> float:
        return self.correct / self.true if self.true else 1.0


def _pairs(frame: pl.DataFrame, *keys: str) -> int:
    sizes = frame.group_by(*keys).len()["len"].cast(pl.Int64)
    return int((sizes * (sizes - 1) // 2).sum())


def pair_scores(truth: pl.Series, predicted: pl.Series) -> PairScores:
    """Row pairs put together by `predicted` labels, scored against `truth` labels."""
    if truth.len() != predicted.len():
        raise ValueError(f"truth has {truth.len()} rows but predicted has {predicted.len()}")
    frame = pl.DataFrame({"t": truth, "p": predicted})
    return PairScores(
        predicted=_pairs(frame, "p"), true=_pairs(frame, "t"), correct=_pairs(frame, "t", "p")
    )
