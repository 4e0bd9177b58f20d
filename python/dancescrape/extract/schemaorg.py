"""schema.org Event objects (from JSON-LD or microdata) into typed Events.

Every type problem becomes a `SchemaError` naming the field, so one bad event
never hides the good ones next to it.
"""

from __future__ import annotations

import html
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Any
from urllib.parse import urljoin

from dancescrape.errors import ExtractError
from dancescrape.extract.base import ExtractContext
from dancescrape.extract.dates import parse_when, zone_name_for
from dancescrape.extract.schedule import ScheduleError, expand_schedule
from dancescrape.model.document import Document
from dancescrape.model.event import Event, EventType, Status
from dancescrape.normalise.addresses import COUNTRY_NAMES, split_address, zone_for_place
from dancescrape.normalise.prices import format_price, parse_amount, parse_price_text
from dancescrape.normalise.text import clean_text, html_to_text

__all__ = [
    "EVENT_TYPE_NAMES",
    "SchemaCollector",
    "SchemaError",
    "events_from_item",
    "find_events",
    "type_names",
]

#: schema.org Event and all its subtypes.
EVENT_TYPE_NAMES = frozenset(
    {
        "Event",
        "BusinessEvent",
        "ChildrensEvent",
        "ComedyEvent",
        "CourseInstance",
        "DanceEvent",
        "DeliveryEvent",
        "EducationEvent",
        "EventSeries",
        "ExhibitionEvent",
        "Festival",
        "FoodEvent",
        "Hackathon",
        "LiteraryEvent",
        "MusicEvent",
        "PublicationEvent",
        "SaleEvent",
        "ScreeningEvent",
        "SocialEvent",
        "SportsEvent",
        "TheaterEvent",
        "VisualArtsEvent",
        "OnDemandEvent",
        "BroadcastEvent",
    }
)
_TYPE_HINTS: dict[str, EventType] = {
    "Festival": "festival",
    "EducationEvent": "class",
    "CourseInstance": "class",
    "SocialEvent": "social",
    "TheaterEvent": "performance",
    "ScreeningEvent": "performance",
}
_STATUSES: dict[str, Status] = {
    "eventscheduled": "scheduled",
    "eventcancelled": "cancelled",
    "eventcanceled": "cancelled",
    "eventpostponed": "postponed",
    "eventrescheduled": "rescheduled",
    "eventmovedonline": "scheduled",
}
# Containers in which pages nest their events.
_NESTED_KEYS = ("@graph", "event", "events", "subEvent", "subEvents", "itemListElement", "item")


class SchemaError(ValueError):
    """One schema.org item is unusable; the message names the field."""


def _looks_like_event_type(name: str) -> bool:
    """Newer or extension subtypes (PerformingArtsEvent, ConferenceEvent) end in "Event"."""
    return name.endswith("Event") and name[:1].isupper()


def type_names(item: dict[str, Any]) -> list[str]:
    raw = item.get("@type", item.get("type"))
    names = raw if isinstance(raw, list) else [raw]
    return [n.rsplit("/", 1)[-1] for n in names if isinstance(n, str)]


def find_events(data: Any, seen_types: set[str] | None = None) -> Iterator[dict[str, Any]]:
    """Every Event-typed object in a JSON-LD document: arrays, @graph, ItemLists, nesting."""
    if isinstance(data, list):
        for entry in data:
            yield from find_events(entry, seen_types)
        return
    if not isinstance(data, dict):
        return
    names = type_names(data)
    if seen_types is not None:
        seen_types.update(names)
    if any(n in EVENT_TYPE_NAMES or _looks_like_event_type(n) for n in names):
        yield data
        return
    for key in _NESTED_KEYS:
        if key in data:
            yield from find_events(data[key], seen_types)


def _text(item: dict[str, Any], key: str, where: str = "") -> str | None:
    value = item.get(key)
    if isinstance(value, list):
        value = next((v for v in value if v is not None), None)
    if isinstance(value, dict) and "@value" in value:
        value = value["@value"]
    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool) and key in ("postalCode",):
        return str(value)
    if not isinstance(value, str):
        raise SchemaError(f"{where}{key} must be text, got {_kind(value)}")
    return clean_text(html.unescape(value))


def _kind(value: Any) -> str:
    return {
        dict: "an object",
        list: "a list",
        bool: "a boolean",
        int: "a number",
        float: "a number",
    }.get(type(value), type(value).__name__)


def _first_object(value: Any) -> dict[str, Any] | str | None:
    if isinstance(value, list):
        value = next((v for v in value if isinstance(v, dict | str)), None)
    if value is None or isinstance(value, dict | str):
        return value
    raise SchemaError(f"expected an object or text, got {_kind(value)}")


