"""The one frame schema of the pipeline, and conversion between frames and Events.

Inside frames every datetime is UTC; the event's own zone lives in `timezone`,
and sinks render local times with offsets from the two (see `records`).
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import asdict
from datetime import UTC, datetime
from typing import Any

import polars as pl

from dancescrape.model.event import Event, Provenance

__all__ = ["EVENT_COLUMNS", "EVENT_SCHEMA", "empty_frame", "events_to_frame", "frame_to_events"]

_UTC = pl.Datetime("us", "UTC")
PROVENANCE_DTYPE = pl.Struct(
    {"source": pl.String, "source_url": pl.String, "source_event_id": pl.String, "url": pl.String}
)

_FIELDS: dict[str, pl.DataType] = {
    "event_id": pl.String(),
    "title": pl.String(),
    "description": pl.String(),
    "dance_styles": pl.List(pl.String()),
    "event_type": pl.String(),
    "start": _UTC,
    "end": _UTC,
    "timezone": pl.String(),
    "all_day": pl.Boolean(),
    "venue": pl.String(),
    "address": pl.String(),
    "city": pl.String(),
    "country": pl.String(),
    "latitude": pl.Float64(),
    "longitude": pl.Float64(),
    "price": pl.String(),
    "price_min": pl.Float64(),
    "price_max": pl.Float64(),
    "currency": pl.String(),
    "organizer": pl.String(),
    "url": pl.String(),
    "status": pl.String(),
    "source": pl.String(),
    "source_url": pl.String(),
    "source_event_id": pl.String(),
    "sources": pl.List(PROVENANCE_DTYPE),
    "first_seen": _UTC,
    "last_seen": _UTC,
}
EVENT_SCHEMA: pl.Schema = pl.Schema(_FIELDS)
EVENT_COLUMNS: tuple[str, ...] = tuple(EVENT_SCHEMA.names())
_DATETIME_COLUMNS = ("start", "end", "first_seen", "last_seen")


def empty_frame() -> pl.DataFrame:
    return pl.DataFrame(schema=EVENT_SCHEMA)


def _row(event: Event) -> dict[str, Any]:
    row = asdict(event)
    for name in _DATETIME_COLUMNS:
        value = row[name]
        row[name] = value.astimezone(UTC) if value is not None else None
    return {name: row[name] for name in EVENT_COLUMNS}


def events_to_frame(events: Iterable[Event]) -> pl.DataFrame:
    """A frame in `EVENT_SCHEMA` from typed events."""
    rows = [_row(e) for e in events]
    if not rows:
        return empty_frame()
    return pl.DataFrame(rows, schema=EVENT_SCHEMA)


def frame_to_events(frame: pl.DataFrame) -> list[Event]:
    """Typed events from a frame in `EVENT_SCHEMA`, with datetimes in each event's zone."""
    from zoneinfo import ZoneInfo

    events = []
    for row in frame.select(EVENT_COLUMNS).iter_rows(named=True):
        tz = ZoneInfo(row["timezone"])
        for name in ("start", "end"):
            value: datetime | None = row[name]
            row[name] = value.astimezone(tz) if value is not None else None
        row["sources"] = [Provenance(**p) for p in row["sources"] or []]
        row["dance_styles"] = list(row["dance_styles"] or [])
        events.append(Event(**row))
    return events
