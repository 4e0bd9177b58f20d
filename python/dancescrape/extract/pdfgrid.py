"""Rebuilding month grids from positioned text, independent of any PDF library.

Input is characters with their boxes (PDF points, y growing upwards) in content order.
They are joined into `Run`s (one line of one cell), then a month grid is recognised:
columns are x positions where small day numbers repeat, the weekday header names the
columns, and each day number owns the text below it down to the next row of numbers.
"""

from __future__ import annotations

import itertools
import re
from collections import Counter
from dataclasses import dataclass, field
from datetime import date

from dancescrape.extract.textdates import MONTHS, WEEKDAYS

__all__ = ["Cell", "Char", "Grid", "Run", "find_grid", "runs_from_chars"]

_DAY_NUMBER = re.compile(r"^(?:(?P<month>[A-Za-z]{3,9})\.?\s+)?(?P<day>[0-3]?\d)$")
_MONTH_WORD = re.compile(r"^(?P<month>[A-Za-z]{3,9})\.?$")
_WEEKDAY_WORD = re.compile(
    r"\b(mon|tue|wed|thu|fri|sat|sun)(?:day|sday|nesday|rsday|urday)?s?\b", re.I
)
_HEADING = re.compile(
    r"\b(?P<month>jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+(?P<year>(?:19|20)\d\d)\b",
    re.I,
)


@dataclass(slots=True, frozen=True)
class Char:
    """One character and its box; `font` tells title lines from body lines."""

    text: str
    left: float
    bottom: float
    right: float
    top: float
    font: str = ""


@dataclass(slots=True)
class Run:
    """Characters that read as one piece of one line."""

    text: str
    left: float
    bottom: float
    right: float
    top: float
    font: str = ""
    #: Left edge of every character of `text`, to place words inside a run.
    lefts: list[float] = field(default_factory=list)

    @property
    def height(self) -> float:
        return max(self.top - self.bottom, 1.0)

    @property
    def center_x(self) -> float:
        return (self.left + self.right) / 2


def _same_line(run: Run, char: Char) -> bool:
    middle = (char.bottom + char.top) / 2
    slack = 0.35 * run.height
    return run.bottom - slack <= middle <= run.top + slack


def runs_from_chars(chars: list[Char]) -> list[Run]:
    """Join characters into runs: a new run at a line break, a jump or a wide gap."""
    runs: list[Run] = []
    current: Run | None = None
    for char in chars:
        if char.text in ("\r", "\n", "\x02", "\ufffe"):
            current = None
            continue
        empty_box = char.right - char.left <= 0 and char.top - char.bottom <= 0
        if char.text.isspace() or empty_box:
            if current is not None and not current.text.endswith(" ") and char.text.isspace():
                current.text += " "
                current.lefts.append(current.right)
            continue
        if current is not None:
            gap = char.left - current.right
            if not _same_line(current, char) or gap > 1.2 * current.height or gap < -current.height:
                current = None
        if current is None:
            current = Run(
                char.text, char.left, char.bottom, char.right, char.top, char.font, [char.left]
            )
            runs.append(current)
            continue
        current.text += char.text
        current.lefts.append(char.left)
        current.left = min(current.left, char.left)
        current.right = max(current.right, char.right)
        current.bottom = min(current.bottom, char.bottom)
        current.top = max(current.top, char.top)
    for run in runs:
        stripped = run.text.rstrip()
        run.lefts = run.lefts[: len(stripped)]
        run.text = stripped
    return [r for r in runs if r.text]


@dataclass(slots=True)
class Cell:
    """One day of the grid and the runs inside it, top to bottom."""

    day: int
    column: int
    row: int
    top: float
    left: float
    month_label: int | None = None
    runs: list[Run] = field(default_factory=list)
    when: date | None = None


@dataclass(slots=True)
class Grid:
    """A month grid found on one page."""

    cells: list[Cell]
    #: Weekday (0 = Monday) of each column, when the header names them.
    weekdays: dict[int, int]
    #: Runs inside the grid that sit in no day's cell.
    unplaced: list[Run]
    heading_month: int | None = None
    heading_year: int | None = None


def _cluster(values: list[float], tolerance: float) -> list[list[float]]:
    groups: list[list[float]] = []
    for value in sorted(values):
        if groups and value - groups[-1][-1] <= tolerance:
            groups[-1].append(value)
        else:
            groups.append([value])
    return groups


def _month_of(word: str) -> int | None:
    key = word.strip().lower()[:3]
    full = word.strip().lower().rstrip(".")
    if (
        key in MONTHS
        and (
            "january february march april may june july august september october november december"
        ).find(full)
        >= 0
    ):
        return MONTHS[key]
    return None


