"""A persistent hash cache of events and pages, kept by the Rust core between runs.

For each event it says whether it is new, changed or unchanged since earlier runs
and stamps `first_seen`/`last_seen`; for each page whether its content changed, so
an unchanged page can skip extraction. Writes are crash-safe (temporary file, then
rename); a damaged file is an error or, by default, is set aside and salvaged.
"""

from __future__ import annotations

from datetime import UTC, datetime
from pathlib import Path
from typing import Literal

import polars as pl
from loguru import logger

from dancescrape import _core
from dancescrape.errors import DancescrapeError

__all__ = ["CONTENT_COLUMNS", "HashCache", "HashCacheError"]

# What makes an event "changed": anything a reader would see, not when or where we found it.
CONTENT_COLUMNS = (
    "title", "description", "dance_styles", "event_type", "start", "end", "timezone",
    "all_day", "venue", "address", "city", "country", "latitude", "longitude", "price",
    "price_min", "price_max", "currency", "organizer", "url", "status",
)  # fmt: skip


class HashCacheError(DancescrapeError):
    """The hash cache file is damaged or cannot be read or written; the message names it."""


def _micros(now: datetime | None) -> int:
    now = now or datetime.now(UTC)
    if now.tzinfo is None:
        raise ValueError(f"HashCache needs a timezone-aware time, got {now!r}")
    delta = now - datetime(1970, 1, 1, tzinfo=UTC)
    return (delta.days * 86_400 + delta.seconds) * 1_000_000 + delta.microseconds


def _as_text(frame: pl.DataFrame, column: str) -> pl.Expr:
    # Values are hashed as text: lists joined, everything else cast, so the fingerprint
    # rests on the values and not on how polars lays them out in memory.
    dtype = frame.schema[column]
    col = pl.col(column)
    if isinstance(dtype, pl.List):
        return col.cast(pl.List(pl.String)).list.join("\x1f").alias(column)
    if isinstance(dtype, pl.Datetime):
        return col.dt.convert_time_zone("UTC").dt.strftime("%Y-%m-%dT%H:%M:%S%.6f").alias(column)
    return col.cast(pl.String).alias(column)


class HashCache:
    """Fingerprints of events and pages on disk; open with `HashCache.open(path)`."""

    def __init__(self, store: _core.HashStore, path: Path) -> None:
        self._store = store
        self.path = path

    @classmethod
    def open(
        cls, path: str | Path, *, on_corrupt: Literal["rebuild", "raise"] = "rebuild"
    ) -> HashCache:
        """Open (or start) the cache at `path`.

        A damaged file raises `HashCacheError` with `on_corrupt="raise"`; with the default
        `"rebuild"` it is moved aside as `PATH.corrupt`, every record that checks out is
        kept, and the problem is logged and listed in `problems`.
        """
        path = Path(path)
        try:
            store = _core.HashStore.open(str(path), on_corrupt == "rebuild")
        except _core.CoreCacheError as exc:
            raise HashCacheError(str(exc)) from None
        for problem in store.problems:
            logger.warning("rebuilt damaged hash cache: {}", problem)
        return cls(store, path)

    @property
    def problems(self) -> list[str]:
        """What was found damaged (and set aside) when the cache was opened."""
        return self._store.problems

    def __len__(self) -> int:
        return len(self._store)

    def observe(self, frame: pl.DataFrame, now: datetime | None = None) -> pl.DataFrame:
        """`frame` with `first_seen`, `last_seen` and `change` (new/changed/unchanged).

        Needs `event_id`; the content compared is every column of `CONTENT_COLUMNS`
        that the frame has.
        """
        if "event_id" not in frame.columns:
            raise _core.CoreInputError(
                f"column 'event_id' is missing (frame has: {', '.join(frame.columns)})"
            )
        content = [c for c in CONTENT_COLUMNS if c in frame.columns]
        keyed = frame.select(pl.col("event_id"), *(_as_text(frame, c) for c in content))
        seen = pl.DataFrame(self._store.observe(keyed, _micros(now)))
        return frame.drop("first_seen", "last_seen", "change", strict=False).with_columns(seen)

    def page_changed(self, url: str, content: bytes | str, now: datetime | None = None) -> bool:
        """True when `url` is new or its content differs from the last run's (then remembered)."""
        data = content.encode("utf-8") if isinstance(content, str) else bytes(content)
        return self._store.page_changed(url, data, _micros(now))

    def save(self) -> None:
        """Persist what changed: a log append, or a compaction when the log grows large."""
        try:
            self._store.save()
        except _core.CoreCacheError as exc:
            raise HashCacheError(str(exc)) from None

    def compact(self) -> None:
        """Rewrite the cache as one snapshot and drop the log."""
        try:
            self._store.compact()
        except _core.CoreCacheError as exc:
            raise HashCacheError(str(exc)) from None
