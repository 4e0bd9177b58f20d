"""One canonical record per cluster: the best row leads, the others fill its gaps."""

from __future__ import annotations

import polars as pl

from dancescrape.model.schema import EVENT_COLUMNS, EVENT_SCHEMA

__all__ = ["merge_clusters", "merge_expr"]


def merge_expr(column: str) -> pl.Expr:
    """How one column of a cluster's rows (canonical row first) becomes one value."""
    col = pl.col(column)
    if column in ("sources", "dance_styles"):
        # Provenance of every member, each once, the canonical row's first.
        return col.list.explode(keep_nulls=False, empty_as_null=False).unique(maintain_order=True)
    if column == "first_seen":
        return col.min()
    if column == "last_seen":
        return col.max()
    if column in ("source", "source_url", "source_event_id"):
        return col.first()  # provenance is the canonical row's own; `sources` keeps the rest
    if column == "event_type":
        # A member that knows the type beats one that says "other".
        return col.filter(col != "other").first().fill_null("other")
    return col.drop_nulls().first()  # the canonical row's value, gaps filled from the rest


def merge_clusters(frame: pl.DataFrame, rows: pl.DataFrame) -> pl.DataFrame:
    """Merge `frame` by the core's `event_id`/`cluster`/`rank` columns (`rows`, same order)."""
    columns = [c for c in frame.columns if c != "event_id"]
    if frame.is_empty():
        return frame.with_columns(event_id=pl.lit(None, pl.String)).select("event_id", *columns)
    ranked = frame.drop("event_id", strict=False).with_columns(
        rows.select("event_id", "cluster", "rank")
    )
    merged = (
        ranked.sort("cluster", "rank")
        .group_by("cluster", maintain_order=True)
        .agg(pl.col("event_id").first(), *(merge_expr(c) for c in columns))
        .drop("cluster")
        .sort("event_id")  # the output order never depends on the input order
    )
    if set(EVENT_COLUMNS) <= set(merged.columns):
        return merged.select(EVENT_COLUMNS).cast(dict(EVENT_SCHEMA))  # type: ignore[arg-type]
    return merged.select("event_id", *columns)