def _place(item: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {}
    raw = item.get("location")
    if isinstance(raw, list):
        # A physical Place beats a VirtualLocation listed before it (hybrid events).
        physical = [
            p for p in raw if isinstance(p, dict) and "VirtualLocation" not in type_names(p)
        ]
        raw = physical or raw
    try:
        location = _first_object(raw)
    except SchemaError as exc:
        raise SchemaError(f"location: {exc}") from None
    if isinstance(location, str):
        out["venue"] = clean_text(location)
        return out
    if location is None:
        return out
    out["venue"] = _text(location, "name", "location.")
    address = location.get("address")
    if isinstance(address, list):
        address = next((a for a in address if a is not None), None)
    if isinstance(address, str):
        out["address"] = clean_text(address)
    elif isinstance(address, dict):
        street = _text(address, "streetAddress", "location.address.")
        city = _text(address, "addressLocality", "location.address.")
        region = _text(address, "addressRegion", "location.address.")
        postal = _text(address, "postalCode", "location.address.")
        country_raw = address.get("addressCountry")
        if isinstance(country_raw, dict):
            country_raw = country_raw.get("name")
        country = clean_text(country_raw) if isinstance(country_raw, str) else None
        out["city"] = city
        if country and len(country) == 2:
            out["country"] = country.upper()
        else:
            out["country"] = COUNTRY_NAMES.get(country.lower()) if country else None
        tail = " ".join(p for p in (region, postal) if p)
        out["address"] = ", ".join(p for p in (street, city, tail or None) if p) or None
    elif address is not None:
        raise SchemaError(f"location.address must be text or a PostalAddress, got {_kind(address)}")
    geo = location.get("geo")
    if isinstance(geo, dict):
        lat, lon = (
            parse_amount_signed(geo.get("latitude")),
            parse_amount_signed(geo.get("longitude")),
        )
        if lat is not None and lon is not None and -90 <= lat <= 90 and -180 <= lon <= 180:
            out["latitude"], out["longitude"] = lat, lon
    return out


def _literal_newlines(text: str | None) -> str | None:
    return text.replace("\\n", " ").replace("\\r", " ") if text else text


def parse_amount_signed(value: Any) -> float | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int | float):
        return float(value)
    if isinstance(value, str):
        try:
            return float(value.strip())
        except ValueError:
            return None
    return None


def _offers(item: dict[str, Any]) -> dict[str, Any]:
    offers = item.get("offers")
    if offers is None:
        return {}
    entries = offers if isinstance(offers, list) else [offers]
    lows: list[float] = []
    highs: list[float] = []
    currency = None
    for offer in entries:
        if isinstance(offer, str):
            # Microdata often marks the booking link itself as the offer: keep any amount in it.
            if "://" in offer or offer.startswith("/"):
                continue  # a link, whose digits are no price
            text_price = parse_price_text(offer)
            if text_price.minimum is not None and text_price.maximum is not None:
                lows.append(text_price.minimum)
                highs.append(text_price.maximum)
                currency = currency or text_price.currency
            continue
        if not isinstance(offer, dict):
            raise SchemaError(f"offers must be Offer objects, got {_kind(offer)}")
        cur = offer.get("priceCurrency")
        if cur is not None and not isinstance(cur, str):
            raise SchemaError(f"offers.priceCurrency must be text, got {_kind(cur)}")
        currency = currency or (cur.strip().upper() if cur else None)
        for key, bucket in (
            ("price", (lows, highs)),
            ("lowPrice", (lows,)),
            ("highPrice", (highs,)),
        ):
            if key not in offer or offer[key] in (None, ""):
                continue
            raw = offer[key]
            if isinstance(raw, str) and raw.strip().lower() in ("free", "0"):
                amount: float | None = 0.0
            else:
                amount = parse_amount(raw)
            if amount is None:
                raise SchemaError(f"offers.{key} must be a price, got {raw!r}")
            for b in bucket:
                b.append(amount)
    if not lows and not highs:
        return {"currency": currency}
    low = min(lows or highs)
    high = max(highs or lows)
    return {
        "price_min": low,
        "price_max": high,
        "currency": currency,
        "price": format_price(low, high, currency),
    }


def _organizer(item: dict[str, Any]) -> str | None:
    try:
        org = _first_object(item.get("organizer"))
    except SchemaError as exc:
        raise SchemaError(f"organizer: {exc}") from None
    if isinstance(org, dict):
        return _text(org, "name", "organizer.")
    return clean_text(org) if org else None


def _status(item: dict[str, Any]) -> Status:
    raw = item.get("eventStatus")
    if raw is None:
        return "scheduled"
    if not isinstance(raw, str):
        raise SchemaError(f"eventStatus must be text, got {_kind(raw)}")
    key = raw.rstrip("/").rsplit("/", 1)[-1].lower()
    return _STATUSES.get(key, "scheduled")


def _event_type(item: dict[str, Any]) -> EventType:
    for name in type_names(item):
        if name in _TYPE_HINTS:
            return _TYPE_HINTS[name]
    return "other"


