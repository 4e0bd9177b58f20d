"""PDF schedules: the real month grid, generated fixtures, bad PDFs and fuzzing."""

from __future__ import annotations

import importlib.util
import tempfile
from datetime import date, datetime, time
from pathlib import Path
from types import ModuleType
from zoneinfo import ZoneInfo

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from dancescrape.errors import ExtractError
from dancescrape.extract.base import ExtractContext
from dancescrape.extract.pdf import MAX_PAGES, PdfExtractor
from dancescrape.extract.pdfgrid import Run, find_grid
from dancescrape.model.document import Document, Target
from dancescrape.model.event import Event

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "sites" / "tango-pdf"
WIDE = (date(2000, 1, 1), date(2030, 12, 31))


def _maker() -> ModuleType:
    spec = importlib.util.spec_from_file_location("make_pdfs", FIXTURES / "make_pdfs.py")
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def _doc(
    content: bytes,
    url: str = "https://club.example/schedule.pdf",
    zone: str | None = "Europe/Berlin",
) -> Document:
    return Document(Target(url, "club", zone), url, content, "application/pdf")


def _extract(doc: Document, window: tuple[date, date] = WIDE) -> tuple[list[Event], ExtractContext]:
    context = ExtractContext("UTC", *window)
    return PdfExtractor().extract(doc, context), context


def test_committed_fixtures_match_their_generator(tmp_path: Path) -> None:
    built = _maker().build(tmp_path)
    for name, content in built.items():
        assert (FIXTURES / name).read_bytes() == content, f"{name} is stale: run make_pdfs.py"


def test_accepts_pdfs_only() -> None:
    extractor = PdfExtractor()
    assert extractor.accepts(_doc(b"%PDF-1.4", "https://a.example/x"))
    assert extractor.accepts(
        Document(Target("https://a.example/m.PDF", "s"), "https://a.example/m.PDF", b"", "")
    )
    assert extractor.accepts(Document(Target("file:///x", "s"), "file:///x", b"%PDF-1.7\n", ""))
    assert not extractor.accepts(
        Document(Target("https://a.example/", "s"), "https://a.example/", b"<html>", "text/html")
    )


@pytest.fixture(scope="module")
def garden(corpus_dir: Path) -> tuple[list[Event], ExtractContext]:
    path = corpus_dir / "garden-summer-entertainment-2025.pdf"
    doc = Document(
        Target(path.as_uri(), "garden", "America/Vancouver"),
        path.as_uri(),
        path.read_bytes(),
        "application/pdf",
    )
    return _extract(doc)


def test_real_month_grid_finds_most_performances(
    garden: tuple[list[Event], ExtractContext],
) -> None:
    events, _ = garden
    # Two pages of Wednesday–Sunday grids: 23 + 24 day cells with a performance each, less
    # a few the layout leaves ambiguous.
    assert len(events) >= 40
    assert all(e.start.year == 2025 and e.timezone == "America/Vancouver" for e in events)
    # The grid has Wednesday to Sunday columns only: every date must fall on one of them.
    assert all(e.start.weekday() >= 2 for e in events)
    assert len({e.start.date() for e in events}) == len(events)


@pytest.mark.parametrize(
    ("day", "title", "clock"),
    [
        (date(2025, 6, 28), "The Chuckleberries", time(19, 15)),  # "Show 7:15pm", fireworks later
        (date(2025, 7, 2), "Chris Millington Band", time(20)),
        (date(2025, 7, 5), "Tropic Mayhem", time(19)),
        (date(2025, 7, 30), "Lloyd Spiegel", time(20)),  # "JULY 30" on the August page
        (date(2025, 8, 1), "Tio Corinho & Flavia", time(19, 30)),
        (date(2025, 8, 30), "Backbeat", time(17, 45)),
        (date(2025, 8, 13), "The Jim Cuddy Band", time(19, 30)),  # under a "SPECIAL EVENT" banner
        (date(2025, 8, 28), "KSAR", time(19, 30)),  # an all-caps name is no banner
    ],
)
def test_real_grid_cells(
    garden: tuple[list[Event], ExtractContext], day: date, title: str, clock: time
) -> None:
    events, _ = garden
    [event] = [e for e in events if e.start.date() == day]
    assert event.title == title
    assert event.start.timetz().replace(tzinfo=None) == clock
    assert event.start.utcoffset() == ZoneInfo("America/Vancouver").utcoffset(
        event.start.replace(tzinfo=None)
    )


