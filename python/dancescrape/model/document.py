"""A fetched document, as extractors receive it."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["Document", "Target"]


@dataclass(slots=True, frozen=True)
class Target:
    """One document a source wants fetched."""

    url: str
    source: str
    #: Zone for times the document gives without one (from config or --timezone).
    timezone: str | None = None
    #: Force one extractor by name instead of choosing by content.
    extractor: str | None = None


@dataclass(slots=True, frozen=True)
class Document:
    """The bytes of one fetched document plus what the fetcher learned about them."""

    target: Target
    url: str  # final URL after redirects
    content: bytes
    content_type: str = ""
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    #: Decoded text, set by the fetcher for textual documents.
    text: str | None = None

    @property
    def source(self) -> str:
        return self.target.source

    @property
    def media_type(self) -> str:
        return self.content_type.split(";", 1)[0].strip().lower()
