"""Benchmark data: realistic dance events with planted cross-source duplicates.

Every generated row carries `truth`, the id of the real event it lists. Copies of
one event differ the way real listings do: reordered or decorated titles
("DJ Ana presents ...", emoji, case, typos), other spellings of the venue, starts
shifted by 0-60 minutes, missing fields. Traps, distinct events at the same venue
on the same night, test that similar is not the same.
"""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta
from zoneinfo import ZoneInfo

import polars as pl

from dancescrape.model.schema import PROVENANCE_DTYPE

__all__ = ["CITIES", "generate_events"]

CITIES: tuple[tuple[str, str], ...] = (
    ("Vancouver", "America/Vancouver"), ("Seattle", "America/Los_Angeles"),
    ("Portland", "America/Los_Angeles"), ("Denver", "America/Denver"),
    ("Chicago", "America/Chicago"), ("Toronto", "America/Toronto"),
    ("Montréal", "America/Toronto"), ("New York", "America/New_York"),
    ("London", "Europe/London"), ("Berlin", "Europe/Berlin"), ("München", "Europe/Berlin"),
    ("Paris", "Europe/Paris"), ("Zürich", "Europe/Zurich"), ("Oslo", "Europe/Oslo"),
    ("Kraków", "Europe/Warsaw"), ("Lisboa", "Europe/Lisbon"), ("São Paulo", "America/Sao_Paulo"),
    ("Buenos Aires", "America/Argentina/Buenos_Aires"), ("Tokyo", "Asia/Tokyo"),
    ("Melbourne", "Australia/Melbourne"),
)  # fmt: skip

# (style, event words): titles are built as "<style> <word>" and variations of it.
STYLES = (
    "Salsa", "Bachata", "Kizomba", "Zouk", "West Coast Swing", "Lindy Hop", "Balboa",
    "Blues", "Tango", "Forró", "Cumbia", "Merengue", "Swing", "Urban Kiz", "Ballroom",
)  # fmt: skip
KINDS = (
    "Social", "Night", "Party", "Practica", "Milonga", "Workshop", "Beginner Class",
    "Intermediate Class", "Bootcamp", "Fiesta", "Jam", "Dance",
)  # fmt: skip
FLAVOURS = ("", "", "", "Friday ", "Sunset ", "Late ", "Summer ", "Full Moon ", "Rooftop ")
DJS = ("DJ Ana", "DJ Carlos", "DJ Mo", "Studio Latino", "Team Flow", "DJ Kemi", "Los Hermanos")
EMOJI = (" 💃", " 🕺", " 🔥", " ✨", " 🎶")
VENUE_BASES = (
    "Loft", "Harbour", "Rivoli", "Casa Latina", "Electric", "Blue Door", "Sunset",
    "Copper", "Old Mill", "Union", "Garden", "Palladium", "Starlight", "Lighthouse",
    "Riverside", "Corazón", "Velvet", "Crown", "Orchard", "Pavilion", "Ironworks",
    "Maple", "Central", "Cedar", "Atlas", "Marigold", "Avalon", "Granary",
)  # fmt: skip
VENUE_KINDS = ("Dance Studio", "Ballroom", "Hall", "Club", "Studios", "Dance Centre", "Lounge")
STREETS = ("Main", "King", "Granville", "Queen", "Market", "Elm", "Harbour", "Park")
SUFFIXES = (("Street", "St."), ("Avenue", "Ave"), ("Road", "Rd"), ("Boulevard", "Blvd"))
SOURCES = ("tickets", "city-calendar", "flyers")

# Per real-world listing: how many sources list it (1, 2, 3 or 4).
COPIES = ((1, 0.42), (2, 0.36), (3, 0.17), (4, 0.05))
EVENTS_PER_CITY_DAY = 8
DAYS = 56


def _venue(rng: random.Random, base: str) -> tuple[str, list[str]]:
    """A venue's name as its own site spells it, and other spellings seen elsewhere."""
    kind = rng.choice(VENUE_KINDS)
    street, (long, short) = rng.choice(STREETS), rng.choice(SUFFIXES)
    name = f"The {base} {kind}" if rng.random() < 0.4 else f"{base} {kind}"
    variants = [
        base,
        f"{base} {kind}".upper(),
        f"{base} {rng.choice(VENUE_KINDS)}",
        f"{name}, {rng.randint(10, 999)} {street} {long}",
        f"{name} ({street} {short})",
        name.lower(),
    ]
    return name, variants


def _typo(rng: random.Random, text: str) -> str:
    if len(text) < 6:
        return text
    i = rng.randrange(1, len(text) - 2)
    op = rng.random()
    if op < 0.4:  # swap two letters
        return text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    if op < 0.7:  # drop one
        return text[:i] + text[i + 1 :]
    return text[:i] + text[i] + text[i:]  # double one


