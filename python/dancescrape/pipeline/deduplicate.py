"""The dedup stage of a run: the Rust core merges copies, the hash cache stamps seen-times."""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path

import polars as pl

from dancescrape.dedup.cache import HashCache, HashCacheError
from dancescrape.dedup.core import dedup
from dancescrape.dedup.options import DedupOptions
from dancescrape.ops.config import Settings
from dancescrape.pipeline.names import source_name
from dancescrape.pipeline.report import RunReport

__all__ = ["cache_path", "dedup_options", "deduplicate", "stamp_seen"]


def dedup_options(settings: Settings) -> DedupOptions:
    conf = settings.dedup
    return DedupOptions(
        window_minutes=conf.window_minutes,
        accept=conf.accept,
        review=conf.review,
        venue_reject=conf.venue_reject,
        # The first source in the config leads a merged event.
        source_priority=tuple(s.name or source_name(s.url) for s in settings.sources),
    )


def cache_path(settings: Settings) -> Path | None:
    """The configured cache, else one beside the first sqlite database; `""` means none."""
    configured = settings.dedup.cache_path
    if configured is not None:
        return Path(configured) if configured else None
    for spec in settings.sinks:
        kind, _, target = spec.partition(":")
        if kind == "sqlite":
            return Path(target + ".hashcache")
    return None


def stamp_seen(events: pl.DataFrame, path: Path | None, report: RunReport) -> pl.DataFrame:
    """first_seen/last_seen from the hash cache; this run's time when there is none."""
    now = datetime.now(UTC)
    if path is not None:
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            cache = HashCache.open(path)
            stamped = cache.observe(events, now)
            cache.save()
            counts = dict(stamped["change"].value_counts().iter_rows())
            report.events_new = counts.get("new", 0)
            report.events_changed = counts.get("changed", 0)
            return stamped.drop("change")
        except (HashCacheError, OSError) as exc:
            report.add("cache", str(path), f"{exc}; first_seen is this run's time")
    return events.with_columns(
        first_seen=pl.lit(now, dtype=pl.Datetime("us", "UTC")),
        last_seen=pl.lit(now, dtype=pl.Datetime("us", "UTC")),
    )


def deduplicate(frame: pl.DataFrame, settings: Settings, report: RunReport) -> pl.DataFrame:
    """One event per real-world event, stamped, with the counts in `report`."""
    result = dedup(frame, dedup_options(settings))
    report.duplicates_merged = result.stats.merged
    report.pairs_for_review = result.review.height
    return stamp_seen(result.events, cache_path(settings), report)
