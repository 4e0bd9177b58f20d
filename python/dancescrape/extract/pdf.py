"""PDF schedules: month grids and dated lists, read from text with positions (pypdfium2).

Characters and their boxes are read page by page and joined into runs (`pdfgrid`). A
page laid out as a month grid is read cell by cell: the day number, the column's
weekday (checked against the date), the month from a label ("JUNE 27"), a page heading
("December 2026") or the weekdays themselves, and the year the document states. Within a
cell, the first line(s) in the title font are the title, a time ("8pm", "Show 7:15pm",
"9pm–1am") the start and end, the rest the description. Pages that are no grid are read
line by line as free text.

Every failure is a per-document `ExtractError` with its reason: not a PDF, encrypted,
corrupt, too many pages, or "no text layer" for a scanned PDF.
"""

from __future__ import annotations

import ctypes
import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any
from urllib.parse import urlparse

import pypdfium2 as pdfium  # type: ignore[import-untyped]
import pypdfium2.raw as pdfium_c  # type: ignore[import-untyped]

from dancescrape.errors import ExtractError
from dancescrape.extract.base import ExtractContext, Extractor, conclude
from dancescrape.extract.freetext import split_block
from dancescrape.extract.loose import LooseItem, NoWhen, events_from_loose, with_page_zone
from dancescrape.extract.pdfgrid import Cell, Char, Grid, Run, find_grid, runs_from_chars
from dancescrape.extract.textdates import TimeRange, When, find_times
from dancescrape.hookspecs import hookimpl
from dancescrape.model.document import Document
from dancescrape.model.event import Event

__all__ = ["MAX_CHARS", "MAX_PAGES", "PdfExtractor", "pdf_runs"]

#: A schedule is a few pages; more is a catalogue or an attack.
MAX_PAGES = 60
MAX_CHARS = 400_000
_YEAR = re.compile(r"\b((?:19|20)\d\d)\b")
_SHOW = re.compile(r"\b(show|doors|start|starts|concert|from)\b", re.I)
_VENUE_LINE = re.compile(r"^(?:@|at\s|venue:|where:)\s*(?P<venue>\S.*)$", re.I)
_DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _open(document: Document) -> Any:
    data = document.content
    if b"%PDF-" not in data[:1024]:
        raise ExtractError(document.url, "not a PDF: no %PDF- header")
    try:
        return pdfium.PdfDocument(data)
    except pdfium.PdfiumError as exc:
        text = str(exc).lower()
        if "password" in text or "security" in text:
            raise ExtractError(document.url, "encrypted PDF: it needs a password") from None
        raise ExtractError(document.url, f"corrupt or truncated PDF ({exc})") from None


def _font(textpage: Any, index: int, buffer: ctypes.Array[ctypes.c_char]) -> str:
    """Font name and weight of one character: titles and body text differ in them."""
    flags = ctypes.c_int()
    size = int(
        pdfium_c.FPDFText_GetFontInfo(textpage.raw, index, buffer, len(buffer), ctypes.byref(flags))
    )
    weight = int(pdfium_c.FPDFText_GetFontWeight(textpage.raw, index))
    name = buffer.raw[: max(min(size, len(buffer)) - 1, 0)].decode("latin-1", "replace")
    return f"{name}/{weight}"


def pdf_runs(document: Document) -> list[list[Run]]:
    """The text runs of every page, or `ExtractError` for an unreadable PDF."""
    pdf = _open(document)
    try:
        pages = len(pdf)
        if pages == 0:
            raise ExtractError(document.url, "the PDF has no pages")
        if pages > MAX_PAGES:
            raise ExtractError(
                document.url, f"PDF of {pages} pages exceeds the {MAX_PAGES}-page limit"
            )
        buffer = ctypes.create_string_buffer(128)
        out: list[list[Run]] = []
        total = 0
        for number in range(pages):
            try:
                page = pdf[number]
                textpage = page.get_textpage()
            except pdfium.PdfiumError as exc:
                raise ExtractError(
                    document.url, f"corrupt PDF: page {number + 1} cannot be read ({exc})"
                ) from None
            count = textpage.count_chars()
            total += max(count, 0)
            if total > MAX_CHARS:
                raise ExtractError(
                    document.url, f"PDF text exceeds {MAX_CHARS} characters; not a schedule"
                )
            text = textpage.get_text_range(0, count) if count > 0 else ""
            chars = []
            last_font = ""
            for index in range(min(count, len(text))):
                ch = text[index]
                box = textpage.get_charbox(index)
                if not ch.isspace():
                    last_font = _font(textpage, index, buffer)
                left, bottom, right, top = (float(v) for v in box)
                chars.append(Char(ch, left, bottom, right, top, last_font))
            out.append(runs_from_chars(chars))
            textpage.close()
            page.close()
    finally:
        pdf.close()
    if not any(out):
        raise ExtractError(document.url, "no text layer: a scanned PDF needs OCR first")
    return out


