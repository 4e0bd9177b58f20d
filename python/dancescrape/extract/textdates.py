"""Dates, times and recurring phrases in free text, the way dance organisers write them.

Understands
- dates: ``Tue, Jan 7``, ``January 7th``, ``7 January 2026``, ``7/1/2026``, ``2026-01-07``;
- time ranges: ``8–11pm``, ``9pm-1am``, ``20:00–23:30``, ``7:30pm``, ``9pm till late``;
- recurring phrases: ``every Tuesday``, ``Tuesdays & Thursdays``, ``1st Friday of the month``,
  ``first and third Saturdays``, ``last Sunday of every month``, ``nightly``.

A weekday written next to a date is checked against it; a date with no year takes the
year that agrees with its weekday, else the one nearest to a reference date (the start of
the harvest window, or a year the document states).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from zoneinfo import ZoneInfo

__all__ = [
    "MONTHS",
    "WEEKDAYS",
    "Recurrence",
    "TimeRange",
    "When",
    "find_dates",
    "find_recurrence",
    "find_time_range",
    "find_times",
    "occurrences",
    "parse_when_text",
    "weekday_number",
    "when_spans",
]

MONTHS: dict[str, int] = {
    "jan": 1,
    "feb": 2,
    "mar": 3,
    "apr": 4,
    "may": 5,
    "jun": 6,
    "jul": 7,
    "aug": 8,
    "sep": 9,
    "oct": 10,
    "nov": 11,
    "dec": 12,
}
WEEKDAYS: dict[str, int] = {"mon": 0, "tue": 1, "wed": 2, "thu": 3, "fri": 4, "sat": 5, "sun": 6}
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")

_MONTH = (
    r"(?P<month>jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|"
    r"aug(?:ust)?|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\.?"
)
_WD = r"(?:mon(?:day)?|tues?(?:day)?|wed(?:nesday)?|thu(?:rs?(?:day)?)?|fri(?:day)?|sat(?:urday)?|sun(?:day)?)"
_LEAD_WD = rf"(?:(?P<wd>{_WD})\.?,?\s+(?:the\s+)?)?"
_SUFFIX = r"(?:st|nd|rd|th)?"
_YEAR = r"(?:,?\s+(?P<year>(?:19|20)\d\d))?"

_DATE_PATTERNS = (
    re.compile(r"\b(?P<iso_y>(?:19|20)\d\d)-(?P<iso_m>[01]\d)-(?P<iso_d>[0-3]\d)\b"),
    re.compile(rf"\b{_LEAD_WD}{_MONTH}\s+(?P<day>[0-3]?\d){_SUFFIX}\b{_YEAR}", re.I),
    re.compile(rf"\b{_LEAD_WD}(?P<day>[0-3]?\d){_SUFFIX}\s+(?:of\s+)?{_MONTH}\b{_YEAR}", re.I),
    re.compile(
        rf"\b{_LEAD_WD}(?P<a>[0-3]?\d)/(?P<b>[0-3]?\d)(?:/(?P<nyear>(?:19|20)?\d\d))?\b", re.I
    ),
)
_T = r"(?P<{h}>[012]?\d)(?:[:.h](?P<{m}>[0-5]\d))?\s*(?P<{ap}>[ap]\.?\s?m\b\.?|[ap]\b)?"
_DASH = r"\s*(?:-|–|—|to|till|until|til)\s*"
_RANGE = re.compile(
    r"(?<![\d:/])"
    + _T.format(h="h1", m="m1", ap="ap1")
    + _DASH
    + r"(?:(?P<late>late|close|midnight)\b|"
    + _T.format(h="h2", m="m2", ap="ap2")
    + ")",
    re.I,
)
_SINGLE = re.compile(
    r"(?<![\d:/])(?:(?P<h>[012]?\d)(?:[:.h](?P<m>[0-5]\d))?\s*(?P<ap>[ap]\.?\s?m\b\.?)"
    r"|(?P<h24>[01]?\d|2[0-3])[:h](?P<m24>[0-5]\d)(?![\d/]))|\b(?P<word>noon|midnight)\b",
    re.I,
)
_ORD = r"(?:first|1st|second|2nd|third|3rd|fourth|4th|fifth|5th|last|final)"
_ORDINALS = {
    "first": 1,
    "1st": 1,
    "second": 2,
    "2nd": 2,
    "third": 3,
    "3rd": 3,
    "fourth": 4,
    "4th": 4,
    "fifth": 5,
    "5th": 5,
    "last": -1,
    "final": -1,
}
_MONTHLY = re.compile(
    rf"\b(?:(?:every|each|on\s+the|the)\s+)?(?P<ords>{_ORD}(?:\s*(?:,|&|and|and\s+the)\s*{_ORD})*)"
    rf"\s+(?P<wds>{_WD}s?(?:\s*(?:,|&|and|or|/)\s*{_WD}s?)*)\b",
    re.I,
)
_WEEKLY = re.compile(
    rf"\b(?P<every>every|each)\s+(?P<other>other\s+)?(?P<wds>{_WD}(?:\s*(?:,|&|and|or|/)\s*{_WD})*)\b"
    rf"|\b(?P<plural>(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)s"
    rf"(?:\s*(?:,|&|and|or|/)\s*(?:monday|tuesday|wednesday|thursday|friday|saturday|sunday)s)*)\b",
    re.I,
)
_DAILY = re.compile(r"\b(?:every\s+(?:day|night|evening)|daily|nightly)\b", re.I)
_WD_WORD = re.compile(_WD, re.I)
_ORD_WORD = re.compile(_ORD, re.I)


def weekday_number(word: str) -> int:
    """0 for Monday ... 6 for Sunday, from any common spelling; KeyError otherwise."""
    return WEEKDAYS[word.strip().lower()[:3]]


@dataclass(slots=True, frozen=True)
class TimeRange:
    """A start clock time and an optional end; an end earlier than the start is the next day."""

    start: time
    end: time | None = None


@dataclass(slots=True, frozen=True)
class Recurrence:
    """A weekly or monthly-by-weekday series ("every Tuesday", "1st Friday of the month")."""

    weekdays: tuple[int, ...]
    #: Empty for weekly; else which weekdays of the month: 1..5, or -1 for the last.
    ordinals: tuple[int, ...] = ()
    every_other: bool = False

    def dates(self, first: date, last: date, anchor: date | None = None) -> Iterator[date]:
        """Every date of the series from `first` to `last`, inclusive."""
        day = first
        while day <= last:
            if day.weekday() in self.weekdays and self._matches(day, anchor or first):
                yield day
            day += timedelta(days=1)

    def _matches(self, day: date, anchor: date) -> bool:
        if self.ordinals:
            nth = (day.day - 1) // 7 + 1
            is_last = (day + timedelta(days=7)).month != day.month
            return nth in self.ordinals or (is_last and -1 in self.ordinals)
        if self.every_other:
            return ((day - anchor).days // 7) % 2 == 0
        return True

    def describe(self) -> str:
        names = " and ".join(_DAY_NAMES[d] for d in self.weekdays)
        if self.ordinals:
            ords = " and ".join("last" if o == -1 else f"#{o}" for o in self.ordinals)
            return f"the {ords} {names} of each month"
        return f"every {'other ' if self.every_other else ''}{names}"


@dataclass(slots=True)
class When:
    """Everything a piece of text says about when something happens."""

    dates: list[date] = field(default_factory=list)
    recurrence: Recurrence | None = None
    times: TimeRange | None = None
    #: Things the text got wrong, e.g. "Tue, Jan 7 2026" (a Wednesday).
    problems: list[str] = field(default_factory=list)

    @property
    def found(self) -> bool:
        return bool(self.dates or self.recurrence)


def _hour(h: int, m: int, ap: str | None) -> time | None:
    if ap:
        if not 1 <= h <= 12:
            return None
        h = h % 12 + (12 if ap.lower().startswith("p") else 0)
    if not 0 <= h <= 23 or not 0 <= m <= 59:
        return None
    return time(h, m)


def _ampm(text: str | None) -> str | None:
    return text.strip().lower()[0] if text and text.strip() else None


def find_time_range(text: str) -> TimeRange | None:
    """The first time or time range in `text`, with am/pm carried over ("8–11pm")."""
    ranges = find_times(text)
    return ranges[0] if ranges else None


def find_times(text: str) -> list[TimeRange]:
    """Every time or time range in `text`, in order."""
    found: list[tuple[int, TimeRange]] = []
    taken: list[tuple[int, int]] = []
    for match in _RANGE.finditer(text):
        parsed = _range(match)
        if parsed is not None:
            found.append((match.start(), parsed))
            taken.append(match.span())
    for match in _SINGLE.finditer(text):
        if any(a <= match.start() < b for a, b in taken):
            continue
        clock = _single(match)
        if clock is not None:
            found.append((match.start(), TimeRange(clock)))
    return [r for _, r in sorted(found, key=lambda x: x[0])]


def _range(match: re.Match[str]) -> TimeRange | None:
    h1, m1 = int(match["h1"]), int(match["m1"] or 0)
    ap1, ap2 = _ampm(match["ap1"]), _ampm(match["ap2"])
    if match["late"]:
        if match["late"].lower() == "midnight":
            start = _hour(h1, m1, ap1 or "p")
            return TimeRange(start, time(0)) if start else None
        if not (ap1 or match["m1"]):
            return None
        start = _hour(h1, m1, ap1)
        return TimeRange(start) if start else None
    h2, m2 = int(match["h2"]), int(match["m2"] or 0)
    if not (ap1 or ap2 or match["m1"] or match["m2"]):
        return None  # "7-1" is a date or a score, not a time range
    if ap2 and not ap1:
        # "8-11pm" shares the pm; "9-1am" starts in the evening; "11-2pm" starts before noon.
        ap1 = ap2
        start, end = _hour(h1, m1, ap1), _hour(h2, m2, ap2)
        if start is not None and end is not None and start > end and h1 != 12:
            ap1 = "a" if ap2 == "p" else "p"
    elif ap1 and not ap2:
        ap2 = ap1 if h2 > h1 % 12 or h2 == 12 else ("a" if ap1 == "p" else "p")
    start, end = _hour(h1, m1, ap1), _hour(h2, m2, ap2)
    if start is None or end is None:
        return None
    return TimeRange(start, end)


def _single(match: re.Match[str]) -> time | None:
    if match["word"]:
        return time(12) if match["word"].lower() == "noon" else time(0)
    if match["h24"] is not None:
        return _hour(int(match["h24"]), int(match["m24"]), None)
    return _hour(int(match["h"]), int(match["m"] or 0), _ampm(match["ap"]))


def _candidates(month: int, day: int, reference: date, years: tuple[int, ...] | None) -> list[date]:
    out = []
    for year in years or (reference.year - 1, reference.year, reference.year + 1):
        try:
            out.append(date(year, month, day))
        except ValueError:
            continue
    return out


def _pick(
    month: int,
    day: int,
    year: int | None,
    weekday: int | None,
    reference: date,
    shown: str,
    years: tuple[int, ...] | None,
) -> tuple[date | None, str | None]:
    if year is not None:
        try:
            value = date(year, month, day)
        except ValueError:
            return None, f"{shown!r} is not a real date"
        if weekday is not None and value.weekday() != weekday:
            return None, f"{shown!r}: {value.isoformat()} is a {_DAY_NAMES[value.weekday()]}"
        return value, None
    options = _candidates(month, day, reference, years)
    if not options:
        return None, f"{shown!r} is not a real date"
    if weekday is not None:
        agreeing = [d for d in options if d.weekday() == weekday]
        if not agreeing:
            near = "/".join(str(y) for y in years) if years else f"near {reference.year}"
            return None, f"{shown!r}: no year {near} puts it on a {_DAY_NAMES[weekday]}"
        options = agreeing
    return min(options, key=lambda d: abs((d - reference).days)), None


def find_dates(
    text: str,
    reference: date,
    *,
    day_first: bool = False,
    years: tuple[int, ...] | None = None,
) -> tuple[list[date], list[str]]:
    """Every date in `text` and the problems found (weekday mismatches, impossible dates).

    `reference` anchors dates with no year; `years`, when the document states its year,
    are the only years such a date may take; `day_first` reads 7/1 as 7 January.
    """
    found: list[tuple[int, date]] = []
    problems: list[str] = []
    taken: list[tuple[int, int]] = []
    for pattern in _DATE_PATTERNS:
        for match in pattern.finditer(text):
            if any(a < match.end() and match.start() < b for a, b in taken):
                continue
            value, problem = _from_match(match, reference, day_first, years)
            if problem:
                problems.append(problem)
            if value is not None:
                found.append((match.start(), value))
                taken.append(match.span())
            elif problem:
                taken.append(match.span())
    return [d for _, d in sorted(found)], problems


def _from_match(
    match: re.Match[str], reference: date, day_first: bool, years: tuple[int, ...] | None
) -> tuple[date | None, str | None]:
    groups = match.groupdict()
    shown = match.group(0).strip()
    if groups.get("iso_y"):
        try:
            return date(int(groups["iso_y"]), int(groups["iso_m"]), int(groups["iso_d"])), None
        except ValueError:
            return None, f"{shown!r} is not a real date"
    weekday = weekday_number(groups["wd"]) if groups.get("wd") else None
    if groups.get("month"):
        month = MONTHS[groups["month"].lower()[:3]]
        year = int(groups["year"]) if groups.get("year") else None
        return _pick(month, int(groups["day"]), year, weekday, reference, shown, years)
    a, b = int(groups["a"]), int(groups["b"])
    raw_year = groups.get("nyear")
    if raw_year is None and weekday is None:
        return None, None  # a bare "3/4" is as likely a fraction as a date
    year = None
    if raw_year is not None:
        year = int(raw_year) + (2000 if len(raw_year) == 2 else 0)
    day, month = (a, b) if day_first else (b, a)
    if month > 12 and day <= 12:
        day, month = month, day  # only one reading is a date
    if month > 12:
        return None, f"{shown!r} is not a real date"
    return _pick(month, day, year, weekday, reference, shown, years)


def _weekday_list(text: str) -> tuple[int, ...]:
    return tuple(sorted({weekday_number(w) for w in _WD_WORD.findall(text)}))


def find_recurrence(text: str) -> Recurrence | None:
    """The first recurring phrase in `text`, or None."""
    monthly = _MONTHLY.search(text)
    if monthly:
        ords = tuple(sorted({_ORDINALS[o.lower()] for o in _ORD_WORD.findall(monthly["ords"])}))
        days = _weekday_list(monthly["wds"])
        if days:
            return Recurrence(days, ords)
    weekly = _WEEKLY.search(text)
    if weekly:
        days = _weekday_list(weekly["wds"] or weekly["plural"])
        if days:
            return Recurrence(days, (), every_other=bool(weekly["other"]))
    if _DAILY.search(text):
        return Recurrence(tuple(range(7)))
    return None


def parse_when_text(
    text: str,
    reference: date,
    *,
    day_first: bool = False,
    years: tuple[int, ...] | None = None,
) -> When:
    """Dates, a recurrence and a time range from one piece of text."""
    dates, problems = find_dates(text, reference, day_first=day_first, years=years)
    recurrence = None if dates else find_recurrence(text)
    return When(dates, recurrence, find_time_range(text), problems)


def occurrences(
    when: When, zone: str, window_start: date, window_end: date
) -> list[tuple[datetime, datetime | None, bool]]:
    """(start, end, all_day) of every occurrence inside the window, in local time of `zone`.

    Each occurrence is built from its own local date, so DST changes shift the UTC
    instant, never the wall clock.
    """
    tz = ZoneInfo(zone)

    def local(day: date, clock: time) -> datetime:
        # A wall time skipped by a DST change (02:30 on spring-forward night) is moved
        # forward by the gap, as clocks on the wall are.
        return datetime.combine(day, clock, tz).astimezone(UTC).astimezone(tz)

    if when.recurrence is not None:
        days = list(when.recurrence.dates(window_start, window_end))
    else:
        days = [d for d in when.dates if window_start <= d <= window_end]
    out: list[tuple[datetime, datetime | None, bool]] = []
    for day in days:
        if when.times is None:
            start = datetime.combine(day, time(0), tz)
            out.append((start, datetime.combine(day + timedelta(days=1), time(0), tz), True))
            continue
        start = local(day, when.times.start)
        end = None
        if when.times.end is not None:
            end_day = day if when.times.end > when.times.start else day + timedelta(days=1)
            end = local(end_day, when.times.end)
        out.append((start, end, False))
    return out


def when_spans(text: str) -> list[tuple[int, int]]:
    """Where `text` speaks of dates, times and recurrences, so the rest can be the title."""
    spans: list[tuple[int, int]] = []
    patterns = (*_DATE_PATTERNS, _RANGE, _SINGLE, _MONTHLY, _WEEKLY, _DAILY)
    for pattern in patterns:
        spans.extend(m.span() for m in pattern.finditer(text) if m.end() > m.start())
    return sorted(spans)
