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
_NUMBER = r"\d+(?:[.,]\d{1,2})?"
_MARK = r"(?:(?:[A-Z]{1,2})?[$€£¥]|\b(?:USD|CAD|AUD|NZD|EUR|GBP|JPY)\b)"
# An amount with a currency symbol or code right before or after it: "$15", "10 €".
_MARKED = re.compile(rf"{_MARK}\s?(?P<amount>{_NUMBER})|(?P<after>{_NUMBER})\s?{_MARK}")
# "$12–20", "12-15 €": both ends of a range whose one end is marked.
_RANGE = re.compile(
    rf"{_MARK}?\s?(?P<low>{_NUMBER})\s?{_MARK}?\s*(?:-|–|—|to)\s*{_MARK}?\s?(?P<high>{_NUMBER})\s?{_MARK}?"
)


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
    """`$15`, `€10–15`, `Free`, `CAD 12-20`, `Free before 10pm, $5 after` into numbers and
    an ISO 4217 code. Amounts next to a currency win over other numbers ("$15 (2 drinks)")."""
    text = text.replace("\u00a0", " ")
    marked = [
        float((m.group("amount") or m.group("after")).replace(",", "."))
        for m in _MARKED.finditer(text)
    ]
    # In "$12–20" only the first amount carries the symbol: keep the range's other end.
    ranged = [
        float(x.replace(",", "."))
        for m in _RANGE.finditer(text)
        if _MARKED.search(m.group(0))
        for x in (m.group("low"), m.group("high"))
    ]
    amounts = marked + ranged or [float(a.replace(",", ".")) for a in _AMOUNT.findall(text)]
    if _FREE.search(text):
        priced = [a for a in marked + ranged if a > 0]
        currency = _currency(text) if priced else None
        return Price(0.0, max(priced) if priced else 0.0, currency)
    currency = None
    currency = _currency(text)
    if not amounts:
        return Price(None, None, currency)
    return Price(min(amounts), max(amounts), currency)


def _currency(text: str) -> str | None:
    for symbol, code in sorted(_SYMBOL_TO_CODE.items(), key=lambda kv: -len(kv[0])):
        if symbol in text:
            return code
    code_match = _CODE.search(text)
    if code_match and code_match.group(1) in _SYMBOLS:
        return code_match.group(1)
    return None


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
