"""Zones a page states in words."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dancescrape.normalise.timezones import ABBREVIATIONS, zone_from_text


@pytest.mark.parametrize(
    ("text", "zone"),
    [
        ("Doors 8pm PST", "America/Los_Angeles"),
        ("All times are in CET.", "Europe/Berlin"),
        ("Start 20:00 (BST)", "Europe/London"),
        ("Schedule shown in Europe/Madrid time", "Europe/Madrid"),
        ("Time zone: EST", "America/New_York"),
        ("Salsa et bachata ce soir", None),  # the French "et" is no zone
        ("Call (TBA) for details", None),
        ("Mars/Olympus standard time", None),
    ],
)
def test_zone_from_text(text: str, zone: str | None) -> None:
    assert zone_from_text(text) == zone


def test_abbreviations_name_real_zones() -> None:
    from zoneinfo import ZoneInfo

    assert all(ZoneInfo(zone) for zone in ABBREVIATIONS.values())


@given(st.text(max_size=200))
def test_fuzz(text: str) -> None:
    zone = zone_from_text(text)
    assert zone is None or "/" in zone
