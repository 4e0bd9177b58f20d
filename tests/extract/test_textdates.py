"""Free-text dates, times and recurring phrases: worked examples and properties."""

from __future__ import annotations

from datetime import date, datetime, time, timedelta
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dancescrape.extract.textdates import (
    Recurrence,
    TimeRange,
    When,
    find_dates,
    find_recurrence,
    find_time_range,
    occurrences,
    parse_when_text,
)

REF = date(2026, 11, 29)
DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")
MONTHS = (
    "January",
    "February",
    "March",
    "April",
    "May",
    "June",
    "July",
    "August",
    "September",
    "October",
    "November",
    "December",
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Tue, Jan 7", date(2025, 1, 7)),  # the weekday picks the year: 2025, not 2027
        ("Thu, Jan 7", date(2027, 1, 7)),
        ("January 7th", date(2027, 1, 7)),  # nearest to the reference date
        ("7 January 2026", date(2026, 1, 7)),
        ("2026-12-05", date(2026, 12, 5)),
        ("Saturday the 5th of December", date(2026, 12, 5)),
        ("Sat Dec. 5", date(2026, 12, 5)),
    ],
)
def test_dates_in_many_forms(text: str, expected: date) -> None:
    dates, problems = find_dates(text, REF)
    assert (dates, problems) == ([expected], [])


def test_numeric_dates_follow_the_locale_and_need_a_year_or_weekday() -> None:
    assert find_dates("7/1/2026", REF, day_first=True)[0] == [date(2026, 1, 7)]
    assert find_dates("7/1/2026", REF, day_first=False)[0] == [date(2026, 7, 1)]
    assert find_dates("25/12/2026", REF, day_first=False)[0] == [date(2026, 12, 25)]
    assert find_dates("mix 3/4 cup", REF)[0] == []


def test_weekday_that_contradicts_the_date_is_a_problem() -> None:
    dates, problems = find_dates("Wed, Mar 12, 2026", REF)
    assert dates == []
    assert problems == ["'Wed, Mar 12, 2026': 2026-03-12 is a Thursday"]


@pytest.mark.parametrize(
    ("text", "start", "end"),
    [
        ("8–11pm", time(20), time(23)),
        ("9pm-1am", time(21), time(1)),
        ("9-1am", time(21), time(1)),
        ("11-2pm", time(11), time(14)),
        ("20:00–23:30", time(20), time(23, 30)),
        ("7:30pm", time(19, 30), None),
        ("9pm till late", time(21), None),
        ("8pm–midnight", time(20), time(0)),
        ("Doors 8.30 p.m.", time(20, 30), None),
        ("noon", time(12), None),
    ],
)
def test_time_ranges(text: str, start: time, end: time | None) -> None:
    assert find_time_range(text) == TimeRange(start, end)


def test_numbers_that_are_not_times() -> None:
    assert find_time_range("won 7-1 in 2026") is None
    assert find_time_range("Room 12") is None


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Every Tuesday 8–11pm, Salsa social", Recurrence((1,))),
        ("Tuesdays & Thursdays", Recurrence((1, 3))),
        ("1st Friday of the month", Recurrence((4,), (1,))),
        ("first and third Saturdays", Recurrence((5,), (1, 3))),
        ("last Sunday of every month", Recurrence((6,), (-1,))),
        ("every other Wednesday", Recurrence((2,), (), every_other=True)),
        ("nightly from 9", Recurrence(tuple(range(7)))),
    ],
)
def test_recurring_phrases(text: str, expected: Recurrence) -> None:
    assert find_recurrence(text) == expected


def test_monthly_dates_are_the_right_weekdays() -> None:
    fridays = list(Recurrence((4,), (1,)).dates(date(2026, 1, 1), date(2026, 6, 30)))
    assert fridays == [
        date(2026, 1, 2),
        date(2026, 2, 6),
        date(2026, 3, 6),
        date(2026, 4, 3),
        date(2026, 5, 1),
        date(2026, 6, 5),
    ]
    last = list(Recurrence((6,), (-1,)).dates(date(2026, 1, 1), date(2026, 3, 31)))
    assert last == [date(2026, 1, 25), date(2026, 2, 22), date(2026, 3, 29)]


