"""The event as plugin authors see it: a plain typed class with the contract's fields."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Literal, get_args
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

__all__ = ["EVENT_TYPES", "STATUSES", "Event", "EventType", "Provenance", "Status"]

EventType = Literal["social", "class", "workshop", "festival", "performance", "other"]
Status = Literal["scheduled", "cancelled", "postponed", "rescheduled"]
EVENT_TYPES: tuple[str, ...] = get_args(EventType)
STATUSES: tuple[str, ...] = get_args(Status)


@dataclass(slots=True, frozen=True)
class Provenance:
    """Where one copy of a merged event came from."""

    source: str
    source_url: str
    source_event_id: str | None = None
    url: str | None = None


@dataclass(slots=True, kw_only=True)
class Event:
    """One dance event, with the field names of the public contract.

    Extractors build these; the pipeline turns batches of them into polars frames.
    Datetimes must be timezone-aware::

        from datetime import datetime
        from zoneinfo import ZoneInfo
        from dancescrape import Event

        tz = ZoneInfo("America/Vancouver")
        event = Event(
            title="Tuesday Salsa Social",
            start=datetime(2026, 12, 1, 20, 0, tzinfo=tz),
            timezone="America/Vancouver",
            source="my-studio",
            source_url="https://studio.example/events",
        )
    """

    title: str
    start: datetime
    source: str
    source_url: str
    timezone: str = "UTC"
    end: datetime | None = None
    all_day: bool = False
    description: str | None = None
    dance_styles: list[str] = field(default_factory=list)
    event_type: EventType = "other"
    venue: str | None = None
    address: str | None = None
    city: str | None = None
    country: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    price: str | None = None
    price_min: float | None = None
    price_max: float | None = None
    currency: str | None = None
    organizer: str | None = None
    url: str | None = None
    status: Status = "scheduled"
    source_event_id: str | None = None
    # Filled in by dedup and the run, not by extractors.
    event_id: str | None = None
    sources: list[Provenance] = field(default_factory=list)
    first_seen: datetime | None = None
    last_seen: datetime | None = None

    def __post_init__(self) -> None:
        self.title = self.title.strip() if isinstance(self.title, str) else self.title
        if not isinstance(self.title, str) or not self.title:
            raise ValueError("Event.title must be a non-empty string")
        for name in ("start", "end", "first_seen", "last_seen"):
            value = getattr(self, name)
            if value is None:
                if name == "start":
                    raise ValueError("Event.start is required")
                continue
            if not isinstance(value, datetime):
                raise ValueError(f"Event.{name} must be a datetime, got {type(value).__name__}")
            if value.tzinfo is None or value.utcoffset() is None:
                raise ValueError(f"Event.{name} must be timezone-aware, got naive {value!r}")
        if self.end is not None and self.end < self.start:
            raise ValueError(
                f"Event.end {self.end.isoformat()} is before start {self.start.isoformat()}"
            )
        try:
            ZoneInfo(self.timezone)
        except (ZoneInfoNotFoundError, ValueError) as exc:
            raise ValueError(f"Event.timezone {self.timezone!r} is not an IANA time zone") from exc
        if self.event_type not in EVENT_TYPES:
            raise ValueError(f"Event.event_type {self.event_type!r} is not one of {EVENT_TYPES}")
        if self.status not in STATUSES:
            raise ValueError(f"Event.status {self.status!r} is not one of {STATUSES}")
        if not self.sources:
            self.sources = [
                Provenance(self.source, self.source_url, self.source_event_id, self.url)
            ]
