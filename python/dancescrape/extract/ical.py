"""iCalendar feeds (.ics files, webcal and public Google Calendar feeds) into Events.

Parsing is icalendar's and recurrence expansion (RRULE, RDATE, EXDATE, RECURRENCE-ID,
VTIMEZONE) is recurring-ical-events'; this module decides what a series *means* for
dancescrape: one event per occurrence inside the window, all-day events with an
exclusive end, and floating times in the source's zone (config, else the feed's
``X-WR-TIMEZONE``, else ``--timezone``).

Each series (all VEVENTs sharing a UID) is expanded on its own, so an invalid RRULE
or an unknown TZID costs that series only, reported as a per-item problem.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable
from datetime import UTC, date, datetime, time, timedelta, tzinfo
from typing import Any
from urllib.parse import urlparse
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

import icalendar
import recurring_ical_events  # type: ignore[import-untyped]

from dancescrape.errors import ExtractError
from dancescrape.extract.base import ExtractContext, Extractor
from dancescrape.extract.dates import zone_name_for
from dancescrape.hookspecs import hookimpl
from dancescrape.model.document import Document
from dancescrape.model.event import Event, Status
from dancescrape.normalise.addresses import split_address
from dancescrape.normalise.text import clean_text

__all__ = ["MAX_OCCURRENCES", "UNTITLED", "IcalExtractor", "repair_ical"]

_MEDIA_TYPES = frozenset(
    {"text/calendar", "application/ics", "text/x-vcalendar", "application/x-ical"}
)
_SUFFIXES = (".ics", ".ical", ".ifb", ".icalendar")
_STATUSES: dict[str, Status] = {
    "CANCELLED": "cancelled",
    "TENTATIVE": "scheduled",
    "CONFIRMED": "scheduled",
}
_TOO_FREQUENT = frozenset({"SECONDLY", "MINUTELY", "HOURLY"})
#: More occurrences of one series inside a window is a runaway rule, not a dance schedule.
MAX_OCCURRENCES = 2_000
#: Title for a VEVENT with an empty SUMMARY and nothing better to fall back on.
UNTITLED = "Untitled event"
# Some writers (Exchange) put spaces in value lists: "BYDAY=MO, TU, WE".
_LIST_SPACES = re.compile(r",\s+")
_EMPTY_DATES = re.compile(r"^(EXDATE|RDATE)(;[^:]*)?:\s*$", re.IGNORECASE)


def repair_ical(text: str) -> tuple[str, list[str]]:
    """Fix known writer bugs that would otherwise lose a whole series; say what was fixed.

    Unfolds lines, strips spaces in RRULE value lists and drops empty EXDATE/RDATE lines.
    """
    unfolded = re.sub(r"\r?\n[ \t]", "", text.replace("\r\n", "\n"))
    notes: list[str] = []
    lines = []
    for number, line in enumerate(unfolded.split("\n"), 1):
        upper = line[:8].upper()
        if upper.startswith(("RRULE", "EXRULE")) and ", " in line:
            line = _LIST_SPACES.sub(",", line)
            notes.append(f"line {number}: removed spaces in the {line.split(':', 1)[0]} list")
        elif _EMPTY_DATES.match(line):
            notes.append(
                f"line {number}: ignored an empty {line.split(';', 1)[0].split(':', 1)[0]}"
            )
            continue
        lines.append(line)
    return "\r\n".join(lines), notes


def _text(component: Any, key: str) -> str | None:
    value = component.get(key)
    if isinstance(value, list):
        value = value[0] if value else None
    return clean_text(str(value)) if value is not None else None


def _zone(value: datetime, default: str) -> tuple[datetime, str]:
    """The IANA zone of an aware datetime; VTIMEZONE-built zones map by offset."""
    tz: tzinfo | None = value.tzinfo
    if isinstance(tz, ZoneInfo):
        return value, tz.key
    key = getattr(tz, "key", None) or getattr(tz, "zone", None)
    if isinstance(key, str):
        try:
            return value.astimezone(ZoneInfo(key)), key
        except (ZoneInfoNotFoundError, ValueError):
            pass
    if tz is not None and _same_rules(tz, default, value.year):
        # A feed's own VTIMEZONE (Outlook's "W. Europe Standard Time", Lotus Notes' names)
        # that keeps the source's zone's rules all year is that zone.
        return value.astimezone(ZoneInfo(default)), default
    return zone_name_for(value, default)


def _same_rules(tz: tzinfo, zone: str, year: int) -> bool:
    """Whether `tz` and the IANA `zone` agree on the offset twice a month through `year`."""
    try:
        other = ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    for month in range(1, 13):
        for day in (1, 15):
            instant = datetime(year, month, day, 12, tzinfo=UTC)
            if instant.astimezone(tz).utcoffset() != instant.astimezone(other).utcoffset():
                return False
    return True


def _moment(value: date | datetime, zone: str) -> tuple[datetime, bool]:
    """An aware datetime and whether it was a DATE (all-day) value."""
    if isinstance(value, datetime):
        if value.tzinfo is None or value.utcoffset() is None:
            return value.replace(tzinfo=ZoneInfo(zone)), False
        return value, False
    return datetime.combine(value, time(0), ZoneInfo(zone)), True


def _check_tzids(component: Any) -> None:
    """icalendar leaves a time naive when its TZID is unknown; that must not pass as local."""
    for key in ("DTSTART", "DTEND"):
        prop = component.get(key)
        if prop is None:
            continue
        tzid = prop.params.get("TZID") if hasattr(prop, "params") else None
        value = getattr(prop, "dt", None)
        if tzid and isinstance(value, datetime) and value.tzinfo is None:
            raise ValueError(f"{key} has unknown TZID {tzid!r} and no VTIMEZONE defines it")


class IcalExtractor(Extractor):
    """VEVENTs of one or more VCALENDARs, recurring series expanded inside the window."""

    name = "ical"
    priority = 40

    def accepts(self, document: Document) -> bool:
        if document.media_type in _MEDIA_TYPES:
            return True
        parsed = urlparse(document.url)
        if parsed.scheme in ("webcal", "webcals") or parsed.path.lower().endswith(_SUFFIXES):
            return True
        head = document.content[:64].lstrip(b"\xef\xbb\xbf \t\r\n")
        return head[:15].upper() == b"BEGIN:VCALENDAR"

    def extract(self, document: Document, context: ExtractContext) -> list[Event]:
        text = document.text
        if text is None:
            text = document.content.decode("utf-8", errors="replace")
        if "BEGIN:VCALENDAR" not in text.upper():
            raise ExtractError(document.url, "not an iCalendar feed: no BEGIN:VCALENDAR")
        repaired, notes = repair_ical(text)
        try:
            calendars = icalendar.Calendar.from_ical(repaired, multiple=True)
        except Exception as exc:  # icalendar raises ValueError, KeyError, IndexError, ...
            raise ExtractError(document.url, f"invalid iCalendar: {exc}") from None
        for note in notes:
            context.problem(document.url, f"repaired: {note}")
        events: list[Event] = []
        problems: list[str] = []
        series = 0
        for calendar in calendars:
            for label, build in self._series(calendar, document, context):
                series += 1
                try:
                    events.extend(build())
                except Exception as exc:  # one bad series must not lose the feed
                    problems.append(f"{label}: {_reason(exc)}")
        if not events and problems:
            raise ExtractError(document.url, "no usable events: " + "; ".join(problems))
        if not series:
            raise ExtractError(document.url, "no events: the calendar holds no VEVENT")
        for reason in problems:
            context.problem(document.url, reason)
        return events

    # -- one series at a time ----------------------------------------------------------------

    def _series(
        self, calendar: Any, document: Document, context: ExtractContext
    ) -> Iterable[tuple[str, Callable[[], list[Event]]]]:
        feed_zone = _text(calendar, "X-WR-TIMEZONE")
        zone = document.target.timezone or _valid_zone(feed_zone) or context.timezone
        if document.target.timezone and feed_zone:
            del calendar["X-WR-TIMEZONE"]  # config beats the feed for floating times
        timezones = list(calendar.walk("VTIMEZONE"))
        groups: dict[str, list[Any]] = {}
        for number, component in enumerate(calendar.walk("VEVENT"), 1):
            uid = _text(component, "UID") or f"#{number}"
            groups.setdefault(uid, []).append(component)
        for uid, components in groups.items():
            title = next((t for c in components if (t := _text(c, "SUMMARY"))), None)
            label = f"VEVENT {uid!r}" + (f" ({title!r})" if title else "")

            def build(components: list[Any] = components, uid: str = uid) -> list[Event]:
                return self._expand(components, uid, timezones, calendar, zone, document, context)

            yield label, build

    def _expand(
        self,
        components: list[Any],
        uid: str,
        timezones: list[Any],
        calendar: Any,
        zone: str,
        document: Document,
        context: ExtractContext,
    ) -> list[Event]:
        for component in components:
            _check_tzids(component)
            for key, reason in component.errors:
                if key in ("DTSTART", "RRULE", "DURATION", "DTEND"):
                    raise ValueError(f"{key}: {reason}")
                context.problem(document.url, f"VEVENT {uid!r}: ignored bad {key}: {reason}")
        for component in components:
            rules = component.get("RRULE")
            for rule in rules if isinstance(rules, list) else [rules] if rules else []:
                frequency = str((rule.get("FREQ") or ["?"])[0]).upper()
                if frequency in _TOO_FREQUENT:
                    # Expanding these over a 120-day window takes minutes and memory;
                    # no dance series repeats within the hour.
                    raise ValueError(f"RRULE FREQ={frequency} is not a dance schedule")
        is_series = any(
            c.get(key) is not None
            for c in components
            for key in ("RRULE", "RDATE", "RECURRENCE-ID")
        )
        masters = [c for c in components if c.get("RECURRENCE-ID") is None]
        if not masters:
            # An edited occurrence whose series is absent is a plain event (Lotus Notes does this).
            for component in components:
                del component["RECURRENCE-ID"]
        single = icalendar.Calendar()
        for key in ("X-WR-TIMEZONE",):
            if key in calendar:
                single[key] = calendar[key]
        for tz in timezones:
            single.add_component(tz)
        for component in components:
            single.add_component(component)
        query = recurring_ical_events.of(single)
        end_day = context.window_end + timedelta(days=1)
        occurrences = query.between(context.window_start, end_day)
        if len(occurrences) > MAX_OCCURRENCES:
            context.problem(
                document.url,
                f"VEVENT {uid!r}: kept the first {MAX_OCCURRENCES} of {len(occurrences)} "
                "occurrences in the window",
            )
            occurrences = occurrences[:MAX_OCCURRENCES]
        return [self._event(o, uid, is_series, zone, document) for o in occurrences]

    def _event(
        self, occurrence: Any, uid: str, is_series: bool, zone: str, document: Document
    ) -> Event:
        start_raw = occurrence.get("DTSTART")
        if start_raw is None:
            raise ValueError("DTSTART is missing")
        start, all_day = _moment(start_raw.dt, zone)
        start, event_zone = _zone(start, zone)
        end: datetime | None = None
        end_raw = occurrence.get("DTEND")
        if end_raw is not None:
            end = _moment(end_raw.dt, event_zone)[0].astimezone(start.tzinfo)
        if end is not None and end == start and not all_day:
            end = None  # recurring-ical-events fills DTEND=DTSTART when the feed gave none
        if all_day and (end is None or end <= start):
            end = start + timedelta(days=1)
        title = (
            _text(occurrence, "SUMMARY")
            or _first_line(_text(occurrence, "DESCRIPTION"))
            or UNTITLED
        )
        status = _STATUSES.get((_text(occurrence, "STATUS") or "").upper(), "scheduled")
        # A moved occurrence keeps the id of the date it replaces (its RECURRENCE-ID).
        recurrence = occurrence.get("RECURRENCE-ID")
        original = recurrence.dt if recurrence is not None else start
        if isinstance(original, datetime):
            original = _moment(original, event_zone)[0].astimezone(start.tzinfo)
        day = original.date() if isinstance(original, datetime) else original
        source_id = f"{uid}#{day.isoformat()}" if is_series else uid
        geo = occurrence.get("GEO")
        latitude = longitude = None
        if geo is not None:
            latitude, longitude = float(geo.latitude), float(geo.longitude)
        location = _text(occurrence, "LOCATION")
        venue, address = _split_location(location)
        place = split_address(address)
        return Event(
            title=title,
            start=start,
            end=end,
            all_day=all_day,
            timezone=event_zone,
            description=_text(occurrence, "DESCRIPTION"),
            venue=venue,
            address=address,
            city=place.city,
            country=place.country,
            latitude=latitude,
            longitude=longitude,
            organizer=_organizer(occurrence),
            url=_text(occurrence, "URL"),
            status=status,
            source=document.source,
            source_url=document.url,
            source_event_id=source_id if not uid.startswith("#") else None,
        )


def _valid_zone(name: str | None) -> str | None:
    if not name:
        return None
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        return None
    return name


def _first_line(text: str | None) -> str | None:
    if not text:
        return None
    line = text.strip().split("\n", 1)[0].strip()
    return line[:120] or None


def _split_location(location: str | None) -> tuple[str | None, str | None]:
    """ "Venue, 1 Street, City" into the venue name and the address line."""
    if not location:
        return None, None
    head, sep, tail = location.partition(",")
    if sep and tail.strip() and not head.strip()[:1].isdigit():
        return head.strip(), tail.strip()
    if head.strip()[:1].isdigit():
        return None, location
    return location, None


def _organizer(component: Any) -> str | None:
    value = component.get("ORGANIZER")
    if value is None:
        return None
    name = value.params.get("CN") if hasattr(value, "params") else None
    if name:
        return clean_text(str(name))
    return clean_text(str(value).removeprefix("mailto:").removeprefix("MAILTO:"))


def _reason(exc: Exception) -> str:
    text = str(exc) or type(exc).__name__
    return text if isinstance(exc, ValueError) else f"{type(exc).__name__}: {text}"


@hookimpl
def register_extractors(register: Callable[[type[Extractor]], None]) -> None:
    register(IcalExtractor)
