"""schema.org `Schedule` (eventSchedule): a repeating series expanded inside a window."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from dateutil import rrule

__all__ = ["ScheduleError", "expand_schedule"]

_DAYS = {
    "monday": rrule.MO,
    "tuesday": rrule.TU,
    "wednesday": rrule.WE,
    "thursday": rrule.TH,
    "friday": rrule.FR,
    "saturday": rrule.SA,
    "sunday": rrule.SU,
}
_DURATION = re.compile(r"^P(?:(\d+)Y)?(?:(\d+)M)?(?:(\d+)W)?(?:(\d+)D)?$")
_FREQ_WORDS = {
    "daily": (rrule.DAILY, 1),
    "weekly": (rrule.WEEKLY, 1),
    "monthly": (rrule.MONTHLY, 1),
    "yearly": (rrule.YEARLY, 1),
}


_ICAL_DAYS = {
    "mo": rrule.MO,
    "tu": rrule.TU,
    "we": rrule.WE,
    "th": rrule.TH,
    "fr": rrule.FR,
    "sa": rrule.SA,
    "su": rrule.SU,
}
_ICAL_DAY = re.compile(r"^(?P<n>[+-]?[1-5])?(?P<day>mo|tu|we|th|fr|sa|su)$")


class ScheduleError(ValueError):
    """The Schedule is malformed; the message names the field."""


def _as_list(value: Any) -> list[Any]:
    if value is None:
        return []
    return value if isinstance(value, list) else [value]


def _frequency(value: Any) -> tuple[int, int]:
    if not isinstance(value, str):
        raise ScheduleError(
            f"repeatFrequency must be text such as 'P1W', got {type(value).__name__}"
        )
    word = _FREQ_WORDS.get(value.strip().lower())
    if word:
        return word
    match = _DURATION.match(value.strip().upper())
    if not match or not any(match.groups()):
        raise ScheduleError(f"repeatFrequency {value!r} is not an ISO 8601 duration such as 'P1W'")
    years, months, weeks, days = (int(g) if g else 0 for g in match.groups())
    for freq, n in (
        (rrule.YEARLY, years),
        (rrule.MONTHLY, months),
        (rrule.WEEKLY, weeks),
        (rrule.DAILY, days),
    ):
        if n:
            return freq, n
    raise ScheduleError(f"repeatFrequency {value!r} is zero")  # pragma: no cover


def _weekday(value: Any) -> rrule.weekday:
    if not isinstance(value, str):
        raise ScheduleError(f"byDay must name a day, got {type(value).__name__}")
    name = value.rstrip("/").rsplit("/", 1)[-1].strip().lower()
    if name in _DAYS:
        return _DAYS[name]
    # iCalendar style, which schema.org allows: "MO", or "2MO" / "-1FR" for the nth in a month.
    match = _ICAL_DAY.match(name)
    if match:
        day = _ICAL_DAYS[match["day"]]
        return day(int(match["n"])) if match["n"] else day
    raise ScheduleError(f"byDay {value!r} is not a day of the week")


def _ints(value: Any, field: str, limit: int) -> list[int]:
    """Whole numbers from 1 to `limit`, or counted from the end (-1 is the last)."""
    out = []
    for entry in _as_list(value):
        number = entry
        if isinstance(entry, str) and entry.strip().lstrip("+-").isdigit():
            number = int(entry.strip())
        if isinstance(number, bool) or not isinstance(number, int) or not 1 <= abs(number) <= limit:
            raise ScheduleError(f"{field} must hold whole numbers from 1 to {limit}, got {entry!r}")
        out.append(number)
    return out


def _clock(value: Any, field: str) -> time | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ScheduleError(f"{field} must be a time such as '20:00', got {type(value).__name__}")
    try:
        return time.fromisoformat(value.strip()[:8])
    except ValueError:
        raise ScheduleError(f"{field} {value!r} is not a time such as '20:00'") from None


def _day(value: Any, field: str) -> date | None:
    if value is None:
        return None
    if not isinstance(value, str):
        raise ScheduleError(f"{field} must be a date, got {type(value).__name__}")
    try:
        return date.fromisoformat(value.strip()[:10])
    except ValueError:
        raise ScheduleError(f"{field} {value!r} is not an ISO date") from None


def expand_schedule(
    schedule: dict[str, Any], zone: str, window_start: date, window_end: date
) -> Iterator[tuple[datetime, datetime | None]]:
    """(start, end) of every occurrence whose local date falls inside the window."""
    if not isinstance(schedule, dict):
        raise ScheduleError(f"eventSchedule must be an object, got {type(schedule).__name__}")
    zone = schedule.get("scheduleTimezone") or zone
    if not isinstance(zone, str):
        raise ScheduleError("scheduleTimezone must be an IANA zone name")
    try:
        tz = ZoneInfo(zone)
    except (KeyError, ValueError):
        raise ScheduleError(f"scheduleTimezone {zone!r} is not an IANA time zone") from None
    freq, interval = _frequency(schedule.get("repeatFrequency", "P1W"))
    first = _day(schedule.get("startDate"), "startDate") or window_start
    last = _day(schedule.get("endDate"), "endDate")
    start_clock = _clock(schedule.get("startTime"), "startTime") or time(0)
    end_clock = _clock(schedule.get("endTime"), "endTime")
    by_day = [_weekday(d) for d in _as_list(schedule.get("byDay"))] or None
    by_month_day = _ints(schedule.get("byMonthDay"), "byMonthDay", 31) or None
    by_month_week = _ints(schedule.get("byMonthWeek"), "byMonthWeek", 5)
    if by_day and by_month_week:
        # "the first and third Wednesdays": weeks of the month make the series monthly.
        if freq != rrule.MONTHLY:
            freq, interval = rrule.MONTHLY, 1
        by_day = [d(n) for d in by_day for n in by_month_week]
    count = schedule.get("repeatCount")
    if isinstance(count, str) and count.strip().isdigit():
        count = int(count)  # microdata gives every value as text
    if count is not None and (isinstance(count, bool) or not isinstance(count, int) or count < 1):
        raise ScheduleError(f"repeatCount must be a positive whole number, got {count!r}")
    excluded = {_day(d, "exceptDate") for d in _as_list(schedule.get("exceptDate"))}
    rule = rrule.rrule(
        freq,  # type: ignore[arg-type]  # one of rrule's frequency constants
        interval=interval,
        dtstart=datetime.combine(first, time(0)),
        # RFC 5545 forbids COUNT with UNTIL; a counted series stops at the window below.
        until=None
        if count
        else datetime.combine(min(last, window_end) if last else window_end, time(0)),
        byweekday=by_day,
        bymonthday=by_month_day,
        count=count,
    )
    for occurrence in rule:
        day = occurrence.date()
        if day > window_end or (last is not None and day > last):
            break
        if day < window_start or day in excluded:
            continue
        start = datetime.combine(day, start_clock, tz)
        end = None
        if end_clock is not None:
            end = datetime.combine(day, end_clock, tz)
            if end <= start:  # "21:00 to 01:00" ends the next day
                end = datetime.combine(day + timedelta(days=1), end_clock, tz)
        yield start, end
