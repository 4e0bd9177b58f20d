"""http(s) URLs as sources: each URL is one document."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from urllib.parse import urlparse

from dancescrape.errors import SourceError
from dancescrape.hookspecs import hookimpl
from dancescrape.model.document import Target
from dancescrape.sources.base import Source, SourceSpec

__all__ = ["WebSource"]


class WebSource(Source):
    """One http(s) page or feed; `webcal://` is read as https."""

    name = "web"

    def matches(self, spec: str) -> bool:
        return urlparse(spec).scheme.lower() in ("http", "https", "webcal")

    def targets(self, source: SourceSpec) -> Iterator[Target]:
        url = source.spec
        parsed = urlparse(url)
        if parsed.scheme.lower() == "webcal":
            url = "https" + url[len(parsed.scheme) :]
            parsed = urlparse(url)
        if not parsed.hostname:
            raise SourceError(f"source {source.spec!r}: URL has no host")
        yield Target(url, source.name, source.timezone, source.extractor)


@hookimpl
def register_sources(register: Callable[[type[Source]], None]) -> None:
    register(WebSource)
