"""Exact and fuzzy dedup through the Rust core: one call, typed results.

`dedup_rows` is the core alone (normalise, key, block, score, cluster); `dedup`
also merges each cluster into one canonical event, the form sinks write.
"""

from __future__ import annotations

from dataclasses import dataclass, fields

import polars as pl

from dancescrape import _core
from dancescrape.dedup.frames import DedupInputError
from dancescrape.dedup.merge import merge_clusters
from dancescrape.dedup.options import DedupOptions

__all__ = ["DedupResult", "DedupRows", "DedupStats", "dedup", "dedup_rows"]


@dataclass(frozen=True, slots=True)
class DedupStats:
    """Counters and phase timings of one dedup (seconds are the core's own clock)."""

    rows: int
    exact_groups: int
    blocks: int
    candidate_pairs: int
    token_set_scored: int
    accepted_pairs: int
    refused_pairs: int
    review_pairs: int
    clusters: int
    core_heap_bytes: int
    normalise_seconds: float
    exact_seconds: float
    fuzzy_seconds: float
    cluster_seconds: float

    @property
    def merged(self) -> int:
        """Input rows folded into another row's event."""
        return self.rows - self.clusters

    def as_dict(self) -> dict[str, int | float]:
        return {f.name: getattr(self, f.name) for f in fields(self)} | {"merged": self.merged}


@dataclass(frozen=True, slots=True)
class DedupRows:
    """Per input row (in input order): normalised forms, keys, event_id, cluster and rank.

    `rank` 0 marks the canonical row of a cluster, whose exact key is the `event_id`.
    `review` holds uncertain or guard-refused pairs by input row number.
    """

    rows: pl.DataFrame
    review: pl.DataFrame
    stats: DedupStats


@dataclass(frozen=True, slots=True)
class DedupResult:
    """Canonical events, the row-to-cluster map with provenance, review pairs and stats."""

    events: pl.DataFrame
    clusters: pl.DataFrame
    review: pl.DataFrame
    stats: DedupStats


def dedup_rows(frame: pl.DataFrame, options: DedupOptions | None = None) -> DedupRows:
    """Run the core over `frame` (needs title, venue, city, start, timezone, source, source_event_id).

    `start` must be timezone-aware; each row's local date, the blocking key, is taken
    in its IANA `timezone` (UTC when null).
    """
    options = options or DedupOptions()
    try:
        rows, review, stats = _core.dedup(
            frame,
            window_minutes=float(options.window_minutes),
            accept=float(options.accept),
            review=float(options.review),
            venue_reject=float(options.venue_reject),
            venue_missing=float(options.venue_missing),
            title_weight=float(options.title_weight),
            venue_weight=float(options.venue_weight),
            time_weight=float(options.time_weight),
            cross_source_only=bool(options.cross_source_only),
            source_priority=list(options.source_priority),
        )
    except _core.CoreInputError as err:
        # The core checks columns, types and values, naming the column at fault.
        raise DedupInputError(str(err)) from None
    return DedupRows(
        rows=pl.DataFrame(rows),
        review=pl.DataFrame(review),
        stats=DedupStats(**stats),  # type: ignore[arg-type]
    )


def dedup(frame: pl.DataFrame, options: DedupOptions | None = None) -> DedupResult:
    """Merge duplicates within and across sources into one event per cluster."""
    core = dedup_rows(frame, options)
    rows = core.rows
    provenance = [
        c for c in ("source", "source_url", "source_event_id", "url") if c in frame.columns
    ]
    clusters = pl.concat(
        [rows.with_row_index("row"), frame.select(provenance, title=pl.col("title"))],
        how="horizontal",
    )
    titles = clusters.select("row", "title", "event_id")
    review = (
        core.review.join(
            titles.rename({"row": "left_row", "title": "left_title", "event_id": "left_event_id"}),
            on="left_row",
            how="left",
        )
        .join(
            titles.rename(
                {"row": "right_row", "title": "right_title", "event_id": "right_event_id"}
            ),
            on="right_row",
            how="left",
        )
        .sort("score", "left_event_id", "right_event_id", descending=[True, False, False])
    )
    events = merge_clusters(frame, rows)
    return DedupResult(events=events, clusters=clusters, review=review, stats=core.stats)
