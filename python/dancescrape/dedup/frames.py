"""Prepare a frame for the core: check its columns and add each event's local date."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from dancescrape import _core

__all__ = ["CORE_INPUTS", "DedupInputError", "core_frame"]

CORE_INPUTS = ("title", "venue", "city", "start", "source", "source_event_id")


class DedupInputError(_core.CoreInputError):
    """A frame handed to dedup has a missing or mistyped column, or a bad value in one."""


def _local_day(zones: list[str]) -> pl.Expr:
    # One branch per zone present: frames hold a handful of zones, not one per row.
    start = pl.col("start")
    expr = start.dt.date()  # no zone known: the UTC date
    for zone in zones:
        expr = (
            pl.when(pl.col("timezone") == zone)
            .then(start.dt.convert_time_zone(zone).dt.date())
            .otherwise(expr)
        )
    return expr.alias("local_day")


def core_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """The columns the core reads, plus `local_day` and every other column (for completeness)."""
    missing = [c for c in (*CORE_INPUTS, "timezone") if c not in frame.columns]
    if missing:
        raise DedupInputError(
            f"column {missing[0]!r} is missing (frame has: {', '.join(frame.columns)})"
        )
    if frame.schema["timezone"] not in (pl.String, pl.Null):
        raise DedupInputError(
            f"column 'timezone' must be a string, found {frame.schema['timezone']}"
        )
    start = frame.schema["start"]
    if start != pl.Null and not (isinstance(start, pl.Datetime) and start.time_zone is not None):
        raise DedupInputError(f"column 'start' must be a timezone-aware datetime, found {start}")
    zones = frame["timezone"].drop_nulls().unique().sort().to_list() if frame.height else []
    for zone in zones:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise DedupInputError(f"column 'timezone' holds an unknown zone {zone!r}") from None
    extra = [_local_day(zones)]
    if isinstance(frame.schema.get("sources"), pl.List):
        # Events merged earlier speak for every source they came from: the core's guard
        # must see them all, or a second dedup could chain what the first kept apart.
        names = pl.col("sources").list.eval(pl.element().struct.field("source"))
        extra.append(names.list.join("\x1f").alias("provenance"))
    return frame.with_columns(extra).rechunk()
