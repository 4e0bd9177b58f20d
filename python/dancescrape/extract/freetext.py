"""Plain pages with no structured data: schedule tables and lines such as
"Every Tuesday 8–11pm, Salsa social at Studio Ritmo ($10)".

Tables are read by their header row (When/Date/Day/Time, What/Event/Class, Where/Venue,
Price/Cost, Description); other blocks (list items, paragraphs, headings, text lines)
are read as one event each when they hold a date or a recurring day. Dates and phrases
are understood by `textdates`; the year of a date without one comes from its weekday,
else from a year the page's title or headings state, else from the harvest window.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from datetime import date
from typing import Any
from urllib.parse import urljoin

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from dancescrape.errors import ExtractError
from dancescrape.extract.base import ExtractContext, Extractor, conclude
from dancescrape.extract.loose import LooseItem, NoWhen, events_from_loose, with_page_zone
from dancescrape.extract.textdates import when_spans
from dancescrape.hookspecs import hookimpl
from dancescrape.model.document import Document
from dancescrape.model.event import Event
from dancescrape.normalise.text import clean_text

__all__ = ["FreeTextExtractor", "loose_items", "page_reference", "split_block"]

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_TEXT_TYPES = ("text/plain", "text/markdown")
_ROLES: tuple[tuple[str, re.Pattern[str]], ...] = (
    ("when", re.compile(r"\b(when|date|dates|day|days|time|times|schedule)\b", re.I)),
    ("title", re.compile(r"\b(what|event|events|class|classes|title|name|activity|style)\b", re.I)),
    ("venue", re.compile(r"\b(where|venue|location|place|room|hall)\b", re.I)),
    ("address", re.compile(r"\baddress\b", re.I)),
    ("price", re.compile(r"\b(price|prices|cost|fee|fees|admission|entry|cover|tickets?)\b", re.I)),
    ("description", re.compile(r"\b(description|details|notes?|info|about)\b", re.I)),
)
_PRICE = re.compile(
    r"(?:\(\s*)?(?:(?:[A-Z]{2,3})?[$€£¥]\s?\d+(?:[.,]\d{1,2})?(?:\s*(?:-|–|—|to)\s*[$€£¥]?\s?\d+(?:[.,]\d{1,2})?)?"
    r"|\d+(?:[.,]\d{1,2})?\s?(?:€|EUR|USD|CAD|GBP)|\bfree\b(?:\s+entry)?|\bno cover\b)(?:\s*\))?",
    re.I,
)
_PEEK_TIME = re.compile(r"\d\s?(?:[ap]\.?m\b|:[0-5]\d)", re.I)
_PEEK_DAY = re.compile(
    r"\b(?:mon|tue|wed|thu|fri|sat|sun)[a-z]*\b|\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\b",
    re.I,
)
_PEEK_MONTH = re.compile(
    r"\b(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)[a-z]*\.?\s+\d|\d\s+"
    r"(?:jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)|\d{1,2}/\d{1,2}/\d{2,4}|\d{4}-\d\d-\d\d",
    re.I,
)
_EVENT_MICRODATA = re.compile(r"itemtype\s*=\s*[\"']?[^\"'>]*schema\.org/\w*Event", re.I)
_YEAR = re.compile(r"\b(20\d\d)\b")
_VENUE_SPLIT = re.compile(r"\s+(?:at|@)\s+(?=[A-Z0-9])")
_JOINERS = re.compile(r"^[\s,;:|·•/–—-]+|[\s,;:|·•/–—(-]+$")
_DROP = "script, style, noscript, template, svg, nav, footer, head"
_BLOCKS = "li, p, dd, dt, h1, h2, h3, h4, h5, h6, div, article, section, blockquote, pre"
_MAX_BLOCKS = 5_000  # a page with more blocks than this is not a studio's schedule


def page_reference(texts: list[str], fallback: date) -> tuple[date, tuple[int, ...] | None]:
    """How to date year-less dates: (anchor, allowed years) from a single year the page
    states in its title or headings, else the window's start and any nearby year."""
    years = {int(y) for text in texts for y in _YEAR.findall(text)}
    if len(years) == 1:
        year = years.pop()
        return (fallback if year == fallback.year else date(year, 7, 1)), (year,)
    return fallback, None


