"""iCalendar feeds: the real-world corpus's stated expectations, bad input and fuzzing."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dancescrape.errors import ExtractError
from dancescrape.extract.base import ExtractContext
from dancescrape.extract.ical import IcalExtractor, repair_ical
from dancescrape.model.document import Document, Target
from dancescrape.model.event import Event

WIDE = (date(2000, 1, 1), date(2030, 12, 31))
SITES = Path(__file__).resolve().parent.parent / "fixtures" / "sites"


def _doc(
    content: bytes,
    url: str = "https://cal.example/feed.ics",
    zone: str | None = None,
    media: str = "text/calendar",
) -> Document:
    return Document(
        Target(url, "cal", zone),
        url,
        content,
        media,
        text=content.decode("utf-8", errors="replace"),
    )


def _run(
    doc: Document, zone: str = "America/Vancouver", window: tuple[date, date] = WIDE
) -> tuple[list[Event], ExtractContext]:
    context = ExtractContext(zone, *window)
    return IcalExtractor().extract(doc, context), context


def _corpus(corpus_dir: Path, name: str) -> Document:
    path = corpus_dir / "ics" / name
    return _doc(path.read_bytes(), path.as_uri(), media="")


def test_accepts_by_type_suffix_scheme_and_peek() -> None:
    extractor = IcalExtractor()
    assert extractor.accepts(_doc(b"x", "https://a.example/x", media="text/calendar"))
    assert extractor.accepts(_doc(b"x", "https://a.example/cal.ics?x=1", media="text/plain"))
    assert extractor.accepts(_doc(b"x", "webcal://a.example/cal", media=""))
    assert extractor.accepts(
        _doc(b"\xef\xbb\xbfBEGIN:VCALENDAR\r\n", "https://a.example/f", media="")
    )
    assert not extractor.accepts(_doc(b"<html>", "https://a.example/f.html", media="text/html"))


def test_apple_event_with_us_pacific(corpus_dir: Path) -> None:
    events, _ = _run(_corpus(corpus_dir, "calagator/ical_apple_v3.ics"))
    [event] = events
    assert event.title == "Coffee with Jason"
    assert event.start.isoformat() == "2010-04-08T00:00:00-07:00"
    assert event.end is not None and event.end.isoformat() == "2010-04-08T01:00:00-07:00"
    assert event.venue is None


def test_three_calendars_in_one_file(corpus_dir: Path) -> None:
    events, _ = _run(_corpus(corpus_dir, "calagator/ical_multiple_calendars.ics"))
    assert sorted(e.title for e in events) == [
        "Coffee with Jason",
        "Coffee with Kim",
        "Coffee with Mike",
    ]


def test_utc_times_with_x_wr_timezone_keep_their_instant(corpus_dir: Path) -> None:
    [event], _ = _run(_corpus(corpus_dir, "calagator/ical_z.ics"))
    assert event.start.astimezone(UTC) == datetime(2010, 7, 1, 8, tzinfo=UTC)
    assert event.end is not None and event.end.astimezone(UTC) == datetime(
        2010, 7, 1, 9, tzinfo=UTC
    )


def test_gmt_tzid_without_vtimezone_and_trimmed_summary(corpus_dir: Path) -> None:
    [event], _ = _run(_corpus(corpus_dir, "calagator/ical_gmt.ics"))
    assert event.title == "Time 0800-0900 GMT"
    assert event.start.astimezone(UTC) == datetime(2020, 5, 7, 8, tzinfo=UTC)
    assert event.end is not None and event.end.astimezone(UTC) == datetime(
        2020, 5, 7, 9, tzinfo=UTC
    )


def test_floating_start_with_duration(corpus_dir: Path) -> None:
    doc = _corpus(corpus_dir, "calagator/ical_basic_with_duration.ics")
    doc = Document(Target(doc.url, "cal", "Europe/Berlin"), doc.url, doc.content, "", text=doc.text)
    [event], _ = _run(doc)
    # Config names the zone, so it beats the feed's X-WR-TIMEZONE for floating times.
    assert event.start.isoformat() == "2010-04-08T00:00:00+02:00"
    assert event.timezone == "Europe/Berlin"
    assert event.end is not None and event.end - event.start == timedelta(hours=1)
    assert event.title  # the SUMMARY is empty; the event survives under a fallback title


def test_upcoming_export_every_vevent_with_a_venue(corpus_dir: Path) -> None:
    events, _ = _run(_corpus(corpus_dir, "calagator/ical_upcoming_many.ics"))
    uids = {(e.source_event_id or "").split("#")[0] for e in events}
    assert len(uids) == 20
    assert all(e.venue or e.address for e in events)


def test_exchange_spaced_byday_still_gives_weekdays(corpus_dir: Path) -> None:
    events, context = _run(_corpus(corpus_dir, "icalendar/issue_165_missing_event.ics"))
    assert {e.title for e in events} == {"Sprint 25 Daily Standup"}
    starts = [e.start.astimezone(UTC) for e in events]
    assert min(starts) == datetime(2015, 7, 3, 8, tzinfo=UTC)
    assert max(starts) <= datetime(2015, 7, 22, 8, tzinfo=UTC)
    assert all(s.weekday() < 5 for s in starts)
    # every weekday from Fri 3 July to Wed 22 July 2015
    assert len(starts) == 14
    assert any("BYDAY" in p.reason or "RRULE" in p.reason for p in context.problems)


def test_rdate_periods_with_windows_tzid(corpus_dir: Path) -> None:
    events, _ = _run(_corpus(corpus_dir, "icalendar/issue_156_RDATE_with_PERIOD_TZID_khal.ics"))
    assert len(events) == 19
    assert events[0].start.isoformat() == "2018-03-27T08:00:00-05:00"
    assert events[-1].start.isoformat() == "2018-07-31T08:00:00-05:00"
    assert all(e.start.weekday() == 1 and e.timezone == "America/Chicago" for e in events)
    assert all(e.end is not None and e.end - e.start == timedelta(hours=1) for e in events)


def test_rdate_periods_in_custom_vtimezone(corpus_dir: Path) -> None:
    events, _ = _run(_corpus(corpus_dir, "icalendar/issue_156_RDATE_with_PERIOD_TZID_khal_2.ics"))
    berlin = [e.start.astimezone(__import__("zoneinfo").ZoneInfo("Europe/Berlin")) for e in events]
    assert [(b.date().isoformat(), b.strftime("%H:%M")) for b in berlin] == [
        ("2021-11-01", "16:00"),
        ("2021-12-06", "16:00"),
        ("2022-01-03", "16:00"),
        ("2022-02-07", "16:00"),
    ]
    assert all(e.end is not None and e.end - e.start == timedelta(minutes=30) for e in events)


def test_custom_vtimezone_takes_the_configured_zone_when_its_rules_agree(corpus_dir: Path) -> None:
    doc = _corpus(corpus_dir, "icalendar/issue_165_missing_event.ics")
    doc = Document(Target(doc.url, "cal", "Europe/Berlin"), doc.url, doc.content, "", text=doc.text)
    events, _ = _run(doc)
    assert {e.timezone for e in events} == {"Europe/Berlin"}
    assert events[0].start.isoformat() == "2015-07-03T10:00:00+02:00"
    # Without config, no zone of the run agrees: the offset is kept honestly.
    events, _ = _run(_corpus(corpus_dir, "icalendar/issue_165_missing_event.ics"))
    assert {e.timezone for e in events} == {"Etc/GMT-2"}


def test_structured_location_feed_parses(corpus_dir: Path) -> None:
    events, _ = _run(
        _corpus(corpus_dir, "icalendar/x_location.ics"),
        window=(date(2016, 10, 1), date(2016, 12, 31)),
    )
    assert events and all(e.start.weekday() < 5 for e in events)


def test_empty_exdate_keeps_both_all_day_series_and_is_reported(corpus_dir: Path) -> None:
    events, context = _run(_corpus(corpus_dir, "icalendar/parsing_error.ics"))
    assert all(e.all_day for e in events)
    assert all(e.end is not None and e.end - e.start == timedelta(days=1) for e in events)
    by_title: dict[str, list[Event]] = {}
    for event in events:
        by_title.setdefault(event.title, []).append(event)
    assert sorted(by_title) == ["Perfectly OK event", "Wrong event"]
    # Daily 3–23 March 2008, minus the excluded 11 March.
    assert all(len(v) == 20 for v in by_title.values())
    assert any("EXDATE" in p.reason for p in context.problems)


FEED = """BEGIN:VCALENDAR
VERSION:2.0
BEGIN:VEVENT
UID:good
SUMMARY:Tango Práctica
DTSTART;TZID=Europe/Berlin:20261202T193000
DTEND;TZID=Europe/Berlin:20261202T220000
END:VEVENT
BEGIN:VEVENT
UID:bad-rule
SUMMARY:Broken series
DTSTART:20261203T200000
RRULE:FREQ=SOMETIMES
END:VEVENT
BEGIN:VEVENT
UID:bad-zone
SUMMARY:Mars milonga
DTSTART;TZID=Mars/Olympus:20261204T200000
END:VEVENT
END:VCALENDAR
"""


def test_invalid_rrule_and_unknown_tzid_cost_only_their_series() -> None:
    events, context = _run(_doc(FEED.encode()), window=(date(2026, 12, 1), date(2026, 12, 31)))
    assert [e.title for e in events] == ["Tango Práctica"]
    reasons = " | ".join(p.reason for p in context.problems)
    assert "'bad-rule'" in reasons and "RRULE" in reasons
    assert "'bad-zone'" in reasons and "unknown TZID 'Mars/Olympus'" in reasons


@pytest.mark.parametrize("frequency", ["SECONDLY", "MINUTELY", "HOURLY"])
def test_runaway_rules_are_refused_quickly(frequency: str) -> None:
    feed = FEED.replace("RRULE:FREQ=SOMETIMES", f"RRULE:FREQ={frequency}")
    events, context = _run(_doc(feed.encode()), window=(date(2026, 12, 1), date(2027, 3, 31)))
    assert "Tango Práctica" in [e.title for e in events]
    assert any(
        f"RRULE FREQ={frequency} is not a dance schedule" in p.reason for p in context.problems
    )


def test_an_event_already_running_when_the_window_opens_is_kept() -> None:
    feed = (SITES / "tango-ical" / "milongas.ics").read_bytes()
    events, _ = _run(_doc(feed), window=(date(2027, 3, 20), date(2027, 3, 26)))
    assert [(e.title, e.start.date()) for e in events] == [
        ("Milonga del Jueves", date(2027, 3, 25)),
        ("Berlin Tango Marathon", date(2027, 3, 19)),
    ]


def test_nothing_usable_is_a_document_error() -> None:
    with pytest.raises(ExtractError, match="no events"):
        _run(_doc(b"BEGIN:VCALENDAR\r\nVERSION:2.0\r\nEND:VCALENDAR\r\n"))
    with pytest.raises(ExtractError, match="BEGIN:VCALENDAR"):
        _run(_doc(b"<html>not a calendar</html>"))
    with pytest.raises(ExtractError, match="no usable events"):
        _run(_doc(FEED.replace("UID:good", "UID:g\nRRULE:FREQ=NEVER").encode()))


def test_repair_reports_what_it_changed() -> None:
    text, notes = repair_ical("RRULE:FREQ=WEEKLY;BYDAY=MO, TU\r\nEXDATE;VALUE=DATE:\r\n")
    assert "BYDAY=MO,TU" in text and "EXDATE" not in text
    assert len(notes) == 2


_LINES = st.sampled_from(
    [
        "BEGIN:VEVENT",
        "END:VEVENT",
        "UID:x",
        "SUMMARY:Salsa",
        "DTSTART:20261201T200000",
        "DTSTART;VALUE=DATE:20261201",
        "DTEND:20261201T230000",
        "RRULE:FREQ=WEEKLY;COUNT=3",
        "RRULE:FREQ=DAILY;UNTIL=2026",
        "EXDATE:20261208T200000",
        "RDATE:20261224T200000",
        "RECURRENCE-ID:20261208T200000",
        "DTSTART;TZID=Nowhere/Land:20261201T200000",
        "DURATION:PT1H",
        "DURATION:forever",
        "BEGIN:VTIMEZONE",
        "END:VTIMEZONE",
        "TZID:X",
        "STATUS:CANCELLED",
        "GEO:1;2",
        "GEO:north",
        "LOCATION:Hall, 1 Main St",
    ]
)


@settings(max_examples=150, deadline=None)
@given(st.lists(st.one_of(_LINES, st.text(max_size=30)), max_size=25))
def test_fuzz_only_extract_errors_escape(lines: list[str]) -> None:
    body = "\r\n".join(["BEGIN:VCALENDAR", *lines, "END:VCALENDAR"]).encode("utf-8", "replace")
    try:
        events, _ = _run(_doc(body), window=(date(2026, 11, 1), date(2027, 1, 31)))
    except ExtractError:
        return
    assert all(isinstance(e, Event) for e in events)


@settings(max_examples=100, deadline=None)
@given(st.binary(max_size=400))
def test_fuzz_bytes(data: bytes) -> None:
    try:
        events, context = _run(_doc(b"BEGIN:VCALENDAR\r\n" + data))
    except ExtractError as exc:
        assert exc.reason
        return
    assert all(isinstance(e, Event) for e in events)
    assert all(p.stage == "extract" for p in context.problems)
