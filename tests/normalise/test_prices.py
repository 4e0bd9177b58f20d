"""Prices from text: free, single amounts, ranges and currency."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dancescrape.normalise.prices import Price, format_price, parse_amount, parse_price_text


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("$15", Price(15.0, 15.0, None)),  # "$" alone does not say which dollar
        ("CA$12–20", Price(12.0, 20.0, "CAD")),
        ("€10–15", Price(10.0, 15.0, "EUR")),
        ("12-15 €", Price(12.0, 15.0, "EUR")),
        ("10,50 €", Price(10.5, 10.5, "EUR")),
        ("CAD 12-20", Price(12.0, 20.0, "CAD")),
        ("£60 for four weeks", Price(60.0, 60.0, "GBP")),
        ("$15 (2 drinks included)", Price(15.0, 15.0, None)),
        ("Free", Price(0.0, 0.0, None)),
        ("No cover", Price(0.0, 0.0, None)),
        ("Free before 10pm, $5 after", Price(0.0, 5.0, None)),
        ("by donation", Price(None, None, None)),
    ],
)
def test_price_text(text: str, expected: Price) -> None:
    assert parse_price_text(text) == expected


@pytest.mark.parametrize(
    ("low", "high", "currency", "shown"),
    [
        (15, 15, "USD", "$15"),
        (12, 20, "CAD", "CA$12–20"),
        (0, 0, "EUR", "Free"),
        (89, 149.5, "EUR", "€89–149.50"),
        (10, 10, "CHF", "CHF 10"),
    ],
)
def test_display_form(low: float, high: float, currency: str, shown: str) -> None:
    assert format_price(low, high, currency) == shown


@given(st.integers(0, 500), st.integers(0, 500), st.sampled_from(["€", "£", "CA$"]))
def test_ranges_round_trip(a: int, b: int, symbol: str) -> None:
    low, high = min(a, b), max(a, b)
    parsed = parse_price_text(f"{symbol}{low}–{high}")
    assert (parsed.minimum, parsed.maximum) == (float(low), float(high))
    assert parsed.currency == {"€": "EUR", "£": "GBP", "CA$": "CAD"}[symbol]


@given(st.text(max_size=80))
def test_fuzz_price_text(text: str) -> None:
    parsed = parse_price_text(text)
    assert parsed.minimum is None or parsed.maximum is None or parsed.minimum <= parsed.maximum
    amount = parse_amount(text)
    assert amount is None or amount >= 0