@dataclass(slots=True)
class _Segment:
    title: list[str]
    body: list[str]
    times: list[tuple[str, TimeRange]]
    body_fonts: list[str] = field(default_factory=list)


def _lines(runs: list[Run]) -> list[tuple[str, str]]:
    """(text, font) per visual line, top to bottom, runs on one line joined."""
    lines: list[tuple[str, str, float, float]] = []
    for run in runs:
        if lines and abs(lines[-1][2] - run.top) < 0.5 * run.height:
            text, font, top, bottom = lines[-1]
            lines[-1] = (f"{text} {run.text}", font, top, bottom)
        else:
            lines.append((run.text, run.font, run.top, run.bottom))
    return [(re.sub(r"\s+", " ", t).strip(), f) for t, f, _, _ in lines]


def _segments(runs: list[Run]) -> list[_Segment]:
    """Split one cell into events: a new one starts with a title line after a time line."""
    segments: list[_Segment] = []
    current: _Segment | None = None
    title_font = ""
    previous_was_time = False
    for text, font in _lines(runs):
        times = find_times(text)
        if current is None or (previous_was_time and not times and font == title_font):
            current = _Segment([], [], [])
            segments.append(current)
            title_font = font
        if times:
            current.times.append((text, times[0]))
            rest = split_block(text)[0]
            if rest and not current.title and not _SHOW.search(text):
                current.title.append(rest)  # "Salsa Social 9pm–1am" on one line
        elif font == title_font and not (current.body or current.times) and len(current.title) < 3:
            current.title.append(text)
        else:
            current.body.append(text)
            current.body_fonts.append(font)
        previous_was_time = bool(times)
    for segment in segments:
        # A banner such as "SPECIAL EVENT" over the performer's name is a note, not the
        # title; the name below it is set apart from the description by its font.
        body, fonts = segment.body, segment.body_fonts
        banner = len(segment.title) == 1 and segment.title[0].isupper() and body
        if banner and (len(body) == 1 or fonts[0] != fonts[1]):
            segment.title, segment.body = [body[0]], [segment.title[0], *body[1:]]
    return [s for s in segments if s.title or s.times]


def _join_title(lines: list[str]) -> str:
    return re.sub(r"\s+", " ", " ".join(lines)).strip(" ,;:-–—")


def _pick_time(times: list[tuple[str, TimeRange]]) -> tuple[TimeRange, list[str]]:
    """The event's time (a "Show" time over others) and the other time lines as notes."""
    chosen = next((t for t in times if _SHOW.search(t[0])), times[0])
    notes = [line for line, _ in times if line != chosen[0]]
    return chosen[1], notes


def _walk(cells: list[Cell], start_month: int, year: int) -> list[date | None]:
    month, current_year = start_month, year
    out: list[date | None] = []
    previous: int | None = None
    for cell in cells:
        if cell.month_label is not None:
            if cell.month_label < month - 6:
                current_year += 1
            month = cell.month_label
        elif previous is not None and cell.day < previous:
            month += 1
            if month == 13:
                month, current_year = 1, current_year + 1
        previous = cell.day
        try:
            out.append(date(current_year, month, cell.day))
        except ValueError:
            out.append(None)
    return out


def _assign_dates(grid: Grid, year: int) -> str | None:
    """Give every cell its date; a reason when the month cannot be settled."""
    cells = grid.cells
    year = grid.heading_year or year
    candidates: list[tuple[int, int]]
    if cells[0].month_label is not None:
        candidates = [(cells[0].month_label, year)]
    elif grid.heading_month is not None:
        # The first row may hold the last days of the month before the heading's.
        month = grid.heading_month
        candidates = [(month, year), (month - 1, year) if month > 1 else (12, year - 1)]
    elif any(c.month_label for c in cells) or grid.weekdays:
        candidates = [(m, year) for m in range(1, 13)]
    else:
        return "the grid names no month and no weekdays"

    def score(dates: list[date | None]) -> int:
        return sum(
            1
            for cell, day in zip(cells, dates, strict=True)
            if day is not None
            and (cell.column not in grid.weekdays or day.weekday() == grid.weekdays[cell.column])
        )

    best = max((_walk(cells, m, y) for m, y in candidates), key=score)
    if grid.weekdays and score(best) < 0.8 * len(cells):
        return "no month makes the day numbers agree with the weekday columns"
    for cell, day in zip(cells, best, strict=True):
        cell.when = day
    return None


