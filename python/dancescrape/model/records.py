"""Rows in the contract's output form: local datetimes with offsets, plain JSON types."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime
from typing import Any
from zoneinfo import ZoneInfo

import polars as pl

from dancescrape.model.schema import EVENT_COLUMNS

__all__ = ["iter_records", "to_iso"]


def to_iso(value: datetime | None, zone: str | None = None) -> str | None:
    """ISO 8601 with offset, in `zone` (the event's own) or UTC."""
    if value is None:
        return None
    if value.tzinfo is None:  # polars hands back UTC-aware values; guard anyway
        value = value.replace(tzinfo=UTC)
    return value.astimezone(ZoneInfo(zone) if zone else UTC).isoformat()


def iter_records(frame: pl.DataFrame) -> Iterator[dict[str, Any]]:
    """One JSON-ready dict per event, keys in contract order."""
    for row in frame.select(EVENT_COLUMNS).iter_rows(named=True):
        zone = row["timezone"]
        row["start"] = to_iso(row["start"], zone)
        row["end"] = to_iso(row["end"], zone)
        row["first_seen"] = to_iso(row["first_seen"])
        row["last_seen"] = to_iso(row["last_seen"])
        row["dance_styles"] = list(row["dance_styles"] or [])
        row["sources"] = list(row["sources"] or [])
        yield row