def _title_variant(rng: random.Random, title: str, style: str, kind: str, venue: str) -> str:
    """Another listing's spelling of `title`: one or two realistic changes."""
    out = title
    for _ in range(rng.choice((1, 1, 2))):
        r = rng.random()
        if r < 0.18:
            out = f"{rng.choice(DJS)} presents {out}"
        elif r < 0.32:
            out = out + rng.choice(EMOJI)
        elif r < 0.46:
            out = out.upper() if rng.random() < 0.5 else out.lower()
        elif r < 0.62:
            out = _typo(rng, out)
        elif r < 0.74:
            out = f"{kind}: {style}" if ":" not in out else out
        elif r < 0.86:
            out = f"{out} @ {venue}"
        else:
            out = f"{out} with {rng.choice(DJS)}"
    return out


def _copies(rng: random.Random) -> int:
    r, acc = rng.random(), 0.0
    for n, p in COPIES:
        acc += p
        if r < acc:
            return n
    return COPIES[-1][0]


def generate_events(n: int, seed: int = 7) -> pl.DataFrame:
    """About `n` rows (exactly `n`) of listings with a `truth` column, in shuffled order."""
    rng = random.Random(seed)
    rows_per_event = sum(k * p for k, p in COPIES)
    per_city = DAYS * EVENTS_PER_CITY_DAY * rows_per_event
    n_cities = max(1, round(n / per_city))
    days = max(1, min(DAYS, round(n / (n_cities * EVENTS_PER_CITY_DAY * rows_per_event))))
    first_day = datetime(2026, 3, 2)
    cols: dict[str, list[object]] = {
        k: []
        for k in (
            "title", "venue", "city", "timezone", "start", "end", "source", "source_url",
            "source_event_id", "price", "organizer", "url", "truth",
        )
    }  # fmt: skip
    truth = 0
    city_index = 0
    while len(cols["title"]) < n:
        base_city, zone = CITIES[city_index % len(CITIES)]
        # Beyond the named cities, numbered neighbours keep blocks realistically small.
        city = base_city if city_index < len(CITIES) else f"{base_city} {city_index // len(CITIES)}"
        city_index += 1
        tz = ZoneInfo(zone)
        venues = [_venue(rng, b) for b in rng.sample(VENUE_BASES, 10)]
        for day in range(days if city_index <= n_cities else DAYS):
            date = first_day + timedelta(days=day)
            night: list[tuple[int, str, str, str, int]] = []  # (venue, style, kind, title, minute)
            for _ in range(rng.randint(EVENTS_PER_CITY_DAY - 3, EVENTS_PER_CITY_DAY + 3)):
                v = rng.randrange(len(venues))
                style, kind = rng.choice(STYLES), rng.choice(KINDS)
                minute = rng.randrange(18 * 4, 22 * 4 + 1) * 15
                night.append((v, style, kind, f"{rng.choice(FLAVOURS)}{style} {kind}", minute))
                if rng.random() < 0.3:  # a trap: another event, same venue, same night
                    other = rng.choice([k for k in KINDS if k != kind])
                    shift = rng.choice((-90, -60, -45, 0, 60, 90))
                    trap = min(max(minute + shift, 17 * 60), 22 * 60 + 30)  # same local date
                    night.append((v, style, other, f"{style} {other}", trap))
            for v, style, kind, title, minute in night:
                venue, spellings = venues[v]
                start = datetime(date.year, date.month, date.day, tzinfo=tz) + timedelta(
                    minutes=minute
                )
                site = f"{venue.lower().replace(' ', '-')}-site"
                sources = [site, *rng.sample(SOURCES, _copies(rng) - 1)]
                for copy, source in enumerate(sources):
                    first = copy == 0
                    t = title if first else _title_variant(rng, title, style, kind, venue)
                    if first:
                        ven: str | None = venue
                    else:
                        ven = None if rng.random() < 0.12 else rng.choice(spellings)
                    shift = 0 if first or rng.random() < 0.45 else rng.randrange(5, 61, 5)
                    s = (start + timedelta(minutes=shift * rng.choice((-1, 1)))).astimezone(UTC)
                    cols["title"].append(t)
                    cols["venue"].append(ven)
                    cols["city"].append(city)
                    cols["timezone"].append(zone)
                    cols["start"].append(s)
                    cols["end"].append(None if rng.random() < 0.3 else s + timedelta(hours=3))
                    cols["source"].append(source)
                    cols["source_url"].append(f"https://{source}.example/{city_index}/{day}")
                    cols["source_event_id"].append(
                        None if rng.random() < 0.4 else f"{source}-{truth}"
                    )
                    cols["price"].append(None if rng.random() < 0.3 else f"${rng.randint(5, 25)}")
                    cols["organizer"].append(None if rng.random() < 0.5 else rng.choice(DJS))
                    cols["url"].append(
                        None if rng.random() < 0.5 else f"https://{source}.example/e/{truth}"
                    )
                    cols["truth"].append(truth)
                truth += 1
    order = list(range(len(cols["title"])))
    rng.shuffle(order)
    order = order[:n]
    frame = pl.DataFrame(
        {k: [v[i] for i in order] for k, v in cols.items()},
        schema_overrides={"start": pl.Datetime("us", "UTC"), "end": pl.Datetime("us", "UTC")},
    )
    provenance = pl.struct("source", "source_url", "source_event_id", "url")
    return frame.with_columns(
        sources=pl.concat_list(provenance).cast(pl.List(PROVENANCE_DTYPE)),
    )
