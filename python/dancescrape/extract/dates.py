"""Date and time parsing for structured data, always ending timezone-aware."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

__all__ = ["ParsedWhen", "parse_when", "zone_name_for"]

_DATE_ONLY = re.compile(r"^\d{4}-\d{2}-\d{2}$")


@dataclass(slots=True, frozen=True)
class ParsedWhen:
    value: datetime
    all_day: bool


def parse_when(text: str, zone: str) -> ParsedWhen:
    """An ISO 8601 date or datetime; naive times are read in `zone`. Raises ValueError."""
    text = text.strip()
    if _DATE_ONLY.match(text):
        day = date.fromisoformat(text)
        return ParsedWhen(datetime.combine(day, time(0), ZoneInfo(zone)), True)
    try:
        value = datetime.fromisoformat(text.replace(" ", "T", 1) if "T" not in text else text)
    except ValueError:
        raise ValueError(f"{text!r} is not an ISO 8601 date or datetime") from None
    if value.tzinfo is None:
        value = value.replace(tzinfo=ZoneInfo(zone))
    return ParsedWhen(value, False)


def _etc_zone(offset: timedelta) -> str | None:
    seconds = int(offset.total_seconds())
    if seconds % 3600:
        return None
    hours = seconds // 3600
    # IANA's Etc zones invert the sign: Etc/GMT+8 is UTC-08:00.
    return "Etc/UTC" if hours == 0 else f"Etc/GMT{-hours:+d}"


def zone_name_for(value: datetime, preferred: str) -> tuple[datetime, str]:
    """The IANA zone of `value` and `value` converted into it.

    A fixed offset keeps `preferred` when it agrees at that instant (so DST-aware local
    rules apply); otherwise an `Etc/GMT±N` zone, or UTC for odd offsets.
    """
    tz: tzinfo | None = value.tzinfo
    if isinstance(tz, ZoneInfo):
        return value, tz.key
    offset = value.utcoffset()
    assert offset is not None, "parse_when always returns aware datetimes"
    local = value.astimezone(ZoneInfo(preferred))
    if local.utcoffset() == offset:
        return local, preferred
    etc = _etc_zone(offset)
    if etc is not None:
        return value.astimezone(ZoneInfo(etc)), etc
    return value.astimezone(ZoneInfo("UTC")), "UTC"
