"""schema.org Events marked up as HTML microdata (``itemscope``/``itemprop``).

The microdata tree is turned into the same dict shape JSON-LD gives (``@type``,
nested objects for Place, PostalAddress and Offer), so `schemaorg` reads both alike.
Pages that also carry JSON-LD are left to the JSON-LD extractor.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

from selectolax.lexbor import LexborHTMLParser as HTMLParser

from dancescrape.extract.base import ExtractContext, Extractor
from dancescrape.extract.schemaorg import SchemaCollector, type_names
from dancescrape.hookspecs import hookimpl
from dancescrape.model.document import Document
from dancescrape.model.event import Event
from dancescrape.normalise.text import clean_text

__all__ = ["MicrodataExtractor", "microdata_items"]

_HTML_TYPES = ("text/html", "application/xhtml+xml")
_EVENT_TYPE = re.compile(r"itemtype\s*=\s*[\"']?[^\"'>]*schema\.org/\w*Event", re.IGNORECASE)
# Elements whose microdata value is an attribute, not their text (HTML living standard).
_URL_ATTRS = {
    "a": "href",
    "area": "href",
    "link": "href",
    "audio": "src",
    "embed": "src",
    "iframe": "src",
    "img": "src",
    "source": "src",
    "track": "src",
    "video": "src",
    "object": "data",
}
_MAX_DEPTH = 64  # nesting this deep is an attack or a broken page, not an event


def _names(node: Any, attr: str) -> list[str]:
    return (node.attributes.get(attr) or "").split()


def _value(node: Any) -> str | None:
    tag = node.tag
    attrs: dict[str, str | None] = node.attributes
    if "content" in attrs:
        return attrs.get("content")
    if tag in _URL_ATTRS:
        return attrs.get(_URL_ATTRS[tag])
    if tag in ("data", "meter") and "value" in attrs:
        return attrs.get("value")
    if tag == "time" and attrs.get("datetime"):
        return attrs.get("datetime")
    return clean_text(node.text(deep=True, separator=" "))


def _item(scope: Any, depth: int = 0) -> dict[str, Any]:
    item: dict[str, Any] = {}
    types = [t.rstrip("/").rsplit("/", 1)[-1] for t in _names(scope, "itemtype")]
    if types:
        item["@type"] = types if len(types) > 1 else types[0]
    if scope.attributes.get("itemid"):
        item["@id"] = scope.attributes.get("itemid")
    child = scope.child
    while child is not None:
        _collect(child, item, depth + 1)
        child = child.next
    return item


def _collect(node: Any, item: dict[str, Any], depth: int) -> None:
    if node.tag in ("-text", "-comment", None) or depth > _MAX_DEPTH:
        return
    props = _names(node, "itemprop")
    scoped = "itemscope" in node.attributes
    if props:
        value: Any = _item(node, depth) if scoped else _value(node)
        for prop in props:
            name = prop.rstrip("/").rsplit("/", 1)[-1]
            if name in item:
                existing = item[name]
                item[name] = [*existing, value] if isinstance(existing, list) else [existing, value]
            else:
                item[name] = value
    if scoped:
        return  # a nested item's properties belong to it, not to us
    child = node.child
    while child is not None:
        _collect(child, item, depth + 1)
        child = child.next


def microdata_items(html: str) -> list[dict[str, Any]]:
    """Every top-level microdata item of a page, as JSON-LD-shaped dicts."""
    tree = HTMLParser(html)
    return [_item(node) for node in tree.css("[itemscope]") if "itemprop" not in node.attributes]


class MicrodataExtractor(Extractor):
    """schema.org Event and subtypes in microdata, on pages without JSON-LD."""

    name = "microdata"
    priority = 45  # before JSON-LD, which takes every HTML page; we take only ours

    def accepts(self, document: Document) -> bool:
        text = document.text
        if text is None or document.media_type not in (*_HTML_TYPES, ""):
            return False
        head = text[:2_000_000]
        return "application/ld+json" not in head.lower() and bool(_EVENT_TYPE.search(head))

    def extract(self, document: Document, context: ExtractContext) -> list[Event]:
        items = microdata_items(document.text or "")
        collector = SchemaCollector(document, context)
        collector.add(items, "microdata event")
        if not collector.events and not collector.items:
            # Name the item types the page does have, nested ones included.
            collector.seen_types.update(n for i in items for n in type_names(i))
        return collector.finish("microdata")


@hookimpl
def register_extractors(register: Callable[[type[Extractor]], None]) -> None:
    register(MicrodataExtractor)
