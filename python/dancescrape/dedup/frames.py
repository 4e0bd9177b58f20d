"""Prepare a frame for the core: check its columns and add each event's local date."""

from __future__ import annotations

from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import polars as pl

from dancescrape import _core

__all__ = ["CORE_INPUTS", "DedupInputError", "core_frame"]

CORE_INPUTS = ("title", "venue", "city", "start", "source", "source_event_id")


class DedupInputError(_core.CoreInputError):
    """A frame handed to dedup has a missing or mistyped column, or a bad value in one."""


def _local_days(frame: pl.DataFrame, zones: list[str]) -> pl.Series:
    """The local date of every start, in its row's zone (UTC when the zone is unknown).

    Zone offsets only change on quarter-hour boundaries, so each distinct (zone,
    quarter hour) is converted once and joined back: a few thousand conversions
    instead of one pass over the frame per zone.
    """
    if len(zones) <= 1:  # one zone (or none): a single pass is cheapest
        local = pl.col("start").dt.date()
        if zones and frame["timezone"].null_count() == 0:
            # Every row in the one zone: no per-row test of the zone needed.
            local = pl.col("start").dt.convert_time_zone(zones[0]).dt.date()
        elif zones:
            local = (
                pl.when(pl.col("timezone") == zones[0])
                .then(pl.col("start").dt.convert_time_zone(zones[0]).dt.date())
                .otherwise(local)
            )
        return frame.select(local.alias("local_day")).to_series()
    quarter = pl.col("start").dt.truncate("15m")
    keys = frame.select(pl.col("timezone"), quarter.alias("quarter"))
    distinct = keys.unique()
    local = pl.col("quarter").dt.date()  # no zone known: the UTC date
    for zone in zones:
        local = (
            pl.when(pl.col("timezone") == zone)
            .then(pl.col("quarter").dt.convert_time_zone(zone).dt.date())
            .otherwise(local)
        )
    table = distinct.with_columns(local.alias("local_day"))
    joined = keys.join(
        table, on=["timezone", "quarter"], how="left", nulls_equal=True, maintain_order="left"
    )
    return joined["local_day"]


def core_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """The columns the core reads, plus `local_day` and every other column (for completeness)."""
    missing = [c for c in (*CORE_INPUTS, "timezone") if c not in frame.columns]
    if missing:
        raise DedupInputError(
            f"column {missing[0]!r} is missing (frame has: {', '.join(frame.columns)})"
        )
    schema = frame.schema  # built afresh on every access: read it once
    if schema["timezone"] not in (pl.String, pl.Null):
        raise DedupInputError(f"column 'timezone' must be a string, found {schema['timezone']}")
    start = schema["start"]
    if start != pl.Null and not (isinstance(start, pl.Datetime) and start.time_zone is not None):
        raise DedupInputError(f"column 'start' must be a timezone-aware datetime, found {start}")
    # Sorting the few distinct zones in Python is cheaper than a polars sort of them.
    zones = sorted(z for z in frame["timezone"].unique().to_list() if z is not None)
    for zone in zones:
        try:
            ZoneInfo(zone)
        except (ZoneInfoNotFoundError, ValueError, OSError):
            raise DedupInputError(f"column 'timezone' holds an unknown zone {zone!r}") from None
    local_day = _local_days(frame, zones)
    extra: list[pl.Expr | pl.Series] = [local_day]
    sources = schema.get("sources")
    # Only events merged earlier (more than one provenance entry) need it.
    if isinstance(sources, pl.List) and (frame["sources"].list.len().max() or 0) > 1:  # type: ignore[operator]
        # Events merged earlier speak for every source they came from: the core's guard
        # must see them all, or a second dedup could chain what the first kept apart.
        names = pl.col("sources").list.eval(pl.element().struct.field("source"))
        extra.append(names.list.join("\x1f").alias("provenance"))
    if len(extra) == 1 and "local_day" not in frame.columns:
        # One new column: hstack adds it without the cost of a query plan.
        return frame.hstack([local_day]).rechunk()
    return frame.with_columns(extra).rechunk()
