"""The core's local dates (its blocking key) agree with Python's zoneinfo everywhere."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl
from hypothesis import given, settings
from hypothesis import strategies as st

from dancescrape.dedup import dedup_rows
from dedup.strategies import to_frame

# Half-hour DST (Lord Howe), 45-minute offsets (Kathmandu, Chatham), both hemispheres,
# the date line (Kiribati) and a zone that skipped a whole day (Apia, 2011).
ZONES = [
    "America/Vancouver",
    "Europe/Berlin",
    "Australia/Lord_Howe",
    "Asia/Kathmandu",
    "Pacific/Chatham",
    "Pacific/Kiritimati",
    "Pacific/Apia",
    "America/St_Johns",
    "UTC",
]
INSTANTS = st.datetimes(datetime(1990, 1, 1), datetime(2060, 1, 1)).map(
    lambda t: t.replace(tzinfo=UTC)
)


def frame_of(starts: list[datetime], zones: list[str | None]) -> pl.DataFrame:
    blank = dict.fromkeys(("venue", "source_url", "source_event_id", "url", "price"))
    rows = [
        blank
        | {"title": f"event {i}", "city": "X", "timezone": zone, "start": start, "source": "s"}
        for i, (start, zone) in enumerate(zip(starts, zones, strict=True))
    ]
    return to_frame(rows)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(INSTANTS, st.none() | st.sampled_from(ZONES)), min_size=1, max_size=30))
def test_local_day_is_the_zoneinfo_date(rows: list[tuple[datetime, str | None]]) -> None:
    starts, zones = [r[0] for r in rows], [r[1] for r in rows]
    got = dedup_rows(frame_of(starts, zones)).rows["local_day"].to_list()
    want = [
        s.astimezone(ZoneInfo(z) if z else UTC).date() for s, z in zip(starts, zones, strict=True)
    ]
    assert got == want


def test_dst_transitions_move_the_local_midnight() -> None:
    # 23:30 UTC is 00:30 the next day in Berlin in winter (CET) and already
    # 01:30 in summer (CEST); in Vancouver it is still the afternoon of the same day.
    starts = [datetime(2026, 1, 10, 23, 30, tzinfo=UTC), datetime(2026, 7, 10, 22, 30, tzinfo=UTC)]
    berlin = dedup_rows(frame_of(starts, ["Europe/Berlin"] * 2)).rows["local_day"].to_list()
    assert [d.isoformat() for d in berlin] == ["2026-01-11", "2026-07-11"]
    west = dedup_rows(frame_of(starts, ["America/Vancouver"] * 2)).rows["local_day"].to_list()
    assert [d.isoformat() for d in west] == ["2026-01-10", "2026-07-10"]


def test_a_null_start_has_no_local_day() -> None:
    frame = frame_of([datetime(2026, 1, 1, tzinfo=UTC)] * 2, ["Europe/Berlin"] * 2)
    frame = frame.with_columns(
        start=pl.Series([None, datetime(2026, 1, 1, tzinfo=UTC) + timedelta(hours=23)])
    )
    assert dedup_rows(frame).rows["local_day"].to_list()[0] is None
