"""schema.org Events in the real-world corpus: the expectations PROVENANCE.md states."""

from __future__ import annotations

import json
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dancescrape.errors import ExtractError
from dancescrape.extract.base import ExtractContext
from dancescrape.extract.jsonld import JsonLdExtractor
from dancescrape.model.document import Document, Target
from dancescrape.model.event import Event


def _events(
    path: Path,
    window: tuple[date, date] = (date(2000, 1, 1), date(2030, 12, 31)),
    zone: str = "UTC",
) -> list[Event]:
    text = path.read_text(encoding="utf-8")
    doc = Document(
        Target(path.as_uri(), "corpus"), path.as_uri(), text.encode(), "text/html", text=text
    )
    return JsonLdExtractor().extract(doc, ExtractContext(zone, *window))


@pytest.fixture(scope="module")
def schemaorg(corpus_dir: Path) -> Path:
    return corpus_dir / "html" / "schemaorg"


def _dated_nodes(schemaorg: Path) -> list[tuple[str, dict[str, Any]]]:
    listed = json.loads((schemaorg / "expected_events_from_jsonld.json").read_text())
    out = []
    for name, entry in sorted(listed.items()):
        if not isinstance(entry, dict):
            continue
        for event in entry.get("events", []):
            node = event["node"]
            if (
                isinstance(node.get("startDate"), str)
                and "eventSchedule" not in node
                and node.get("name")
            ):
                out.append((name, node))
    return out


def test_every_dated_event_node_is_found_at_its_instant(schemaorg: Path) -> None:
    nodes = _dated_nodes(schemaorg)
    assert len(nodes) >= 20
    for name, node in nodes:
        events = _events(schemaorg / f"{name}.jsonld.html")
        wanted = datetime.fromisoformat(node["startDate"].replace("Z", "+00:00"))
        matches = [e for e in events if e.title == " ".join(node["name"].split())]
        assert matches, f"{name}: {node['name']!r} not found"
        if len(node["startDate"]) == 10:  # a date: all day, from local midnight
            assert any(e.all_day and e.start.date() == wanted.date() for e in matches), name
        elif wanted.tzinfo is not None:
            assert any(e.start == wanted for e in matches), f"{name}: {[e.start for e in matches]}"
        else:  # no offset: the local wall time is what the page states
            assert any(e.start.replace(tzinfo=None) == wanted for e in matches), name


@pytest.mark.parametrize(
    ("name", "status"),
    [("eg-0171", "cancelled"), ("eg-0202", "rescheduled"), ("eg-0173", "scheduled")],
)
def test_statuses(schemaorg: Path, name: str, status: str) -> None:
    [event] = _events(schemaorg / f"{name}.jsonld.html")
    assert event.status == status


def test_two_bb_king_nights(schemaorg: Path) -> None:
    events = _events(schemaorg / "eg-0201.jsonld.html")
    assert [(e.title, e.start.date()) for e in events] == [
        ("B.B. King", date(2014, 4, 12)),
        ("B.B. King", date(2014, 4, 13)),
    ]


def test_series_in_three_script_blocks_and_nested_and_aliased(schemaorg: Path) -> None:
    olympics = _events(schemaorg / "eg-0313.jsonld.html")
    assert {e.title for e in olympics} >= {
        "The Rio 2016 Summer Olympics",
        "The London 2012 Summer Olympics",
    }
    [nested] = _events(schemaorg / "eg-0436.jsonld.html")  # inside a TouristAttraction
    assert nested.start.date() == date(2016, 9, 15)
    [aliased] = _events(schemaorg / "eg-4468a.jsonld.html")  # type/id instead of @type/@id
    assert aliased.start.isoformat() == "2026-04-28T19:00:00-04:00"
    [hybrid] = _events(schemaorg / "eg-0170.jsonld.html")  # [VirtualLocation, Place]
    assert hybrid.venue == "Snickerpark Stadium"


def test_defective_jsonld_without_event_is_an_error(schemaorg: Path) -> None:
    with pytest.raises(ExtractError, match=r"no schema\.org Event"):
        _events(schemaorg / "eg-0172.jsonld.html")