def find_grid(runs: list[Run]) -> Grid | None:
    """The month grid among `runs`, or None when the page is not laid out as one."""
    numbers: list[tuple[Run, int, int | None]] = []
    for run in runs:
        match = _DAY_NUMBER.match(run.text.strip())
        if match and 1 <= int(match["day"]) <= 31:
            month = _month_of(match["month"]) if match["month"] else None
            if match["month"] and month is None:
                continue
            numbers.append((run, int(match["day"]), month))
    if len(numbers) < 6:
        return None
    typical = sorted(r.height for r, _, _ in numbers)[len(numbers) // 2]
    tolerance = max(typical, 6.0)
    # A day number's left edge (or, for "JUNE 27", the number's own left edge).
    lefts = [_number_left(r) for r, _, _ in numbers]
    columns = [
        sum(g) / len(g)
        for g in _cluster(lefts, tolerance)
        if len(g) >= 3 and _spread_over_rows(g, numbers, tolerance)
    ]
    if len(columns) < 3:
        return None
    spacing = min(b - a for a, b in itertools.pairwise(columns))
    if spacing < 4 * tolerance:
        return None  # numbers stacked in one narrow table, not a calendar

    def column_of(x: float, slack: float) -> int | None:
        for index, left in enumerate(columns):
            if left - slack <= x < left - slack + spacing * 1.02:
                return index
        return None

    cell_numbers = [
        (run, day, month, column)
        for run, day, month in numbers
        if (column := column_of(_number_left(run), tolerance)) is not None
        and abs(_number_left(run) - columns[column]) <= tolerance
    ]
    # Rows are far apart; numbers in one row may differ in size ("JULY 30" next to "1").
    row_tops = [max(g) for g in _cluster([r.top for r, *_ in cell_numbers], 2.5 * tolerance)]
    row_tops.sort(reverse=True)  # top of the page first
    number_ids = {id(r) for r, *_ in cell_numbers}
    cells: list[Cell] = []
    for run, day, month, column in cell_numbers:
        row = min(range(len(row_tops)), key=lambda i: abs(row_tops[i] - run.top))
        cells.append(Cell(day, column, row, run.top, run.left, month))
    # Month words right above a number label that number ("JUNE" over "27").
    label_ids: set[int] = set()
    for run in runs:
        match = _MONTH_WORD.match(run.text.strip())
        month = _month_of(match["month"]) if match else None
        if month is None:
            continue
        for cell in cells:
            above = run.bottom - cell.top
            if (
                -0.6 * run.height <= above <= 1.5 * run.height
                and abs(run.left - cell.left) <= tolerance
            ):
                cell.month_label = month
                label_ids.add(id(run))
    cells.sort(key=lambda c: (c.row, c.column))
    grid_top = max(c.top for c in cells) + 1.5 * tolerance
    grid_top = max([grid_top, *(r.top for r in runs if id(r) in label_ids)])
    weekdays = _header_weekdays(runs, columns, spacing, tolerance, grid_top)
    by_key = {(c.row, c.column): c for c in cells}
    unplaced: list[Run] = []
    for run in runs:
        if id(run) in number_ids or id(run) in label_ids or run.top > grid_top + tolerance:
            continue
        column = column_of(run.center_x, tolerance)
        if column is None:
            continue
        row = next(
            (i for i in range(len(row_tops) - 1, -1, -1) if row_tops[i] + tolerance >= run.top),
            0,  # above the first row of numbers but below the header: the first row
        )
        owner = by_key.get((row, column))
        if owner is None:
            unplaced.append(run)
        else:
            owner.runs.append(run)
    for cell in cells:
        cell.runs.sort(key=lambda r: (-r.top, r.left))
    heading = _heading(runs, grid_top)
    return Grid(cells, weekdays, unplaced, *heading)


def _spread_over_rows(
    lefts: list[float], numbers: list[tuple[Run, int, int | None]], tolerance: float
) -> bool:
    """A column of day numbers spans rows; digits of sideways text sit a letter apart."""
    wanted = set(lefts)
    tops = sorted({round(r.top) for r, _, _ in numbers if _number_left(r) in wanted})
    gaps = [b - a for a, b in itertools.pairwise(tops)]
    return len(tops) >= 3 and min(gaps) >= 3 * tolerance


def _number_left(run: Run) -> float:
    text = run.text
    for index, ch in enumerate(text):
        if ch.isdigit():
            return run.lefts[index] if index < len(run.lefts) else run.left
    return run.left


def _header_weekdays(
    runs: list[Run], columns: list[float], spacing: float, tolerance: float, grid_top: float
) -> dict[int, int]:
    found: dict[int, Counter[int]] = {}
    for run in runs:
        if run.bottom < grid_top - 2 * tolerance or run.bottom > grid_top + 6 * tolerance:
            continue
        for match in _WEEKDAY_WORD.finditer(run.text):
            start = run.lefts[match.start()] if match.start() < len(run.lefts) else run.left
            end_index = min(match.end(), len(run.lefts)) - 1
            end = run.lefts[end_index] if end_index >= 0 else run.right
            middle = (start + end) / 2
            for index, left in enumerate(columns):
                if left - tolerance <= middle < left - tolerance + spacing:
                    found.setdefault(index, Counter())[WEEKDAYS[match.group(1).lower()]] += 1
    return {column: counts.most_common(1)[0][0] for column, counts in found.items()}


def _heading(runs: list[Run], grid_top: float) -> tuple[int | None, int | None]:
    for run in sorted(runs, key=lambda r: -r.top):
        if run.bottom < grid_top:
            continue
        match = _HEADING.search(run.text)
        if match:
            return MONTHS[match["month"].lower()[:3]], int(match["year"])
    return None, None