class PdfExtractor(Extractor):
    """Month-grid and list schedules in PDFs with a text layer."""

    name = "pdf"
    priority = 30

    def accepts(self, document: Document) -> bool:
        if document.media_type == "application/pdf":
            return True
        if urlparse(document.url).path.lower().endswith(".pdf"):
            return True
        return document.content[:5] == b"%PDF-"

    def extract(self, document: Document, context: ExtractContext) -> list[Event]:
        pages = pdf_runs(document)
        all_text = " ".join(r.text for page in pages for r in page)
        years = Counter(int(y) for y in _YEAR.findall(all_text))
        year = years.most_common(1)[0][0] if years else context.window_start.year
        context = with_page_zone(document, context, all_text)
        events: list[Event] = []
        problems: list[str] = []
        found = 0
        for number, runs in enumerate(pages, 1):
            grid = find_grid(runs)
            in_grid = 0
            if grid is not None:
                in_grid = self._grid(grid, number, year, document, context, events, problems)
            if in_grid == 0:  # no grid, or one whose days could not be dated: read lines
                in_grid = self._lines(runs, number, year, document, context, events, problems)
            found += in_grid
        return conclude(
            document,
            context,
            events,
            problems,
            found,
            "no events: no dated schedule found in the PDF's text",
        )

    def _grid(
        self,
        grid: Grid,
        page: int,
        year: int,
        document: Document,
        context: ExtractContext,
        events: list[Event],
        problems: list[str],
    ) -> int:
        reason = _assign_dates(grid, year)
        if reason:
            problems.append(f"page {page}: {reason}")
            return 0
        for run in grid.unplaced:
            problems.append(
                f"page {page}: could not place {run.text!r}: no day number for its cell"
            )
        found = 0
        for cell in grid.cells:
            if cell.when is None:
                problems.append(f"page {page}: day {cell.day} is not a real date in its month")
                continue
            weekday = grid.weekdays.get(cell.column)
            if weekday is not None and cell.when.weekday() != weekday:
                problems.append(
                    f"page {page}: {cell.when.isoformat()} sits under {_DAY_NAMES[weekday]} "
                    f"but is a {_DAY_NAMES[cell.when.weekday()]}"
                )
                continue
            where = f"page {page}, {cell.when.isoformat()}"
            for segment in _segments(cell.runs):
                title = _join_title(segment.title)
                if not segment.times:
                    problems.append(f"{where}: no time for {title!r}")
                    continue
                times, notes = _pick_time(segment.times)
                venues = [m["venue"] for line in segment.body if (m := _VENUE_LINE.match(line))]
                body = [line for line in segment.body if not _VENUE_LINE.match(line)]
                item = LooseItem(
                    title=title or None,
                    when=cell.when.isoformat(),
                    venue=venues[0] if venues else None,
                    description=" ".join([*body, *notes]) or None,
                )
                when = When([cell.when], None, times)
                try:
                    events.extend(events_from_loose(item, document, context, when=when))
                    found += 1
                except ValueError as exc:
                    problems.append(f"{where}: {exc}")
        return found

    def _lines(
        self,
        runs: list[Run],
        page: int,
        year: int,
        document: Document,
        context: ExtractContext,
        events: list[Event],
        problems: list[str],
    ) -> int:
        found = 0
        reference = date(year, 7, 1) if year != context.window_start.year else context.window_start
        years = (year, year + 1)  # a December schedule may run into January
        for number, (text, _) in enumerate(_lines(sorted(runs, key=lambda r: (-r.top, r.left))), 1):
            title, venue, price = split_block(text)
            item = LooseItem(title=title, when=text, venue=venue, price=price)
            try:
                events.extend(
                    events_from_loose(item, document, context, reference=reference, years=years)
                )
                found += 1
            except NoWhen:
                continue
            except ValueError as exc:
                problems.append(f"page {page}, line {number}: {exc}")
        return found


@hookimpl
def register_extractors(register: Callable[[type[Extractor]], None]) -> None:
    register(PdfExtractor)
