"""Dance styles and event types inferred by the normaliser, over real frames."""

from __future__ import annotations

import re
from datetime import datetime
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from dancescrape.model.event import Event
from dancescrape.model.records import iter_records
from dancescrape.model.schema import events_to_frame
from dancescrape.normalise.normaliser import normalise_frame
from dancescrape.normalise.styles import STYLE_SLUGS, style_pattern

START = datetime(2026, 12, 5, 20, tzinfo=ZoneInfo("Europe/Berlin"))


def _normalised(
    title: str, description: str | None = None, venue: str | None = None
) -> dict[str, object]:
    event = Event(
        title=title,
        description=description,
        venue=venue,
        start=START,
        timezone="Europe/Berlin",
        source="s",
        source_url="https://s.example/",
    )
    [row] = list(iter_records(normalise_frame(events_to_frame([event]))))
    return row


@pytest.mark.parametrize(
    ("title", "styles"),
    [
        ("Salsa On2 Shines", ["salsa"]),
        ("Rueda de Casino night", ["salsa"]),
        ("Sensual Bachata Bootcamp", ["bachata"]),
        ("Kizomba & Semba social", ["kizomba", "semba"]),
        ("Urban Kiz intensive", ["kizomba", "urban-kiz"]),
        ("Brazilian Zouk weekend", ["zouk"]),
        ("Lindy Hop & Balboa exchange", ["lindy-hop", "balboa"]),
        ("Collegiate Shag and Charleston class", ["shag", "charleston"]),
        ("Blues & Fusion late night", ["blues", "fusion"]),
        ("West Coast Swing drop-in", ["west-coast-swing"]),
        ("Milonga La Ronda", ["argentine-tango"]),
        ("Práctica de tango", ["argentine-tango"]),
        ("Viennese Waltz and Quickstep", ["ballroom"]),
        ("Foxtrot technique", ["ballroom"]),
        ("Rumba & Cha-Cha for beginners", ["latin-ballroom"]),
        ("Two-Step and Line Dancing", ["country"]),
        ("Contra dance with live band", ["contra"]),
        ("Hustle night", ["hustle"]),
        ("Forró pé de serra", ["forro"]),
        ("Swing dance jam", ["swing"]),
        ("Open studio hours", []),
    ],
)
def test_styles_from_titles(title: str, styles: list[str]) -> None:
    assert _normalised(title)["dance_styles"] == styles


def test_styles_from_the_description_but_not_the_venue() -> None:
    assert _normalised("Friday social", "Mostly bachata, some salsa")["dance_styles"] == [
        "salsa",
        "bachata",
    ]
    assert _normalised("Friday social", venue="Rivoli Ballroom")["dance_styles"] == []


@pytest.mark.parametrize(
    ("title", "description", "kind"),
    [
        ("Madrid Bachata Festival", None, "festival"),
        ("Berlin Tango Marathon", None, "festival"),
        ("Footwork Workshop with Ana", None, "workshop"),
        ("Westie Technique Intensive", None, "workshop"),
        ("Salsa Social", None, "social"),
        ("Blues Night", None, "social"),
        ("Milonga del Jueves", None, "social"),
        ("Westie Practice", None, "social"),
        ("Balboa Beginners Course", None, "class"),
        ("Drop-in Lindy", None, "class"),
        ("Tango Showcase", None, "performance"),
        ("Studio open day", "A social with a lesson first", "social"),
        ("Studio open day", None, "other"),
    ],
)
def test_event_type_from_wording(title: str, description: str | None, kind: str) -> None:
    assert _normalised(title, description)["event_type"] == kind


@given(st.sampled_from(STYLE_SLUGS), st.text(alphabet=" abcdefghij", max_size=20))
def test_every_slug_matches_its_own_name(slug: str, noise: str) -> None:
    pattern = re.compile(style_pattern(slug))
    assert pattern.search(f"{noise} {slug.replace('-', ' ')} {noise}")
