"""Microdata: items checked against extruct's expected output, events against JSON-LD twins."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dancescrape.errors import ExtractError
from dancescrape.extract.base import ExtractContext
from dancescrape.extract.jsonld import JsonLdExtractor
from dancescrape.extract.microdata import MicrodataExtractor, microdata_items
from dancescrape.model.document import Document, Target
from dancescrape.model.event import Event

WIDE = (date(2000, 1, 1), date(2030, 12, 31))


def _doc(path: Path) -> Document:
    text = path.read_text(encoding="utf-8")
    return Document(
        Target(path.as_uri(), "corpus"), path.as_uri(), text.encode(), "text/html", text=text
    )


def _html(text: str) -> Document:
    url = "https://swing.example/events"
    return Document(Target(url, "swing"), url, text.encode(), "text/html; charset=utf-8", text=text)


def _extruct_to_ld(node: Any) -> Any:
    """extruct's {"type", "properties"} shape into the JSON-LD shape our items use."""
    if isinstance(node, list):
        return [_extruct_to_ld(n) for n in node]
    if isinstance(node, dict) and "properties" in node:
        out = {k: _extruct_to_ld(v) for k, v in node["properties"].items()}
        kind = node.get("type")
        if kind:
            out["@type"] = (
                kind.rsplit("/", 1)[-1]
                if isinstance(kind, str)
                else [k.rsplit("/", 1)[-1] for k in kind]
            )
        return out
    if isinstance(node, str):
        return " ".join(node.split())
    return node


def _subset(expected: Any, got: Any, where: str = "") -> None:
    if isinstance(expected, dict):
        assert isinstance(got, dict), where
        for key, value in expected.items():
            assert key in got, f"{where}.{key} missing"
            _subset(value, got[key], f"{where}.{key}")
    elif isinstance(expected, list):
        assert isinstance(got, list) and len(got) == len(expected), where
        for index, (e, g) in enumerate(zip(expected, got, strict=True)):
            _subset(e, g, f"{where}[{index}]")
    else:
        assert got == expected, f"{where}: {got!r} != {expected!r}"


@pytest.mark.parametrize("name", ["Event.001", "Event.003", "Event.004", "Event.008"])
def test_items_match_extructs_expected_output(corpus_dir: Path, name: str) -> None:
    folder = corpus_dir / "html" / "extruct"
    expected = _extruct_to_ld(json.loads((folder / f"{name}.json").read_text()))
    got = microdata_items((folder / f"{name}.html").read_text())
    _subset(expected, got)


def _events(doc: Document, extractor: Any) -> list[Event]:
    return list(extractor.extract(doc, ExtractContext("UTC", *WIDE)))


def test_extruct_events(corpus_dir: Path) -> None:
    folder = corpus_dir / "html" / "extruct"
    [heat] = _events(_doc(folder / "Event.001.html"), MicrodataExtractor())
    assert heat.title == "Miami Heat at Philadelphia 76ers - Game 3 (Home Game 1)"
    assert heat.start.replace(tzinfo=None).isoformat() == "2016-04-21T20:00:00"
    assert heat.price_min == 35.0
    [typhoon] = _events(_doc(folder / "Event.003.html"), MicrodataExtractor())
    assert (typhoon.venue, typhoon.city, typhoon.address) == (
        "The Hi-Dive",
        "Denver",
        "7 S. Broadway, Denver, CO 80209",
    )
    assert (typhoon.price_min, typhoon.currency, typhoon.status) == (13.0, "USD", "scheduled")
    [cancelled] = _events(_doc(folder / "Event.004.html"), MicrodataExtractor())
    assert cancelled.status == "cancelled"
    [caesar] = _events(_doc(folder / "Event.008.html"), MicrodataExtractor())
    assert caesar.title == "Julius Caesar at Shakespeare's Globe"
    assert caesar.event_type == "performance"  # a TheaterEvent
    assert caesar.start.replace(tzinfo=None).isoformat() == "2014-10-01T19:30:00"


TWINS = [
    "eg-0012",
    "eg-0171",
    "eg-0173",
    "eg-0189",
    "eg-0190",
    "eg-0426",
    "eg-0436",
    "eg-0461",
    "eg-4468b",
]