def events_from_item(
    item: dict[str, Any], document: Document, context: ExtractContext
) -> list[Event]:
    """The events of one schema.org Event object: one, or one per schedule occurrence."""
    title = _text(item, "name")
    if not title:
        raise SchemaError("name is missing")
    place = _place(item)
    # Fill city and country from the address line, and let the place name the zone
    # when config did not ("from config, else from the page, else --timezone").
    parts = split_address(place.get("address"))
    place["city"] = place.get("city") or parts.city
    place["country"] = place.get("country") or parts.country
    zone = (
        document.target.timezone
        or zone_for_place(place["country"], parts.region)
        or context.timezone
    )
    url = _text(item, "url")
    identifier = item.get("@id")
    if identifier is not None and not isinstance(identifier, str):
        raise SchemaError(f"@id must be text, got {_kind(identifier)}")
    common: dict[str, Any] = {
        "title": title,
        # WordPress plugins double-escape newlines: a literal backslash-n is whitespace.
        "description": html_to_text(_literal_newlines(_text(item, "description"))),
        "event_type": _event_type(item),
        "organizer": _organizer(item),
        "url": urljoin(document.url, url) if url else None,
        "status": _status(item),
        "source": document.source,
        "source_url": document.url,
        **place,
        **_offers(item),
    }
    if common.get("price") is None:
        common.pop("price", None)

    schedules = item.get("eventSchedule")
    if (
        schedules is None
        and item.get("startDate") is None
        and "EventSeries" in type_names(item)
        and item.get("subEvent") is not None
    ):
        return []  # a series that only lists its events, which the page gives separately
    if schedules is not None:
        events = []
        for schedule in schedules if isinstance(schedules, list) else [schedules]:
            try:
                occurrences = list(
                    expand_schedule(schedule, zone, context.window_start, context.window_end)
                )
            except ScheduleError as exc:
                raise SchemaError(f"eventSchedule: {exc}") from None
            for occurrence_start, occurrence_end in occurrences:
                day = occurrence_start.date().isoformat()
                occurrence_id = f"{identifier}#{day}" if identifier else None
                # scheduleTimezone wins over the source's zone
                local_zone = getattr(occurrence_start.tzinfo, "key", zone)
                events.append(
                    Event(
                        start=occurrence_start,
                        end=occurrence_end,
                        timezone=local_zone,
                        source_event_id=occurrence_id,
                        **common,
                    )
                )
        return events

    start_text = item.get("startDate")
    if start_text is None:
        raise SchemaError("startDate is missing")
    if not isinstance(start_text, str):
        raise SchemaError(f"startDate must be an ISO 8601 date, got {_kind(start_text)}")
    try:
        start_when = parse_when(start_text, zone)
    except ValueError as exc:
        raise SchemaError(f"startDate: {exc}") from None
    start, event_zone = zone_name_for(start_when.value, zone)
    end: datetime | None = None
    end_text = item.get("endDate")
    if end_text is not None:
        if not isinstance(end_text, str):
            raise SchemaError(f"endDate must be an ISO 8601 date, got {_kind(end_text)}")
        try:
            end_when = parse_when(end_text, event_zone)
        except ValueError as exc:
            raise SchemaError(f"endDate: {exc}") from None
        end = end_when.value.astimezone(start.tzinfo)
        if start_when.all_day and end_when.all_day:
            end = end + timedelta(days=1)  # schema.org end dates are inclusive; ours exclusive
    elif start_when.all_day:
        end = start + timedelta(days=1)
    if end is not None and end < start:
        raise SchemaError(f"endDate {end_text!r} is before startDate {start_text!r}")
    return [
        Event(
            start=start,
            end=end,
            all_day=start_when.all_day,
            timezone=event_zone,
            source_event_id=identifier,
            **common,
        )
    ]


@dataclass(slots=True)
class SchemaCollector:
    """Gathers the events of every schema.org item in a document, one bad item at a time.

    JSON-LD and microdata share it, so both report problems the same way.
    """

    document: Document
    context: ExtractContext
    events: list[Event] = field(default_factory=list)
    problems: list[str] = field(default_factory=list)
    seen_types: set[str] = field(default_factory=set)
    items: int = 0

    def add(self, data: Any, label: str) -> None:
        """Every Event item in `data`; a bad item becomes a problem naming it."""
        for index, item in enumerate(find_events(data, self.seen_types), 1):
            self.items += 1
            name = item.get("name") if isinstance(item.get("name"), str) else None
            where = f"{label} {index}" + (f" {name!r}" if name else "")
            try:
                self.events.extend(events_from_item(item, self.document, self.context))
            except (SchemaError, ValueError) as exc:
                self.problems.append(f"{where}: {exc}")

    def finish(self, kind: str) -> list[Event]:
        """The events, or `ExtractError` when the document held none that could be used."""
        url = self.document.url
        if not self.events:
            if self.problems:
                raise ExtractError(url, "no usable events: " + "; ".join(self.problems))
            if self.items:
                return []  # valid events, none inside the window: not an error
            found = ", ".join(sorted(t for t in self.seen_types if t)) or "none"
            raise ExtractError(
                url, f"no events: {kind} holds no schema.org Event (types found: {found})"
            )
        for reason in self.problems:
            self.context.problem(url, reason)
        return self.events
