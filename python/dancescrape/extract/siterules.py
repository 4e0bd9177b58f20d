"""Declarative site rules: a YAML file of CSS selectors instead of a site-specific scraper.

A rules file describes the pages of one site::

    name: studio-ritmo
    timezone: America/Los_Angeles        # optional; config's zone still wins
    pages:
      - match: "*/events/*"              # URL glob (fnmatch) the page must match
        item: "article.event"            # one event per match; omit for a detail page
        fields:                          # CSS selector, "selector@attribute", or a list
          title: "h2"
          when: [".date", ".time"]       # free text: "Sat, Dec 5, 8pm–1am", "every Tuesday 8–11pm"
          start: "time.start@datetime"   # or ISO 8601 from an attribute
          end: "time.end@datetime"
          venue: ".venue"
          address: ".address"
          price: ".price"
          description: ".summary"
          url: "a.more@href"
          organizer: ".host"
        defaults:                        # fixed values for every event of the page
          organizer: "Studio Ritmo"

Where the rules come from (until sources can name them in config):
- ``Target.extractor = "siterules:/path/to/rules.yaml"`` names the file for one source;
- ``DANCESCRAPE_SITE_RULES`` lists rules files or folders (``os.pathsep``-separated);
  a page is ours when one of their ``match`` globs matches its URL.

A broken rules file is an `ExtractError` naming the file and the problem; a page item
that lacks a title or date is a per-item problem.
"""

from __future__ import annotations

import fnmatch
import os
from collections.abc import Callable
from datetime import date, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any
from urllib.parse import urljoin

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator
from selectolax.lexbor import LexborHTMLParser as HTMLParser

from dancescrape.errors import ExtractError
from dancescrape.extract.base import ExtractContext, Extractor
from dancescrape.extract.dates import parse_when
from dancescrape.extract.freetext import page_reference
from dancescrape.extract.loose import LooseItem, NoWhen, events_from_loose, with_page_zone
from dancescrape.extract.textdates import TimeRange, When, find_time_range
from dancescrape.hookspecs import hookimpl
from dancescrape.model.document import Document
from dancescrape.model.event import EVENT_TYPES, Event
from dancescrape.normalise.text import clean_text

__all__ = ["ENV_SITE_RULES", "PREFIX", "PageRule", "SiteRules", "SiteRulesExtractor", "load_rules"]

ENV_SITE_RULES = "DANCESCRAPE_SITE_RULES"
PREFIX = "siterules:"
_FIELDS = (
    "title",
    "when",
    "start",
    "end",
    "venue",
    "address",
    "price",
    "description",
    "url",
    "organizer",
)

Selector = str | list[str]


_PROBE = HTMLParser("<p></p>")


def _check_css(selector: str) -> None:
    """Reject a selector lexbor cannot parse now, not on every page later."""
    try:
        _PROBE.css(selector)
    except Exception:  # selectolax raises its own SelectolaxError
        raise ValueError(f"invalid CSS selector {selector!r}") from None


class PageRule(BaseModel):
    """How to read one kind of page of the site."""

    model_config = ConfigDict(extra="forbid")

    match: str | list[str] = "*"
    item: str | None = None
    fields: dict[str, Selector]
    defaults: dict[str, str] = Field(default_factory=dict)

    @field_validator("item")
    @classmethod
    def _item_selector(cls, value: str | None) -> str | None:
        if value is not None:
            _check_css(value)
        return value

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, value: dict[str, Selector]) -> dict[str, Selector]:
        for name, selector in value.items():
            for choice in [selector] if isinstance(selector, str) else selector:
                css = choice.partition("@")[0].strip()
                if css not in ("", ":scope"):
                    try:
                        _check_css(css)
                    except ValueError as exc:
                        raise ValueError(f"{name}: {exc}") from None
        unknown = sorted(set(value) - set(_FIELDS))
        if unknown:
            raise ValueError(f"unknown field(s) {unknown}; known: {list(_FIELDS)}")
        if "title" not in value:
            raise ValueError("fields.title is required")
        if "when" not in value and "start" not in value:
            raise ValueError("fields.when or fields.start is required")
        return value

    @field_validator("defaults")
    @classmethod
    def _known_defaults(cls, value: dict[str, str]) -> dict[str, str]:
        allowed = {*_FIELDS, "event_type"}
        unknown = sorted(set(value) - allowed)
        if unknown:
            raise ValueError(f"unknown default(s) {unknown}")
        if "event_type" in value and value["event_type"] not in EVENT_TYPES:
            raise ValueError(f"event_type must be one of {list(EVENT_TYPES)}")
        return value

    def matches(self, url: str) -> bool:
        patterns = [self.match] if isinstance(self.match, str) else self.match
        return any(fnmatch.fnmatchcase(url, p) for p in patterns)