def split_block(text: str) -> tuple[str | None, str | None, str | None]:
    """(title, venue, price) of one line once its date and time phrases are removed."""
    prices = [m.group(0) for m in _PRICE.finditer(text)]
    spans = when_spans(text) + [m.span() for m in _PRICE.finditer(text)]
    kept, cursor = [], 0
    for start, end in sorted(spans):
        if start > cursor:
            kept.append(text[cursor:start])
        cursor = max(cursor, end)
    kept.append(text[cursor:])
    rest = re.sub(r"\s+", " ", " | ".join(k.strip() for k in kept if k.strip()))
    pieces = [
        p for p in (_JOINERS.sub("", x) for x in rest.split(" | ")) if any(c.isalnum() for c in p)
    ]
    body = ", ".join(pieces)
    body = re.sub(r"^(?:from|on|at)\s+", "", body, flags=re.I)
    venue = None
    parts = _VENUE_SPLIT.split(body, maxsplit=1)
    if len(parts) == 2:
        body, venue = parts
    price = prices[0].strip("() ") if prices else None
    return clean_text(_JOINERS.sub("", body)), clean_text(_JOINERS.sub("", venue or "")), price


def _cell_text(node: Any) -> str:
    return clean_text(node.text(deep=True, separator=" ")) or ""


def _link(node: Any, base: str) -> str | None:
    anchor = node.css_first("a[href]")
    href: str | None = anchor.attributes.get("href") if anchor is not None else None
    if not href or href.startswith(("#", "javascript:", "mailto:")):
        return None
    return urljoin(base, href)


def _table_items(table: Any, base: str) -> Iterator[tuple[str, LooseItem]]:
    rows = table.css("tr")
    if not rows:
        return
    header = [_cell_text(c) for c in rows[0].css("th, td")]
    roles: dict[int, str] = {}
    for index, label in enumerate(header):
        for role, pattern in _ROLES:
            if pattern.search(label) and role not in roles.values():
                roles[index] = role
                break
    has_header = "when" in roles.values() and bool(rows[0].css("th") or len(roles) >= 2)
    for number, row in enumerate(rows[1:] if has_header else rows, 2 if has_header else 1):
        cells = row.css("th, td")
        texts = [_cell_text(c) for c in cells]
        if not any(texts):
            continue
        where = f"table row {number}"
        if has_header:
            fields: dict[str, list[str]] = {}
            for index, text in enumerate(texts):
                role = roles.get(index, "description" if index >= len(header) else "")
                if role and text:
                    fields.setdefault(role, []).append(text)
            title = " ".join(fields.get("title", [])) or None
            yield (
                where,
                LooseItem(
                    title=title,
                    when=" ".join(fields.get("when", [])),
                    venue=" ".join(fields.get("venue", [])) or None,
                    address=" ".join(fields.get("address", [])) or None,
                    price=" ".join(fields.get("price", [])) or None,
                    description=" ".join(fields.get("description", [])) or None,
                    url=_link(row, base),
                ),
            )
        else:
            line = " | ".join(texts)
            title, venue, price = split_block(line)
            yield (
                where,
                LooseItem(title=title, when=line, venue=venue, price=price, url=_link(row, base)),
            )


def _has_inner(node: Any, selector: str) -> bool:
    """Whether a descendant matches; lexbor's css() also matches the node itself."""
    return any(match != node for match in node.css(selector))


