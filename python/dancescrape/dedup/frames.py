"""Prepare a frame for the core: check that its columns are there, add provenance."""

from __future__ import annotations

import polars as pl

from dancescrape import _core

__all__ = ["CORE_INPUTS", "DedupInputError", "core_frame"]

CORE_INPUTS = ("title", "venue", "city", "start", "timezone", "source", "source_event_id")


class DedupInputError(_core.CoreInputError):
    """A frame handed to dedup has a missing or mistyped column, or a bad value in one."""


def core_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """The frame the core reads: checked for its columns, plus provenance when needed.

    Types, values and each start's local date (in its row's `timezone`) are the core's
    job: it names the column at fault when one is wrong.
    """
    missing = [c for c in CORE_INPUTS if c not in frame.columns]
    if missing:
        raise DedupInputError(
            f"column {missing[0]!r} is missing (frame has: {', '.join(frame.columns)})"
        )
    sources = frame.schema.get("sources")
    # Only events merged earlier (more than one provenance entry) need it.
    if isinstance(sources, pl.List) and (frame["sources"].list.len().max() or 0) > 1:  # type: ignore[operator]
        # Events merged earlier speak for every source they came from: the core's guard
        # must see them all, or a second dedup could chain what the first kept apart.
        names = pl.col("sources").list.eval(pl.element().struct.field("source"))
        return frame.with_columns(names.list.join("\x1f").alias("provenance"))
    return frame