def test_weekly_schedule_through_2017(schemaorg: Path) -> None:
    events = _events(schemaorg / "eg-0240.jsonld.html", (date(2017, 1, 1), date(2017, 12, 31)))
    assert len(events) == 52
    assert events[0].start.isoformat() == "2017-01-04T19:00:00+00:00"
    assert events[-1].start.isoformat() == "2017-12-27T19:00:00+00:00"
    summer = [e for e in events if e.start.month == 7]
    assert all(e.start.utcoffset() == timedelta(hours=1) for e in summer)  # BST
    assert all(e.start.weekday() == 2 and e.end == e.start + timedelta(hours=1) for e in events)


def test_daily_schedule_with_repeat_count(schemaorg: Path) -> None:
    events = _events(schemaorg / "eg-0242.jsonld.html", (date(2016, 12, 1), date(2017, 2, 28)))
    assert [e.start.date() for e in events] == [
        date(2016, 12, 24) + timedelta(days=i) for i in range(10)
    ]
    assert all(e.start.hour == 9 and e.timezone == "Europe/London" for e in events)


def test_first_and_fifteenth(schemaorg: Path) -> None:
    events = _events(schemaorg / "eg-0241.jsonld.html", (date(2017, 1, 1), date(2017, 3, 31)))
    assert [e.start.day for e in events] == [1, 15, 1, 15, 1, 15]


def test_two_schedules(schemaorg: Path) -> None:
    events = _events(schemaorg / "eg-0243.jsonld.html", (date(2017, 1, 2), date(2017, 1, 8)))
    starts = {e.start.date() for e in events}
    assert {date(2017, 1, d) for d in range(2, 7)} <= starts  # the weekday schedule


def test_second_monday_monthly(schemaorg: Path) -> None:
    events = _events(schemaorg / "eg-0244.jsonld.html", (date(2017, 1, 1), date(2017, 6, 30)))
    assert [e.start.date() for e in events] == [
        date(2017, 1, 9),
        date(2017, 2, 13),
        date(2017, 3, 13),
        date(2017, 4, 10),
        date(2017, 5, 8),
        date(2017, 6, 12),
    ]


def test_first_and_third_wednesdays_without_zone(schemaorg: Path) -> None:
    events = _events(
        schemaorg / "eg-0303.jsonld.html", (date(2017, 1, 1), date(2017, 2, 28)), "America/Chicago"
    )
    assert [e.start.date() for e in events] == [
        date(2017, 1, 4),
        date(2017, 1, 18),
        date(2017, 2, 1),
        date(2017, 2, 15),
    ]
    assert all(e.start.hour == 20 and e.timezone == "America/Chicago" for e in events)


@pytest.mark.parametrize(
    ("page", "title", "start", "venue"),
    [
        (
            "elysian_fields_brooklyn_owl_music_parlor_2015-10-31.html",
            "Elysian Fields",
            "2015-10-31T19:30:00-04:00",
            "The Owl Music Parlor",
        ),
        (
            "tovestyrke.html",
            "Tove Styrke",
            "2017-06-12T20:00:00+01:00",
            "Hoxton Square Bar & Kitchen",
        ),
    ],
)
def test_real_concert_pages(
    corpus_dir: Path, page: str, title: str, start: str, venue: str
) -> None:
    events = _events(corpus_dir / "html" / "extruct" / page)
    [event] = [e for e in events if e.title == title]
    assert event.start == datetime.fromisoformat(start)
    assert event.venue == venue


def test_tour_dates_soft_check(corpus_dir: Path) -> None:
    events = _events(
        corpus_dir / "html" / "extruct" / "years_and_years_tour_dates_2015.legacy.html"
    )
    days = sorted(e.start.date() for e in events)
    assert len(events) == 13
    assert days[0] == date(2015, 10, 21) and days[-1] == date(2015, 11, 16)