def _html_blocks(html: str) -> tuple[list[tuple[str, Any]], list[Any], list[str]]:
    tree = HTMLParser(html)
    for node in tree.css(_DROP):
        node.decompose()
    tables = [t for t in tree.css("table") if not _has_inner(t, "table")]
    in_table = {n.mem_id for t in tree.css("table") for n in t.css(_BLOCKS)}
    candidates = tree.css(_BLOCKS)[:_MAX_BLOCKS]
    # Mark every ancestor of a block once (stopping at marked ones): linear, however deep.
    outer: set[int] = set()
    for node in [*candidates, *tree.css("table, tr")]:
        parent = node.parent
        while parent is not None and parent.mem_id not in outer:
            outer.add(parent.mem_id)
            parent = parent.parent
    blocks = [
        (_cell_text(node), node)
        for node in candidates
        if node.mem_id not in outer and node.mem_id not in in_table  # innermost, outside tables
    ]
    heads = [_cell_text(n) for n in tree.css("title, h1, h2, h3")]
    return blocks, tables, heads


def loose_items(document: Document) -> tuple[list[tuple[str, LooseItem]], list[str]]:
    """(where, item) for every candidate event on the page, and the page's headings."""
    text = document.text or ""
    base = document.url
    items: list[tuple[str, LooseItem]] = []
    if document.media_type in _TEXT_TYPES:
        lines = [clean_text(line) for line in text.splitlines()]
        heads = [line for line in lines[:3] if line]
        for number, line in enumerate(lines, 1):
            if (
                line
                and _PEEK_DAY.search(line)
                and (_PEEK_TIME.search(line) or _PEEK_MONTH.search(line))
            ):
                title, venue, price = split_block(line)
                items.append((f"line {number}", LooseItem(title, line, venue, price=price)))
        return items, heads
    blocks, tables, heads = _html_blocks(text)
    for table in tables:
        items.extend(_table_items(table, base))
    for number, (line, node) in enumerate(blocks, 1):
        if not line or not _PEEK_DAY.search(line) or len(line) > 400:
            continue
        if not (_PEEK_TIME.search(line) or _PEEK_MONTH.search(line)):
            continue  # "Call us on Mondays": a weekday alone does not make an event
        title, venue, price = split_block(line)
        if node.tag in ("h1", "h2", "h3", "h4", "h5", "h6") and not _PEEK_TIME.search(line):
            continue  # "December 2026" above a list is a heading, not an event
        items.append(
            (
                f"{node.tag} block {number}",
                LooseItem(title, line, venue, price=price, url=_link(node, base)),
            )
        )
    return items, heads


class FreeTextExtractor(Extractor):
    """Schedule tables and dated lines on pages with no JSON-LD or microdata."""

    name = "freetext"
    priority = 48  # before JSON-LD (50), which claims every HTML page, but only for ours

    def accepts(self, document: Document) -> bool:
        text = document.text
        if text is None or document.media_type not in (*_HTML_TYPES, *_TEXT_TYPES):
            return False
        head = text[:2_000_000]
        if "application/ld+json" in head.lower() or _EVENT_MICRODATA.search(head):
            return False
        return bool(_PEEK_TIME.search(head) and _PEEK_DAY.search(head))

    def extract(self, document: Document, context: ExtractContext) -> list[Event]:
        try:
            items, heads = loose_items(document)
        except (ValueError, RecursionError) as exc:
            raise ExtractError(document.url, f"unreadable page: {exc}") from None
        reference, years = page_reference(heads, context.window_start)
        context = with_page_zone(document, context, document.text or "")
        events: list[Event] = []
        problems: list[str] = []
        found = 0
        for where, item in items:
            try:
                built = events_from_loose(item, document, context, reference=reference, years=years)
            except NoWhen as exc:
                if where.startswith("table row") and item.title:
                    problems.append(f"{where}: {exc}")  # a schedule row we failed to read
                continue
            except ValueError as exc:
                problems.append(f"{where}: {exc}")
                continue
            found += 1
            events.extend(built)
        return conclude(
            document,
            context,
            events,
            problems,
            found,
            "no events: no dated or recurring schedule lines found",
        )


@hookimpl
def register_extractors(register: Callable[[type[Extractor]], None]) -> None:
    register(FreeTextExtractor)
