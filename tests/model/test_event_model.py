"""The Event class validates itself; frames round-trip; records carry local offsets."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl
import pytest
from hypothesis import given
from hypothesis import strategies as st

from dancescrape.model import (
    EVENT_COLUMNS,
    EVENT_SCHEMA,
    Event,
    events_to_frame,
    frame_to_events,
    iter_records,
)

VAN = ZoneInfo("America/Vancouver")


def _event(**kw: object) -> Event:
    base: dict[str, object] = dict(
        title="Salsa Social",
        start=datetime(2026, 12, 4, 20, 30, tzinfo=VAN),
        timezone="America/Vancouver",
        source="s",
        source_url="https://x.example/",
    )
    base.update(kw)
    return Event(**base)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"start": datetime(2026, 12, 4, 20, 30)}, "Event.start must be timezone-aware"),
        ({"end": datetime(2026, 12, 4, 22, 0)}, "Event.end must be timezone-aware"),
        ({"title": "   "}, "Event.title must be a non-empty string"),
        ({"timezone": "Mars/Olympus"}, "'Mars/Olympus' is not an IANA time zone"),
        ({"event_type": "rave"}, "Event.event_type 'rave'"),
        ({"status": "maybe"}, "Event.status 'maybe'"),
        ({"end": datetime(2026, 12, 4, 19, 0, tzinfo=VAN)}, "is before start"),
        ({"start": "2026-12-04"}, "Event.start must be a datetime, got str"),
    ],
)
def test_invalid_events_name_the_field(change: dict[str, object], message: str) -> None:
    with pytest.raises(ValueError, match=message):
        _event(**change)


def test_provenance_defaults_to_the_event_itself() -> None:
    e = _event(source_event_id="uid-1", url="https://x.example/e/1")
    assert [(p.source, p.source_event_id, p.url) for p in e.sources] == [
        ("s", "uid-1", "https://x.example/e/1")
    ]


def test_frame_has_the_contract_columns_in_utc() -> None:
    frame = events_to_frame([_event()])
    assert frame.schema == EVENT_SCHEMA
    assert tuple(frame.columns) == EVENT_COLUMNS
    assert frame["start"][0] == datetime(2026, 12, 5, 4, 30, tzinfo=UTC)


def test_records_render_local_time_with_offset() -> None:
    record = next(iter_records(events_to_frame([_event()])))
    assert record["start"] == "2026-12-04T20:30:00-08:00"
    assert record["end"] is None
    assert record["sources"][0]["source"] == "s"


zones = st.sampled_from(
    ["UTC", "America/Vancouver", "Europe/London", "Asia/Kolkata", "Australia/Lord_Howe"]
)


@given(
    zone=zones,
    minutes=st.integers(0, 60 * 24 * 800),
    length=st.none() | st.integers(0, 60 * 72),
    title=st.text(min_size=1).filter(lambda t: t.strip() != ""),
    styles=st.lists(st.sampled_from(["salsa", "bachata", "zouk"]), max_size=3),
    price=st.none() | st.floats(0, 1000, allow_nan=False),
)
def test_events_round_trip_through_frames(
    zone: str, minutes: int, length: int | None, title: str, styles: list[str], price: float | None
) -> None:
    tz = ZoneInfo(zone)
    start = (datetime(2026, 1, 1, tzinfo=UTC) + timedelta(minutes=minutes)).astimezone(tz)
    event = _event(
        title=title,
        start=start,
        timezone=zone,
        end=None if length is None else start + timedelta(minutes=length),
        dance_styles=styles,
        price_min=price,
        price_max=price,
    )
    (back,) = frame_to_events(events_to_frame([event]))
    assert back == event
    assert back.start.utcoffset() == event.start.utcoffset()


def test_empty_frame_keeps_the_schema() -> None:
    assert events_to_frame([]).schema == EVENT_SCHEMA
    assert isinstance(events_to_frame([]), pl.DataFrame)