def test_real_grid_says_what_it_could_not_place(garden: tuple[list[Event], ExtractContext]) -> None:
    _, context = garden
    reasons = [p.reason for p in context.problems]
    assert reasons and all("could not place" in r or "no time" in r for r in reasons)
    assert any("'Conor Mallon'" in r for r in reasons)  # 31 August has no day number


def test_fireworks_times_stay_in_the_description(
    garden: tuple[list[Event], ExtractContext],
) -> None:
    events, _ = garden
    [event] = [e for e in events if e.start.date() == date(2025, 6, 28)]
    assert event.description is not None and "Fireworks 10:15pm" in event.description


def test_generated_grid_two_pages_two_events_in_one_cell() -> None:
    events, context = _extract(_doc((FIXTURES / "milonga-schedule.pdf").read_bytes()))
    on_12th = [
        (e.title, e.start.isoformat(), e.end.isoformat() if e.end else None)
        for e in events
        if e.start.date() == date(2026, 12, 12)
    ]
    assert on_12th == [
        ("Vals Workshop", "2026-12-12T15:00:00+01:00", "2026-12-12T17:00:00+01:00"),
        ("Milonga de Gala", "2026-12-12T21:00:00+01:00", "2026-12-13T02:00:00+01:00"),
    ]
    assert [e.start.date() for e in events if e.start.year == 2027] == [
        date(2027, 1, 9),
        date(2027, 1, 17),
        date(2027, 1, 30),
    ]
    assert [p.reason for p in context.problems] == ["page 1, 2026-12-24: no time for 'CLOSED'"]


def test_list_pdf_checks_weekdays_against_the_stated_year() -> None:
    events, context = _extract(_doc((FIXTURES / "festival-flyer.pdf").read_bytes()))
    assert [(e.title, e.start.isoformat()) for e in events] == [
        ("Opening Milonga", "2027-02-12T21:00:00+01:00"),
        ("Technique Workshops", "2027-02-13T11:00:00+01:00"),
        ("Farewell Milonga", "2027-02-14T19:00:00+01:00"),
    ]
    assert [p.reason for p in context.problems] == [
        "page 1, line 6: 'Mon, Feb 16': no year 2027/2028 puts it on a Monday"
    ]


@pytest.mark.parametrize(
    ("content", "reason"),
    [
        ((FIXTURES / "scanned.pdf").read_bytes(), "no text layer"),
        ((FIXTURES / "encrypted.pdf").read_bytes(), "encrypted PDF"),
        ((FIXTURES / "milonga-schedule.pdf").read_bytes()[:900], "corrupt or truncated PDF"),
        (b"<html>not a pdf</html>", "not a PDF"),
    ],
)
def test_bad_pdfs_are_document_errors_with_reasons(content: bytes, reason: str) -> None:
    with pytest.raises(ExtractError, match=reason):
        _extract(_doc(content))


def test_too_many_pages(tmp_path: Path) -> None:
    maker = _maker()
    path = tmp_path / "huge.pdf"
    maker.write_pdf(path, [maker.flyer_page()] * (MAX_PAGES + 1))
    with pytest.raises(ExtractError, match=f"exceeds the {MAX_PAGES}-page limit"):
        _extract(_doc(path.read_bytes()))


@settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.dates(date(2020, 1, 1), date(2035, 12, 31)),
    st.integers(13, 22),
    st.sampled_from([0, 15, 30]),
    st.sampled_from([0, 6]),
)
def test_any_month_grid_places_its_event(
    day: date, hour: int, minute: int, first_weekday: int
) -> None:
    """Monday-first (Europe) and Sunday-first (North America) grids of any month."""
    maker = _maker()
    clock = f"{hour - 12}:{minute:02d}pm" if minute else f"{hour - 12}pm"
    maker.CELLS = {day: [("B", 9, "Salsa Social"), ("R", 8, clock)]}
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "month.pdf"
        maker.write_pdf(path, [maker.month_page(day.year, day.month, first_weekday)])
        events, _ = _extract(
            _doc(path.read_bytes()), (date(day.year, 1, 1), date(day.year, 12, 31))
        )
    expected = datetime(day.year, day.month, day.day, hour, minute)
    assert [(e.title, e.start.replace(tzinfo=None)) for e in events] == [("Salsa Social", expected)]


@settings(max_examples=60, deadline=None)
@given(st.binary(max_size=600), st.integers(0, 5000))
def test_fuzz_only_extract_errors_escape(noise: bytes, cut: int) -> None:
    base = (FIXTURES / "milonga-schedule.pdf").read_bytes()
    mutated = base[:cut] + noise + base[cut + len(noise) :]
    try:
        events, _ = _extract(_doc(mutated))
    except ExtractError as exc:
        assert exc.reason
        return
    assert all(isinstance(e, Event) for e in events)


# Positions on a five-column grid most of the time, anywhere now and then.
_X = st.one_of(st.sampled_from([30.0, 180.0, 330.0, 480.0, 630.0]), st.floats(0, 800))
_Y = st.one_of(st.sampled_from([500.0, 420.0, 340.0, 260.0, 180.0, 470.0]), st.floats(0, 600))
_RUN_TEXT = st.sampled_from(
    [
        "1",
        "2",
        "15",
        "31",
        "32",
        "JUNE",
        "June 27",
        "Monday",
        "Sunday",
        "8pm",
        "Show 7:15pm",
        "Salsa",
        "December 2026",
        "0",
        "",
    ]
)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.tuples(_RUN_TEXT, _X, _Y, st.floats(1, 20)), max_size=80))
def test_fuzz_grid_finder_on_scattered_runs(items: list[tuple[str, float, float, float]]) -> None:
    runs = [
        Run(
            text or "x",
            x,
            y,
            x + 8 * max(len(text), 1),
            y + h,
            "F",
            [x + 8 * i for i in range(len(text) or 1)],
        )
        for text, x, y, h in items
    ]
    grid = find_grid(runs)
    event(f"grid found: {grid is not None}")
    if grid is not None:
        placed = sum(len(c.runs) for c in grid.cells) + len(grid.unplaced)
        assert placed <= len(runs)
        assert all(1 <= c.day <= 31 for c in grid.cells)


@settings(max_examples=100, deadline=None)
@given(
    st.integers(3, 6),
    st.integers(3, 7),
    st.integers(1, 5),
    st.floats(60, 160),
    st.floats(70, 120),
    st.lists(st.tuples(_RUN_TEXT, _X, _Y, st.floats(1, 20)), max_size=10),
)
def test_grid_of_day_numbers_is_found(
    rows: int,
    columns: int,
    first: int,
    width: float,
    height: float,
    noise: list[tuple[str, float, float, float]],
) -> None:
    runs = []
    for row in range(rows):
        for column in range(columns):
            day = str((first + row * columns + column - 1) % 28 + 1)
            x, y = 20 + column * width, 560 - row * height
            runs.append(
                Run(day, x, y, x + 6 * len(day), y + 10, "F", [x + 6 * i for i in range(len(day))])
            )
    grid = find_grid(runs)
    assert grid is not None
    assert [(c.row, c.column, c.day) for c in grid.cells] == [
        (r, c, (first + r * columns + c - 1) % 28 + 1) for r in range(rows) for c in range(columns)
    ]
    # Noise never breaks the finder, whatever it does to the result.
    noisy = runs + [Run(t or "x", x, y, x + 8, y + h, "F", [x]) for t, x, y, h in noise]
    find_grid(noisy)