def test_occurrences_keep_the_wall_clock_across_dst() -> None:
    when = parse_when_text("Every Saturday 9pm–1am", REF)
    got = occurrences(when, "Europe/Berlin", date(2026, 3, 21), date(2026, 4, 4))
    # Berlin moves to summer time at 02:00 on Sunday 29 March 2026.
    assert [(s.isoformat(), e.isoformat() if e else None) for s, e, _ in got] == [
        ("2026-03-21T21:00:00+01:00", "2026-03-22T01:00:00+01:00"),
        ("2026-03-28T21:00:00+01:00", "2026-03-29T01:00:00+01:00"),
        ("2026-04-04T21:00:00+02:00", "2026-04-05T01:00:00+02:00"),
    ]


def test_a_wall_time_skipped_by_dst_moves_forward() -> None:
    when = parse_when_text("Every Saturday 11pm–2:30am", REF)
    got = occurrences(when, "Europe/Berlin", date(2026, 3, 28), date(2026, 3, 28))
    assert [(s.isoformat(), e.isoformat() if e else None) for s, e, _ in got] == [
        ("2026-03-28T23:00:00+01:00", "2026-03-29T03:30:00+02:00"),
    ]


def test_a_date_without_time_is_all_day_with_an_exclusive_end() -> None:
    got = occurrences(When([date(2026, 12, 5)]), "UTC", REF, date(2026, 12, 31))
    start, end, all_day = got[0]
    assert all_day and end is not None and end - start == timedelta(days=1)


@given(st.dates(date(1990, 1, 1), date(2060, 12, 31)), st.booleans())
def test_written_dates_round_trip(day: date, abbreviated: bool) -> None:
    month = MONTHS[day.month - 1][:3] if abbreviated else MONTHS[day.month - 1]
    weekday = DAYS[day.weekday()][:3] if abbreviated else DAYS[day.weekday()]
    for text in (f"{weekday}, {month} {day.day}, {day.year}", f"{day.day} {month} {day.year}"):
        assert find_dates(text, REF) == ([day], [])
    # Without the year, the weekday alone must find a year agreeing with it.
    found, problems = find_dates(f"{weekday}, {month} {day.day}", day)
    assert found == [day] or problems


@given(st.integers(1, 12), st.integers(0, 59), st.integers(1, 12), st.sampled_from(["am", "pm"]))
def test_twelve_hour_times_round_trip(h1: int, m1: int, h2: int, ap: str) -> None:
    text = f"{h1}:{m1:02d}{ap} to {h2}{ap}"
    expected_start = time(h1 % 12 + (12 if ap == "pm" else 0), m1)
    assert find_time_range(text) == TimeRange(
        expected_start, time(h2 % 12 + (12 if ap == "pm" else 0))
    )


@given(st.sampled_from(DAYS), st.dates(date(2000, 1, 1), date(2050, 1, 1)), st.integers(0, 90))
def test_weekly_series_fall_on_their_day(day: str, first: date, span: int) -> None:
    recurrence = find_recurrence(f"every {day}")
    assert recurrence is not None
    dates = list(recurrence.dates(first, first + timedelta(days=span)))
    assert all(DAYS[d.weekday()] == day for d in dates)
    assert len(dates) in ((span + 1) // 7, (span + 1) // 7 + 1)


@given(st.text(max_size=300), st.dates(date(1990, 1, 1), date(2060, 1, 1)), st.booleans())
def test_fuzz_any_text_parses_without_raising(text: str, ref: date, day_first: bool) -> None:
    when = parse_when_text(text, ref, day_first=day_first)
    for start, end, _ in occurrences(when, "America/Vancouver", ref, ref + timedelta(days=40)):
        assert isinstance(start, datetime) and start.tzinfo == ZoneInfo("America/Vancouver")
        assert end is None or end > start