class SiteRules(BaseModel):
    """A rules file: the pages of one site."""

    model_config = ConfigDict(extra="forbid")

    name: str | None = None
    timezone: str | None = None
    pages: list[PageRule] = Field(min_length=1)


@lru_cache(maxsize=64)
def _load_cached(path: str, mtime: float) -> SiteRules:
    try:
        data = yaml.safe_load(Path(path).read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError) as exc:
        raise ValueError(f"cannot read it: {exc}") from None
    except yaml.YAMLError as exc:
        raise ValueError(f"not valid YAML: {exc}") from None
    if not isinstance(data, dict):
        raise ValueError("must be a YAML mapping with 'pages'")
    try:
        return SiteRules.model_validate(data)
    except ValidationError as exc:
        details = "; ".join(
            f"{'.'.join(str(p) for p in e['loc'])}: {e['msg']}" for e in exc.errors()
        )
        raise ValueError(details) from None


def load_rules(path: str | Path) -> SiteRules:
    """A validated rules file; ValueError names what is wrong with it."""
    where = Path(path).expanduser()
    try:
        mtime = where.stat().st_mtime
    except OSError as exc:
        raise ValueError(f"cannot read it: {exc.strerror or exc}") from None
    return _load_cached(str(where.resolve()), mtime)


def _env_rule_files() -> list[Path]:
    files: list[Path] = []
    for entry in filter(None, os.environ.get(ENV_SITE_RULES, "").split(os.pathsep)):
        path = Path(entry).expanduser()
        if path.is_dir():
            files.extend(sorted([*path.glob("*.yaml"), *path.glob("*.yml")]))
        else:
            files.append(path)
    return files


def _rules_for(document: Document) -> tuple[Path, SiteRules, PageRule] | None:
    """The rules file and page rule that apply to `document`, if any."""
    named = document.target.extractor
    if named and named.startswith(PREFIX):
        path = Path(named[len(PREFIX) :])
        try:
            rules = load_rules(path)
        except ValueError as exc:
            raise ExtractError(document.url, f"site rules {path}: {exc}") from None
        page = next((p for p in rules.pages if p.matches(document.url)), None)
        if page is None:
            raise ExtractError(document.url, f"site rules {path}: no page rule matches this URL")
        return path, rules, page
    for path in _env_rule_files():
        try:
            rules = load_rules(path)
        except ValueError:
            continue  # reported when a page it would claim is extracted
        page = next((p for p in rules.pages if p.matches(document.url)), None)
        if page is not None:
            return path, rules, page
    return None


def _select(node: Any, selector: Selector, base: str, as_url: bool = False) -> str | None:
    """The first non-empty value among the alternatives, joined across "+" parts."""
    choices = [selector] if isinstance(selector, str) else selector
    values = []
    for choice in choices:
        css, _, attribute = choice.partition("@")
        css = css.strip()
        target = node if css in ("", ":scope") else node.css_first(css)
        if target is None:
            continue
        raw = (
            target.attributes.get(attribute) if attribute else target.text(deep=True, separator=" ")
        )
        value = clean_text(raw) if isinstance(raw, str) else None
        if value:
            values.append(urljoin(base, value) if as_url else value)
            if as_url or isinstance(selector, str):
                break
    return " ".join(values) or None


