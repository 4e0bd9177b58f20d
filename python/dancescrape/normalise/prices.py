"""Prices: numbers and currency from offers or from text, and the display form."""

from __future__ import annotations

import re
from dataclasses import dataclass

__all__ = ["Price", "format_price", "parse_amount", "parse_price_text"]

_SYMBOLS = {"USD": "$", "CAD": "CA$", "AUD": "A$", "NZD": "NZ$", "EUR": "€", "GBP": "£", "JPY": "¥"}
_SYMBOL_TO_CODE = {
    "€": "EUR",
    "£": "GBP",
    "CA$": "CAD",
    "C$": "CAD",
    "A$": "AUD",
    "AU$": "AUD",
    "NZ$": "NZD",
    "US$": "USD",
    "¥": "JPY",
}
_FREE = re.compile(r"\b(free|gratis|no cover|kostenlos|gratuit)\b", re.I)
_AMOUNT = re.compile(r"\d+(?:[.,]\d{1,2})?")
_CODE = re.compile(r"\b([A-Z]{3})\b")


@dataclass(slots=True, frozen=True)
class Price:
    minimum: float | None
    maximum: float | None
    currency: str | None


def parse_amount(value: object) -> float | None:
    """A price amount from a number or numeric text ("15", "15.00", "12,50"); else None."""
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value) if value >= 0 else None
    if isinstance(value, str):
        match = _AMOUNT.search(value.replace("\u00a0", " "))
        if match:
            return float(match.group().replace(",", "."))
    return None


def parse_price_text(text: str) -> Price:
    """`$15`, `€10–15`, `Free`, `CAD 12-20` into numbers and an ISO 4217 code."""
    if _FREE.search(text):
        return Price(0.0, 0.0, None)
    amounts = [float(a.replace(",", ".")) for a in _AMOUNT.findall(text)]
    currency = None
    for symbol, code in sorted(_SYMBOL_TO_CODE.items(), key=lambda kv: -len(kv[0])):
        if symbol in text:
            currency = code
            break
    if currency is None:
        code_match = _CODE.search(text)
        if code_match and code_match.group(1) in _SYMBOLS:
            currency = code_match.group(1)
    if not amounts:
        return Price(None, None, currency)
    return Price(min(amounts), max(amounts), currency)


def _amount_text(value: float) -> str:
    return f"{value:.0f}" if value == int(value) else f"{value:.2f}"


def format_price(minimum: float | None, maximum: float | None, currency: str | None) -> str | None:
    """The display form: `Free`, `$15`, `CA$12–20`, `EUR 10` for codes with no symbol."""
    if minimum is None and maximum is None:
        return None
    low = minimum if minimum is not None else maximum
    high = maximum if maximum is not None else minimum
    assert low is not None and high is not None
    if high == 0:
        return "Free"
    prefix = _SYMBOLS.get(currency or "", f"{currency} " if currency else "")
    if low == high:
        return f"{prefix}{_amount_text(low)}"
    return f"{prefix}{_amount_text(low)}–{_amount_text(high)}"
