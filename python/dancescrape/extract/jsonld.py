"""schema.org Events from JSON-LD: `<script type="application/ld+json">` blocks or .jsonld files."""

from __future__ import annotations

import json
import re
from collections.abc import Callable

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from dancescrape.errors import ExtractError
from dancescrape.extract.base import ExtractContext, Extractor
from dancescrape.extract.schemaorg import SchemaCollector
from dancescrape.hookspecs import hookimpl
from dancescrape.model.document import Document
from dancescrape.model.event import Event

__all__ = ["JsonLdExtractor", "jsonld_blocks"]

_JSON_TYPES = ("application/ld+json", "application/json")
_HTML_TYPES = ("text/html", "application/xhtml+xml")
_WRAPPER = re.compile(r"^\s*(?:<!--|<!\[CDATA\[)|(?:-->|\]\]>)\s*$")


def jsonld_blocks(html: str) -> list[str]:
    """The raw text of every JSON-LD script on an HTML page, in page order."""
    tree = HTMLParser(html)
    blocks = []
    for node in tree.css("script[type]"):
        kind = (node.attributes.get("type") or "").split(";", 1)[0].strip().lower()
        if kind == "application/ld+json":
            blocks.append(_WRAPPER.sub("", node.text(deep=True) or ""))
    return blocks


class JsonLdExtractor(Extractor):
    """schema.org Event and subtypes (DanceEvent, Festival, ...) with places, offers, schedules."""

    name = "jsonld"
    priority = 50

    def accepts(self, document: Document) -> bool:
        if document.text is None:
            return False
        media = document.media_type
        if media in _JSON_TYPES or media in _HTML_TYPES:
            return True
        return document.text.lstrip()[:1] in ("<", "{", "[")

    def extract(self, document: Document, context: ExtractContext) -> list[Event]:
        text = document.text or ""
        stripped = text.lstrip()
        is_json = document.media_type in _JSON_TYPES or stripped[:1] in ("{", "[")
        blocks = [text] if is_json else jsonld_blocks(text)
        if not blocks:
            raise ExtractError(document.url, "no events: the page has no JSON-LD (schema.org) data")
        collector = SchemaCollector(document, context)
        for number, block in enumerate(blocks, 1):
            label = "the document" if is_json else f"JSON-LD block {number}"
            try:
                data = json.loads(block, strict=False)
            except json.JSONDecodeError as exc:
                collector.problems.append(
                    f"{label} is not valid JSON: {exc.msg} at line {exc.lineno} column {exc.colno}"
                )
                continue
            collector.add(data, f"{label}, event")
        return collector.finish("JSON-LD")


@hookimpl
def register_extractors(register: Callable[[type[Extractor]], None]) -> None:
    register(JsonLdExtractor)