_JSON = st.recursive(
    st.none()
    | st.booleans()
    | st.integers(-5, 40)
    | st.floats(allow_nan=False)
    | st.sampled_from(
        [
            "",
            "2026-12-05",
            "2026-12-05T20:00",
            "P1W",
            "P1M",
            "Tuesday",
            "2MO",
            "20:00",
            "https://schema.org/EventCancelled",
            "Free",
            "$15",
            "EUR",
            "x",
        ]
    ),
    lambda inner: (
        st.lists(inner, max_size=3)
        | st.dictionaries(
            st.sampled_from(
                [
                    "@type",
                    "name",
                    "startDate",
                    "endDate",
                    "location",
                    "address",
                    "offers",
                    "price",
                    "priceCurrency",
                    "lowPrice",
                    "eventSchedule",
                    "byDay",
                    "byMonthDay",
                    "byMonthWeek",
                    "repeatFrequency",
                    "repeatCount",
                    "startTime",
                    "endTime",
                    "scheduleTimezone",
                    "exceptDate",
                    "eventStatus",
                    "organizer",
                    "geo",
                    "latitude",
                    "url",
                    "@id",
                    "subEvent",
                    "description",
                ]
            ),
            inner,
            max_size=6,
        )
    ),
    max_leaves=25,
)


_SCHEDULE = st.dictionaries(
    st.sampled_from(
        [
            "byDay",
            "byMonthDay",
            "byMonthWeek",
            "repeatFrequency",
            "repeatCount",
            "startTime",
            "endTime",
            "scheduleTimezone",
            "exceptDate",
            "startDate",
            "endDate",
        ]
    ),
    _JSON,
    max_size=6,
)


@settings(max_examples=300, deadline=None)
@given(_SCHEDULE)
def test_fuzz_event_schedules_only_extract_errors_escape(schedule: dict[str, Any]) -> None:
    item = {"@type": "DanceEvent", "name": "Salsa", "eventSchedule": schedule}
    text = f'<script type="application/ld+json">{json.dumps(item)}</script>'
    doc = Document(
        Target("https://x.example/", "x"),
        "https://x.example/",
        text.encode(),
        "text/html",
        text=text,
    )
    try:
        events = JsonLdExtractor().extract(
            doc, ExtractContext("UTC", date(2026, 12, 1), date(2027, 1, 31))
        )
    except ExtractError as exc:
        assert exc.reason
        return
    assert all(isinstance(e, Event) for e in events)


@settings(max_examples=300, deadline=None)
@given(
    st.dictionaries(
        st.sampled_from(
            [
                "name",
                "startDate",
                "endDate",
                "location",
                "offers",
                "eventSchedule",
                "eventStatus",
                "organizer",
                "url",
                "@id",
                "description",
            ]
        ),
        _JSON,
        max_size=8,
    )
)
def test_fuzz_schemaorg_items_only_extract_errors_escape(fields: dict[str, Any]) -> None:
    item = {"@context": "https://schema.org", "@type": "DanceEvent", **fields}
    text = f'<script type="application/ld+json">{json.dumps(item)}</script>'
    doc = Document(
        Target("https://x.example/", "x"),
        "https://x.example/",
        text.encode(),
        "text/html",
        text=text,
    )
    context = ExtractContext("Europe/Berlin", date(2026, 12, 1), date(2027, 1, 31))
    try:
        events = JsonLdExtractor().extract(doc, context)
    except ExtractError as exc:
        assert exc.reason
        return
    assert all(isinstance(e, Event) for e in events)


@pytest.mark.parametrize(
    ("schedule", "reason"),
    [
        ({"byMonthDay": [None]}, "byMonthDay must hold whole numbers from 1 to 31, got None"),
        ({"byDay": "Tuesday", "byMonthWeek": [[1]]}, "byMonthWeek must hold whole numbers"),
        (
            {"byDay": "Tuesday", "byMonthWeek": [9]},
            "byMonthWeek must hold whole numbers from 1 to 5, got 9",
        ),
        ({"repeatCount": True}, "repeatCount must be a positive whole number"),
        ({"byDay": "Funday"}, "byDay 'Funday' is not a day of the week"),
    ],
)
def test_bad_schedules_are_reported_by_field(schedule: dict[str, Any], reason: str) -> None:
    item = {"@type": "DanceEvent", "name": "Salsa", "eventSchedule": schedule}
    text = f'<script type="application/ld+json">{json.dumps(item)}</script>'
    doc = Document(
        Target("https://x.example/", "x"),
        "https://x.example/",
        text.encode(),
        "text/html",
        text=text,
    )
    with pytest.raises(ExtractError, match="eventSchedule") as caught:
        JsonLdExtractor().extract(doc, ExtractContext("UTC", date(2026, 12, 1), date(2027, 1, 31)))
    assert reason in caught.value.reason
