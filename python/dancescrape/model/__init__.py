"""The event model: one schema for the whole pipeline."""

from dancescrape.model.document import Document, Target
from dancescrape.model.event import EVENT_TYPES, STATUSES, Event, EventType, Provenance, Status
from dancescrape.model.records import iter_records, to_iso
from dancescrape.model.schema import (
    EVENT_COLUMNS,
    EVENT_SCHEMA,
    empty_frame,
    events_to_frame,
    frame_to_events,
)

__all__ = [
    "EVENT_COLUMNS",
    "EVENT_SCHEMA",
    "EVENT_TYPES",
    "STATUSES",
    "Document",
    "Event",
    "EventType",
    "Provenance",
    "Status",
    "Target",
    "empty_frame",
    "events_to_frame",
    "frame_to_events",
    "iter_records",
    "to_iso",
]
