"""Time zones a page states in words: "all times PST", "20:00 CET", "(Europe/Berlin)".

Used for sources whose config names no zone ("from config, else from the page, else
--timezone"). Abbreviations name a zone with the same offsets and DST rules; where an
abbreviation is shared by several countries (CET), the zone chosen keeps the same clock.
"""

from __future__ import annotations

import re
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

__all__ = ["ABBREVIATIONS", "zone_from_text"]

ABBREVIATIONS: dict[str, str] = {
    "PST": "America/Los_Angeles",
    "PDT": "America/Los_Angeles",
    "PT": "America/Los_Angeles",
    "MST": "America/Denver",
    "MDT": "America/Denver",
    "MT": "America/Denver",
    "CST": "America/Chicago",
    "CDT": "America/Chicago",
    "CT": "America/Chicago",
    "EST": "America/New_York",
    "EDT": "America/New_York",
    "ET": "America/New_York",
    "AKST": "America/Anchorage",
    "HST": "Pacific/Honolulu",
    "GMT": "Europe/London",
    "BST": "Europe/London",
    "CET": "Europe/Berlin",
    "CEST": "Europe/Berlin",
    "MEZ": "Europe/Berlin",
    "EET": "Europe/Athens",
    "EEST": "Europe/Athens",
    "WET": "Europe/Lisbon",
    "AEST": "Australia/Sydney",
    "AEDT": "Australia/Sydney",
    "NZST": "Pacific/Auckland",
    "NZDT": "Pacific/Auckland",
    "JST": "Asia/Tokyo",
}
# An abbreviation counts only next to a time or after "times"/"time zone", so the
# word "ET" in French or "CT" in a postcode is not read as a zone.
_NEAR_TIME = re.compile(
    r"(?:\d(?:\s?[ap]\.?m\.?)?\s*|(?i:\btimes?\b(?:\s+are)?(?:\s+in)?)\s+|(?i:\btime\s*zone):?\s+|\()"
    r"(?P<abbr>[A-Z]{2,4})\b"
)
_IANA = re.compile(
    r"\b(?P<zone>(?:Africa|America|Asia|Atlantic|Australia|Europe|Indian|Pacific)"
    r"/[A-Za-z_]+(?:/[A-Za-z_]+)?)\b"
)
_KNOWN = frozenset(available_timezones())


def zone_from_text(text: str) -> str | None:
    """The IANA zone `text` states, by name or by an abbreviation next to a time."""
    for match in _IANA.finditer(text):
        name = match["zone"]
        if name in _KNOWN:
            try:
                ZoneInfo(name)
            except (ZoneInfoNotFoundError, ValueError):
                continue
            return name
    for match in _NEAR_TIME.finditer(text):
        zone = ABBREVIATIONS.get(match["abbr"])
        if zone:
            return zone
    return None