def _iso(text: str | None, zone: str) -> datetime | None:
    if not text:
        return None
    try:
        return parse_when(text, zone).value
    except ValueError:
        return None


class SiteRulesExtractor(Extractor):
    """Events from CSS selectors in a site's YAML rules file."""

    name = "siterules"
    priority = 20  # a site's own rules beat every generic reading of its pages

    def accepts(self, document: Document) -> bool:
        if document.text is None:
            return False
        named = document.target.extractor
        if named and named.startswith(PREFIX):
            return True
        try:
            return _rules_for(document) is not None
        except ExtractError:
            return True  # ours, and extract() will say what is wrong

    def extract(self, document: Document, context: ExtractContext) -> list[Event]:
        found = _rules_for(document)
        if found is None:
            raise ExtractError(document.url, "no site rules apply to this URL")
        path, rules, page = found
        try:
            tree = HTMLParser(document.text or "")
        except Exception as exc:  # lexbor rejects only pathological input
            raise ExtractError(document.url, f"unreadable HTML: {exc}") from None
        items = tree.css(page.item) if page.item else [tree.root]
        items = [i for i in items if i is not None]
        if not items:
            raise ExtractError(
                document.url, f"site rules {path}: item selector {page.item!r} matches nothing"
            )
        heads = [clean_text(n.text()) or "" for n in tree.css("title, h1, h2")]
        reference, years = page_reference(heads, context.window_start)
        if rules.timezone and not document.target.timezone:
            context = ExtractContext(
                rules.timezone, context.window_start, context.window_end, context.problems
            )
        else:
            context = with_page_zone(document, context, document.text or "")
        events: list[Event] = []
        problems: list[str] = []
        for number, node in enumerate(items, 1):
            try:
                events.extend(self._item(node, page, document, context, reference, years))
            except ValueError as exc:
                problems.append(f"item {number}: {exc}")
        if not events and problems:
            raise ExtractError(document.url, "no usable events: " + "; ".join(problems[:10]))
        for reason in problems:
            context.problem(document.url, reason)
        return events

    def _item(
        self,
        node: Any,
        page: PageRule,
        document: Document,
        context: ExtractContext,
        reference: date,
        years: tuple[int, ...] | None,
    ) -> list[Event]:
        values: dict[str, str | None] = dict(page.defaults)
        for field, selector in page.fields.items():
            value = _select(node, selector, document.url, as_url=field == "url")
            if value is not None:
                values[field] = value
        event_type = values.get("event_type") or "other"
        item = LooseItem(
            title=values.get("title"),
            when=values.get("when") or values.get("start") or "",
            venue=values.get("venue"),
            address=values.get("address"),
            price=values.get("price"),
            description=values.get("description"),
            url=values.get("url"),
            organizer=values.get("organizer"),
            event_type=event_type if event_type in EVENT_TYPES else "other",  # type: ignore[arg-type]
        )
        zone = document.target.timezone or context.timezone
        start = _iso(values.get("start"), zone)
        when: When | None = None
        if start is not None:
            end = _iso(values.get("end"), zone)
            times = TimeRange(start.time(), end.time() if end else None)
            when = When([start.date()], None, times)
        elif values.get("when") is None:
            raise NoWhen(
                f"no date: {page.fields.get('when') or page.fields.get('start')!r} matched nothing"
            )
        elif find_time_range(item.when) is None and values.get("end"):
            item.when = f"{item.when} {values['end']}"
        return events_from_loose(
            item, document, context, reference=reference, years=years, when=when
        )


@hookimpl
def register_extractors(register: Callable[[type[Extractor]], None]) -> None:
    register(SiteRulesExtractor)
