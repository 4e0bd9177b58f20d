"""Exact dedup: the Rust core keys every row; rows with the same key become one event.

The key (xxh3-128 over folded title, place and start minute) is also the event's
stable `event_id`, so the same real-world event gets the same id on every run.
"""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from dancescrape import _core
from dancescrape.model.schema import EVENT_COLUMNS, EVENT_SCHEMA

__all__ = ["KEY_INPUTS", "ExactDedup", "exact_dedup", "key_frame"]

KEY_INPUTS = ("title", "venue", "city", "start", "source", "source_event_id")


@dataclass(slots=True, frozen=True)
class ExactDedup:
    events: pl.DataFrame
    merged: int  # input rows folded into another row


def key_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Key columns from the core: title_norm, place_norm, exact_key, source_key."""
    return pl.DataFrame(_core.exact_keys(frame.select(KEY_INPUTS)))


def _merge_expr(column: str) -> pl.Expr:
    col = pl.col(column)
    if column in ("sources", "dance_styles"):
        return col.list.explode(keep_nulls=False, empty_as_null=False).unique(maintain_order=True)
    if column == "first_seen":
        return col.min()
    if column == "last_seen":
        return col.max()
    if column == "event_type":
        # A member that knows the type beats one that says "other".
        return col.filter(col != "other").first().fill_null("other")
    return col.drop_nulls().first()  # the first member's value, gaps filled from the rest


def exact_dedup(frame: pl.DataFrame) -> ExactDedup:
    """Merge rows with equal keys; the first row of each group leads, the others fill gaps."""
    if frame.is_empty():
        return ExactDedup(frame.select(EVENT_COLUMNS), 0)
    keyed = frame.with_columns(event_id=key_frame(frame)["exact_key"])
    merged = (
        keyed.group_by("event_id", maintain_order=True)
        .agg(_merge_expr(c) for c in EVENT_COLUMNS if c != "event_id")
        .select(EVENT_COLUMNS)
        .cast(dict(EVENT_SCHEMA))  # type: ignore[arg-type]
    )
    return ExactDedup(merged, frame.height - merged.height)
