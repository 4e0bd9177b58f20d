"""Addresses split into parts, and the zone and currency they imply."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dancescrape.normalise.addresses import (
    Address,
    currency_for_country,
    split_address,
    zone_for_place,
)


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (
            "2115 NE Alberta St, Portland, OR 97211, USA",
            Address("2115 NE Alberta St", "Portland", "OR", "97211", "US"),
        ),
        (
            "1 Elgin Street, Ottawa, ON K1P 5W1",
            Address("1 Elgin Street", "Ottawa", "ON", "K1P 5W1", "CA"),
        ),
        (
            "Friedrichstraße 10, 10117 Berlin, Germany",
            Address("Friedrichstraße 10", "Berlin", None, "10117", "DE"),
        ),
        (
            "10 Downing St, London SW1A 2AA, UK",
            Address("10 Downing St", "London", None, "SW1A 2AA", "GB"),
        ),
        (
            "45 Queen St, Melbourne VIC 3000, Australia",
            Address("45 Queen St", "Melbourne", "VIC", "3000", "AU"),
        ),
        ("Philadelphia, PA", Address(None, "Philadelphia", "PA", None, "US")),
        ("London, UK", Address(None, "London", None, None, "GB")),
        ("Main hall", Address("Main hall")),
        ("", Address()),
    ],
)
def test_split_address(text: str, expected: Address) -> None:
    assert split_address(text) == expected


@pytest.mark.parametrize(
    ("country", "region", "zone"),
    [
        ("US", "OR", "America/Los_Angeles"),
        ("US", "NY", "America/New_York"),
        ("CA", "BC", "America/Vancouver"),
        ("DE", None, "Europe/Berlin"),
        ("US", None, None),
        (None, None, None),
    ],
)
def test_zone_for_place(country: str | None, region: str | None, zone: str | None) -> None:
    assert zone_for_place(country, region) == zone


def test_currency_for_country() -> None:
    assert [currency_for_country(c) for c in ("US", "CA", "DE", "GB", None)] == [
        "USD",
        "CAD",
        "EUR",
        "GBP",
        None,
    ]


_WORDS = st.text(st.sampled_from("abcdefghijklmnopqrstuvwxyz"), min_size=3, max_size=10).map(
    str.title
)


@given(
    st.integers(1, 9999),
    _WORDS,
    _WORDS,
    st.sampled_from(["OR", "WA", "NY", "TX"]),
    st.integers(10000, 99999),
    st.sampled_from(["USA", "United States", ""]),
)
def test_us_addresses_round_trip(
    number: int, street: str, city: str, state: str, zip_code: int, country: str
) -> None:
    text = f"{number} {street} St, {city}, {state} {zip_code}" + (f", {country}" if country else "")
    assert split_address(text) == Address(f"{number} {street} St", city, state, str(zip_code), "US")


@given(st.text(max_size=200))
def test_fuzz_any_text_splits_without_raising(text: str) -> None:
    parts = split_address(text)
    assert parts.country is None or len(parts.country) == 2


def test_normaliser_fills_city_and_country_from_the_address() -> None:
    from datetime import datetime
    from zoneinfo import ZoneInfo

    from dancescrape.model.event import Event
    from dancescrape.model.schema import events_to_frame
    from dancescrape.normalise.normaliser import normalise_frame

    start = datetime(2026, 12, 5, 20, tzinfo=ZoneInfo("Europe/Berlin"))
    events = [
        Event(
            title="a",
            start=start,
            source="s",
            source_url="u",
            address="Friedrichstraße 10, 10117 Berlin, Germany",
        ),
        Event(title="b", start=start, source="s", source_url="u", address="Main hall"),
        Event(
            title="c",
            start=start,
            source="s",
            source_url="u",
            address="1 Elgin St, Ottawa, ON K1P 5W1",
            city="Ottawa (downtown)",
        ),
        Event(title="d", start=start, source="s", source_url="u"),
    ]
    frame = normalise_frame(events_to_frame(events))
    assert frame.select("city", "country").rows() == [
        ("Berlin", "DE"),
        (None, None),
        ("Ottawa (downtown)", "CA"),
        (None, None),
    ]
