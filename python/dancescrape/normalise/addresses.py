"""One-line addresses split into street, city, region, postal code and country.

Covers the shapes dance organisers write: North American ("12 Main St, Portland, OR
97205, USA"; "1 Elgin St, Ottawa, ON K1P 5W1"), British ("… London SW1A 1AA, UK")
and continental European ("Friedrichstraße 10, 10117 Berlin, Germany"). From the parts
a time zone can be inferred for sources that give none (`zone_for_place`).
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import polars as pl

__all__ = [
    "COUNTRY_NAMES",
    "Address",
    "currency_for_country",
    "fill_places",
    "split_address",
    "zone_for_place",
]

#: Country names and common abbreviations (lower case) to ISO 3166-1 alpha-2.
COUNTRY_NAMES: dict[str, str] = {
    "usa": "US",
    "us": "US",
    "u.s.a.": "US",
    "u.s.": "US",
    "united states": "US",
    "united states of america": "US",
    "canada": "CA",
    "uk": "GB",
    "u.k.": "GB",
    "united kingdom": "GB",
    "great britain": "GB",
    "england": "GB",
    "scotland": "GB",
    "wales": "GB",
    "ireland": "IE",
    "germany": "DE",
    "deutschland": "DE",
    "france": "FR",
    "spain": "ES",
    "españa": "ES",
    "italy": "IT",
    "italia": "IT",
    "netherlands": "NL",
    "the netherlands": "NL",
    "belgium": "BE",
    "switzerland": "CH",
    "austria": "AT",
    "portugal": "PT",
    "poland": "PL",
    "czech republic": "CZ",
    "czechia": "CZ",
    "sweden": "SE",
    "norway": "NO",
    "denmark": "DK",
    "finland": "FI",
    "greece": "GR",
    "australia": "AU",
    "new zealand": "NZ",
    "mexico": "MX",
    "méxico": "MX",
    "brazil": "BR",
    "brasil": "BR",
    "argentina": "AR",
    "colombia": "CO",
    "cuba": "CU",
    "japan": "JP",
    "singapore": "SG",
}
_ISO_CODES = frozenset(COUNTRY_NAMES.values())
_US_STATES = frozenset(
    [
        "AL",
        "AK",
        "AZ",
        "AR",
        "CA",
        "CO",
        "CT",
        "DE",
        "DC",
        "FL",
        "GA",
        "HI",
        "ID",
        "IL",
        "IN",
        "IA",
        "KS",
        "KY",
        "LA",
        "ME",
        "MD",
        "MA",
        "MI",
        "MN",
        "MS",
        "MO",
        "MT",
        "NE",
        "NV",
        "NH",
        "NJ",
        "NM",
        "NY",
        "NC",
        "ND",
        "OH",
        "OK",
        "OR",
        "PA",
        "RI",
        "SC",
        "SD",
        "TN",
        "TX",
        "UT",
        "VT",
        "VA",
        "WA",
        "WV",
        "WI",
        "WY",
    ]
)
_CA_PROVINCES = frozenset(
    ["AB", "BC", "MB", "NB", "NL", "NS", "NT", "NU", "ON", "PE", "QC", "SK", "YT"]
)
_AU_STATES = frozenset(["NSW", "VIC", "QLD", "WA", "SA", "TAS", "ACT", "NT"])

_US_ZIP = re.compile(r"^(?P<region>[A-Z]{2})\s+(?P<postal>\d{5}(?:-\d{4})?)$")
_CA_POSTAL = re.compile(r"^(?P<region>[A-Z]{2})\s+(?P<postal>[A-Z]\d[A-Z]\s?\d[A-Z]\d)$", re.I)
_UK_POSTAL = re.compile(r"^(?P<city>.*?)\s*(?P<postal>[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2})$", re.I)
_EU_POSTAL = re.compile(
    r"^(?:[A-Z]{1,2}-)?(?P<postal>\d{4,5}|\d{3}\s\d{2}|\d{4}\s?[A-Z]{2})\s+(?P<city>\D.*)$"
)
_AU_POSTAL = re.compile(r"^(?P<city>.*?)\s+(?P<region>[A-Z]{2,3})\s+(?P<postal>\d{4})$")

# Time zones of single-zone countries, and of regions in countries with several.
_COUNTRY_ZONES: dict[str, str] = {
    "GB": "Europe/London",
    "IE": "Europe/Dublin",
    "DE": "Europe/Berlin",
    "FR": "Europe/Paris",
    "ES": "Europe/Madrid",
    "IT": "Europe/Rome",
    "NL": "Europe/Amsterdam",
    "BE": "Europe/Brussels",
    "CH": "Europe/Zurich",
    "AT": "Europe/Vienna",
    "PT": "Europe/Lisbon",
    "PL": "Europe/Warsaw",
    "CZ": "Europe/Prague",
    "SE": "Europe/Stockholm",
    "NO": "Europe/Oslo",
    "DK": "Europe/Copenhagen",
    "FI": "Europe/Helsinki",
    "GR": "Europe/Athens",
    "NZ": "Pacific/Auckland",
    "AR": "America/Argentina/Buenos_Aires",
    "CO": "America/Bogota",
    "CU": "America/Havana",
    "JP": "Asia/Tokyo",
    "SG": "Asia/Singapore",
}
_REGION_ZONES: dict[tuple[str, str], str] = {
    **{
        ("US", s): "America/New_York"
        for s in [
            "CT",
            "DC",
            "DE",
            "GA",
            "MA",
            "MD",
            "ME",
            "NC",
            "NH",
            "NJ",
            "NY",
            "OH",
            "PA",
            "RI",
            "SC",
            "VA",
            "VT",
            "WV",
            "MI",
        ]
    },
    **{
        ("US", s): "America/Chicago"
        for s in [
            "AL",
            "AR",
            "IA",
            "IL",
            "LA",
            "MN",
            "MO",
            "MS",
            "OK",
            "TX",
            "WI",
            "KS",
            "NE",
            "SD",
            "ND",
        ]
    },
    **{("US", s): "America/Denver" for s in ["CO", "MT", "NM", "UT", "WY"]},
    ("US", "AZ"): "America/Phoenix",
    ("US", "ID"): "America/Boise",
    **{("US", s): "America/Los_Angeles" for s in ["CA", "NV", "OR", "WA"]},
    ("US", "AK"): "America/Anchorage",
    ("US", "HI"): "Pacific/Honolulu",
    ("US", "FL"): "America/New_York",
    ("US", "IN"): "America/Indiana/Indianapolis",
    ("US", "KY"): "America/New_York",
    ("US", "TN"): "America/Chicago",
    ("CA", "BC"): "America/Vancouver",
    ("CA", "AB"): "America/Edmonton",
    ("CA", "SK"): "America/Regina",
    ("CA", "MB"): "America/Winnipeg",
    ("CA", "ON"): "America/Toronto",
    ("CA", "QC"): "America/Toronto",
    ("CA", "NS"): "America/Halifax",
    ("CA", "NB"): "America/Moncton",
    ("CA", "NL"): "America/St_Johns",
    ("CA", "PE"): "America/Halifax",
    ("AU", "NSW"): "Australia/Sydney",
    ("AU", "VIC"): "Australia/Melbourne",
    ("AU", "QLD"): "Australia/Brisbane",
    ("AU", "WA"): "Australia/Perth",
    ("AU", "SA"): "Australia/Adelaide",
    ("AU", "TAS"): "Australia/Hobart",
    ("AU", "ACT"): "Australia/Sydney",
    ("AU", "NT"): "Australia/Darwin",
}
_CURRENCIES = {
    "US": "USD",
    "CA": "CAD",
    "AU": "AUD",
    "NZ": "NZD",
    "MX": "MXN",
    "AR": "ARS",
    "CO": "COP",
    "SG": "SGD",
    "GB": "GBP",
    "JP": "JPY",
    "CH": "CHF",
}
_EURO = frozenset(["DE", "FR", "ES", "IT", "NL", "BE", "AT", "PT", "IE", "FI", "GR"])


@dataclass(slots=True, frozen=True)
class Address:
    """The parts of one address; any part may be unknown."""

    street: str | None = None
    city: str | None = None
    region: str | None = None
    postal_code: str | None = None
    country: str | None = None


def _country(part: str) -> str | None:
    key = part.strip().strip(".").lower()
    if key in COUNTRY_NAMES:
        return COUNTRY_NAMES[key]
    if part.strip() in _ISO_CODES and part.strip() not in _US_STATES | _CA_PROVINCES:
        return part.strip()
    return None


def split_address(text: str | None) -> Address:
    """Street, city, region, postal code and ISO country of a one-line address."""
    if not text:
        return Address()
    parts = [p.strip() for p in re.split(r",|\n", text) if p.strip()]
    country = None
    if parts and (code := _country(parts[-1])):
        country = code
        parts = parts[:-1]
    city = region = postal = None
    if parts:
        last = parts[-1]
        if m := _US_ZIP.match(last):
            region, postal = m["region"], m["postal"]
            country = country or ("US" if region in _US_STATES else None)
            parts = parts[:-1]
        elif (m := _CA_POSTAL.match(last)) and m["region"].upper() in _CA_PROVINCES:
            region, postal = m["region"].upper(), m["postal"].upper()
            country = country or "CA"
            parts = parts[:-1]
        elif (m := _AU_POSTAL.match(last)) and m["region"] in _AU_STATES:
            city, region, postal = m["city"] or None, m["region"], m["postal"]
            country = country or "AU"
            parts = parts[:-1]
        elif (m := _EU_POSTAL.match(last)) and country not in ("US", "CA"):
            postal, city = m["postal"], m["city"].strip()
            parts = parts[:-1]
        elif (m := _UK_POSTAL.match(last)) and (country in (None, "GB")) and re.search(r"\d", last):
            postal, city = m["postal"].upper(), (m["city"].strip() or None)
            country = country or "GB"
            parts = parts[:-1]
        elif last.upper() in _US_STATES and len(parts) >= 2:
            region = last.upper()
            country = country or "US"
            parts = parts[:-1]
        elif last.upper() in _CA_PROVINCES and len(parts) >= 2 and country == "CA":
            region = last.upper()
            parts = parts[:-1]
    if city is None and len(parts) >= 2:
        city = parts[-1]
        parts = parts[:-1]
    elif (
        city is None
        and len(parts) == 1
        and (region or postal or country)
        and not re.match(r"^\d", parts[0])
    ):
        city = parts[0]
        parts = []
    street = ", ".join(parts) or None
    return Address(street, city, region, postal, country)


def zone_for_place(country: str | None, region: str | None = None) -> str | None:
    """The IANA zone of a place when its country (and region) settle it, else None."""
    if not country:
        return None
    if region and (zone := _REGION_ZONES.get((country, region.upper()))):
        return zone
    return _COUNTRY_ZONES.get(country)


def currency_for_country(country: str | None) -> str | None:
    """The currency a bare "$" or an unmarked amount most likely means in `country`."""
    if not country:
        return None
    return "EUR" if country in _EURO else _CURRENCIES.get(country)


def fill_places(frame: pl.DataFrame) -> pl.DataFrame:
    """City and country from the address line where an extractor left them empty."""
    lacking = frame.filter(
        pl.col("address").is_not_null() & (pl.col("city").is_null() | pl.col("country").is_null())
    )
    if lacking.is_empty():
        return frame
    parts = {a: split_address(a) for a in lacking["address"].unique().to_list()}

    def lookup(attribute: str) -> pl.Expr:
        mapping = {a: getattr(p, attribute) for a, p in parts.items()}
        return pl.col("address").replace_strict(mapping, default=None, return_dtype=pl.String)

    return frame.with_columns(
        pl.coalesce(pl.col("city"), lookup("city")).alias("city"),
        pl.coalesce(pl.col("country"), lookup("country")).alias("country"),
    )
