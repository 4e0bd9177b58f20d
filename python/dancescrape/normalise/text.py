"""Plain-text cleanup shared by extractors and the normaliser."""

from __future__ import annotations

import html
import re

from selectolax.lexbor import LexborHTMLParser as HTMLParser

__all__ = ["clean_text", "html_to_text"]

_SPACE = re.compile(r"\s+")
_TAG = re.compile(r"<[a-zA-Z/!][^>]*>")


def clean_text(value: str | None) -> str | None:
    """Collapse whitespace and trim; an empty result is `None`."""
    if value is None:
        return None
    out = _SPACE.sub(" ", value).strip()
    return out or None


def html_to_text(value: str | None) -> str | None:
    """Plain text from a string that may hold HTML markup or entities."""
    if value is None:
        return None
    if _TAG.search(value):
        tree = HTMLParser(value)
        for node in tree.css("br, p, li, div"):
            node.insert_after(" ")
        # Blocks got a space above; inline tags (<strong>) must not split "bachata." apart.
        value = tree.text(separator="") if tree.body is not None else tree.text()
    return clean_text(html.unescape(value))
