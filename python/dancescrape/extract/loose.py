"""Events from loosely structured fields: the shared back end of free text, site rules and PDF.

An extractor that found a title, some "when" text and maybe a venue, address and price
hands them over as a `LooseItem`; this module turns them into one Event per occurrence
inside the window, in the right time zone (config, else inferred from the address, else
the run's) and with parsed prices.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from dancescrape.extract.base import ExtractContext
from dancescrape.extract.textdates import When, occurrences, parse_when_text
from dancescrape.model.document import Document
from dancescrape.model.event import Event, EventType, Status
from dancescrape.normalise.addresses import currency_for_country, split_address, zone_for_place
from dancescrape.normalise.prices import format_price, parse_price_text
from dancescrape.normalise.text import clean_text
from dancescrape.normalise.timezones import zone_from_text

__all__ = ["LooseItem", "NoWhen", "day_first_for", "events_from_loose", "with_page_zone"]


class NoWhen(ValueError):
    """The text names no date and no recurring day: probably not an event at all."""


@dataclass(slots=True)
class LooseItem:
    """What a loose extractor found about one event (or one recurring series)."""

    title: str | None
    when: str
    venue: str | None = None
    address: str | None = None
    price: str | None = None
    description: str | None = None
    url: str | None = None
    organizer: str | None = None
    event_type: EventType = "other"
    status: Status = "scheduled"
    source_event_id: str | None = None


def with_page_zone(document: Document, context: ExtractContext, text: str) -> ExtractContext:
    """The context with the zone the page states ("all times PST") when config gave none.

    It stays below a zone inferred from an event's own address, and above --timezone.
    """
    if document.target.timezone:
        return context
    stated = zone_from_text(text)
    if stated is None or stated == context.timezone:
        return context
    return ExtractContext(stated, context.window_start, context.window_end, context.problems)


def day_first_for(zone: str) -> bool:
    """Whether 7/1 means 7 January where `zone` is: everywhere but North America."""
    return not zone.startswith(("America/", "US/", "Canada/", "Pacific/Honolulu"))


def events_from_loose(
    item: LooseItem,
    document: Document,
    context: ExtractContext,
    *,
    reference: date | None = None,
    years: tuple[int, ...] | None = None,
    when: When | None = None,
) -> list[Event]:
    """One Event per occurrence of `item` inside the window; ValueError says what is missing."""
    title = clean_text(item.title)
    if not title:
        raise ValueError(f"no title next to {item.when[:60]!r}")
    address = clean_text(item.address)
    parts = split_address(address)
    zone = (
        document.target.timezone or zone_for_place(parts.country, parts.region) or context.timezone
    )
    if when is None:
        when = parse_when_text(
            item.when,
            reference or context.window_start,
            day_first=day_first_for(zone),
            years=years,
        )
    if when.problems:
        raise ValueError("; ".join(when.problems))
    if not when.found:
        raise NoWhen(f"no date or recurring day in {item.when[:80]!r}")
    price_text = clean_text(item.price)
    price_fields: dict[str, object] = {}
    if price_text:
        price = parse_price_text(price_text)
        currency = price.currency
        if currency is None and price.maximum and "$" in price_text:
            currency = currency_for_country(parts.country)
        price_fields = {
            "price": price_text if price.maximum != 0 else format_price(0.0, 0.0, None),
            "price_min": price.minimum,
            "price_max": price.maximum,
            "currency": currency if price.maximum else None,
        }
    events = []
    for start, end, all_day in occurrences(when, zone, context.window_start, context.window_end):
        occurrence_id = (
            f"{item.source_event_id}#{start.date().isoformat()}" if item.source_event_id else None
        )
        events.append(
            Event(
                title=title,
                start=start,
                end=end,
                all_day=all_day,
                timezone=zone,
                description=clean_text(item.description),
                event_type=item.event_type,
                venue=clean_text(item.venue),
                address=address,
                city=parts.city,
                country=parts.country,
                organizer=clean_text(item.organizer),
                url=item.url,
                status=item.status,
                source=document.source,
                source_url=document.url,
                source_event_id=occurrence_id,
                **price_fields,  # type: ignore[arg-type]
            )
        )
    return events