@pytest.mark.parametrize("name", TWINS)
def test_microdata_and_jsonld_variants_give_the_same_events(corpus_dir: Path, name: str) -> None:
    folder = corpus_dir / "html" / "schemaorg"
    micro = _doc(folder / f"{name}.microdata.html")
    assert MicrodataExtractor().accepts(micro)
    from_micro = _events(micro, MicrodataExtractor())
    from_ld = _events(_doc(folder / f"{name}.jsonld.html"), JsonLdExtractor())
    # Titles are not compared: upstream's variants differ there (eg-0426 "The 2016 ...").
    assert [(e.start, e.end, e.status, e.all_day) for e in from_micro] == [
        (e.start, e.end, e.status, e.all_day) for e in from_ld
    ]


def test_rescheduled_typhoon_only_in_microdata(corpus_dir: Path) -> None:
    [event] = _events(
        _doc(corpus_dir / "html/schemaorg/eg-0172.microdata.html"), MicrodataExtractor()
    )
    assert (event.title, event.status) == ("Typhoon with Radiation City", "rescheduled")
    assert event.start.replace(tzinfo=None).isoformat() == "2013-10-12T22:00:00"


def test_pages_with_jsonld_or_without_event_microdata_are_not_ours(corpus_dir: Path) -> None:
    assert not MicrodataExtractor().accepts(_doc(corpus_dir / "html/schemaorg/eg-0012.jsonld.html"))
    assert not MicrodataExtractor().accepts(
        _html('<div itemscope itemtype="https://schema.org/Person">')
    )


def test_bad_items_are_reported_and_good_ones_kept() -> None:
    page = """<div itemscope itemtype="https://schema.org/DanceEvent">
      <span itemprop="name">Lindy Exchange</span><time itemprop="startDate" datetime="2026-12-05T20:00">Dec 5</time></div>
    <div itemscope itemtype="https://schema.org/DanceEvent"><span itemprop="name">No date</span></div>"""
    context = ExtractContext("Europe/London", *WIDE)
    [event] = MicrodataExtractor().extract(_html(page), context)
    assert event.start.isoformat() == "2026-12-05T20:00:00+00:00"
    assert [p.reason for p in context.problems] == [
        "microdata event 2 'No date': startDate is missing"
    ]
    with pytest.raises(ExtractError, match="types found: Person"):
        MicrodataExtractor().extract(
            _html('<p itemscope itemtype="https://schema.org/Person">x</p>'), context
        )


def test_event_schedule_in_microdata_with_text_values() -> None:
    page = """<div itemscope itemtype="https://schema.org/DanceEvent"><span itemprop="name">Tuesday Salsa</span>
    <div itemprop="eventSchedule" itemscope itemtype="https://schema.org/Schedule">
      <meta itemprop="byDay" content="https://schema.org/Tuesday"><meta itemprop="repeatFrequency" content="P1W">
      <meta itemprop="startTime" content="20:00"><meta itemprop="endTime" content="23:00">
      <meta itemprop="repeatCount" content="3"><meta itemprop="startDate" content="2026-12-01">
      <meta itemprop="scheduleTimezone" content="Europe/Paris"></div></div>"""
    events = MicrodataExtractor().extract(
        _html(page), ExtractContext("UTC", date(2026, 12, 1), date(2026, 12, 31))
    )
    assert [(e.start.isoformat(), e.timezone) for e in events] == [
        ("2026-12-01T20:00:00+01:00", "Europe/Paris"),
        ("2026-12-08T20:00:00+01:00", "Europe/Paris"),
        ("2026-12-15T20:00:00+01:00", "Europe/Paris"),
    ]


_FRAGMENTS = st.sampled_from(
    [
        '<div itemscope itemtype="https://schema.org/Event">',
        "</div>",
        '<span itemprop="name">',
        "</span>",
        '<meta itemprop="startDate" content="2026-12-01T20:00">',
        '<time itemprop="endDate" datetime="yesterday">',
        '<div itemprop="location" itemscope>',
        '<a itemprop="url" href="/e/1">',
        '<span itemprop="offers">$10</span>',
        "<table><tr><td>",
        '<div itemprop="eventSchedule" itemscope itemtype="https://schema.org/Schedule">',
        '<meta itemprop="byDay" content="Tuesday">',
        '<meta itemprop="repeatFrequency" content="P1W">',
        "<!--",
        "<script>",
        "&amp;",
        "\x00",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_FRAGMENTS, st.text(max_size=20)), max_size=40))
def test_fuzz_only_extract_errors_escape(parts: list[str]) -> None:
    doc = _html('<div itemscope itemtype="https://schema.org/Event">' + "".join(parts))
    try:
        events = MicrodataExtractor().extract(
            doc, ExtractContext("UTC", date(2026, 11, 1), date(2027, 1, 1))
        )
    except ExtractError:
        return
    assert all(isinstance(e, Event) for e in events)
