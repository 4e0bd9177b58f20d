"""Free-text pages: which extractor takes which page, dated lines, plain text, fuzzing."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dancescrape.errors import ExtractError
from dancescrape.extract.base import ExtractContext
from dancescrape.extract.freetext import FreeTextExtractor, split_block
from dancescrape.model.document import Document, Target
from dancescrape.model.event import Event
from dancescrape.plugins.host import PluginHost

SITES = Path(__file__).resolve().parent.parent / "fixtures" / "sites"
WINDOW = (date(2026, 12, 1), date(2026, 12, 31))


def _doc(
    text: str, media: str = "text/html; charset=utf-8", url: str = "https://studio.example/"
) -> Document:
    return Document(Target(url, "studio"), url, text.encode(), media, text=text)


def _chosen(document: Document) -> str | None:
    """The extractor the pipeline would pick: by priority, the first that accepts."""
    host = PluginHost(selection=[])
    host.load()
    ordered = sorted(
        host.extractors().values(), key=lambda r: (r.component.priority, r.component.name)
    )
    return next((r.component.name for r in ordered if r.component().accepts(document)), None)


@pytest.mark.parametrize(
    ("page", "media", "extractor"),
    [
        ("wp-salsa/events/index.html", "text/html", "jsonld"),
        ("tickets/madrid-bachata-festival.html", "text/html", "jsonld"),
        ("swing-microdata/index.html", "text/html", "microdata"),
        ("ritmo-table/schedule.html", "text/html", "freetext"),
        ("tango-ical/milongas.ics", "text/calendar", "ical"),
        ("tango-pdf/milonga-schedule.pdf", "application/pdf", "pdf"),
    ],
)
def test_each_page_goes_to_its_extractor(
    page: str, media: str, extractor: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.delenv("DANCESCRAPE_SITE_RULES", raising=False)
    path = SITES / page
    content = path.read_bytes()
    text = content.decode() if not page.endswith(".pdf") else None
    doc = Document(
        Target(f"https://x.example/{page}", "s"),
        f"https://x.example/{page}",
        content,
        media,
        text=text,
    )
    assert _chosen(doc) == extractor


def test_a_page_with_nothing_datable_stays_with_jsonld_for_its_error() -> None:
    assert _chosen(_doc("<html><body><h1>Our studio</h1></body></html>")) == "jsonld"


def test_dated_lines_and_recurring_phrases_in_lists() -> None:
    page = """<h1>Studio Ritmo</h1><ul>
      <li>Every Tuesday 8–11pm, Salsa Social at Studio Ritmo ($10)</li>
      <li>Sat, Dec 12, 2–5pm: Kizomba Workshop @ Alberta Rose Hall — €25</li>
      <li>Call us on Mondays.</li></ul>"""
    context = ExtractContext("Europe/Lisbon", *WINDOW)
    events = FreeTextExtractor().extract(_doc(page), context)
    assert [(e.title, e.venue, e.price, e.start.isoformat()) for e in events][:2] == [
        ("Salsa Social", "Studio Ritmo", "$10", "2026-12-01T20:00:00+00:00"),
        ("Salsa Social", "Studio Ritmo", "$10", "2026-12-08T20:00:00+00:00"),
    ]
    [workshop] = [e for e in events if "Kizomba" in e.title]
    assert (workshop.title, workshop.venue, workshop.price_min, workshop.currency) == (
        "Kizomba Workshop",
        "Alberta Rose Hall",
        25.0,
        "EUR",
    )
    assert workshop.end is not None and workshop.end.hour == 17
    assert len(events) == 5 + 1  # five Tuesdays in December 2026, one workshop


def test_plain_text_schedules() -> None:
    text = "Milonga schedule\nFri, Dec 4: Milonga La Ronda 9pm–1am\nSun, Dec 6: Práctica 6–8:30pm\n"
    events = FreeTextExtractor().extract(
        _doc(text, "text/plain"), ExtractContext("Europe/Berlin", *WINDOW)
    )
    assert [(e.title, e.start.isoformat()) for e in events] == [
        ("Milonga La Ronda", "2026-12-04T21:00:00+01:00"),
        ("Práctica", "2026-12-06T18:00:00+01:00"),
    ]


def test_the_zone_the_page_states_beats_the_run_default() -> None:
    page = (
        "<h2>Westie socials — all times PST</h2><p>Fri, Dec 4, 8pm–midnight: WCS Friday Dance</p>"
    )
    [event] = FreeTextExtractor().extract(_doc(page), ExtractContext("UTC", *WINDOW))
    assert (event.timezone, event.start.isoformat()) == (
        "America/Los_Angeles",
        "2026-12-04T20:00:00-08:00",
    )
    configured = Document(
        Target("https://s.example/", "s", "America/Denver"),
        "https://s.example/",
        page.encode(),
        "text/html",
        text=page,
    )
    [event] = FreeTextExtractor().extract(configured, ExtractContext("America/Denver", *WINDOW))
    assert event.timezone == "America/Denver"  # config wins over the page


def test_split_block() -> None:
    assert split_block("Every Tuesday 8–11pm, Salsa Social at Studio Ritmo ($10)") == (
        "Salsa Social",
        "Studio Ritmo",
        "$10",
    )


def test_no_schedule_is_a_document_error() -> None:
    with pytest.raises(ExtractError, match="no dated or recurring schedule"):
        FreeTextExtractor().extract(
            _doc("<p>Open 9:00 to 17:00, bring shoes</p>"), ExtractContext("UTC", *WINDOW)
        )


_PARTS = st.sampled_from(
    [
        "<table>",
        "</table>",
        "<tr>",
        "</tr>",
        "<th>When</th>",
        "<th>What</th>",
        "<td>",
        "</td>",
        "<li>",
        "</li>",
        "<p>",
        "</p>",
        "Every Tuesday",
        "8–11pm",
        "Sat, Dec 12",
        "1st Friday of the month",
        "Wed, Dec 9 2026",
        "Salsa",
        " at ",
        "$10",
        "Free",
        "2026",
        "<script>",
        "&nbsp;",
        "7/1/2026",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(_PARTS, st.text(max_size=15)), max_size=40))
def test_fuzz_only_extract_errors_escape(parts: list[str]) -> None:
    try:
        events = FreeTextExtractor().extract(
            _doc("".join(parts)), ExtractContext("America/Chicago", *WINDOW)
        )
    except ExtractError as exc:
        assert exc.reason
        return
    assert all(isinstance(e, Event) for e in events)
