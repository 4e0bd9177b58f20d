"""Built-in plugins: ordinary modules with hookimpls, registered like third-party ones."""

from __future__ import annotations

__all__ = ["BUILTIN_PLUGINS"]

BUILTIN_PLUGINS: tuple[str, ...] = (
    "dancescrape.sources.local",
    "dancescrape.sources.web",
    "dancescrape.extract.jsonld",
    "dancescrape.extract.microdata",
    "dancescrape.extract.ical",
    "dancescrape.extract.freetext",
    "dancescrape.extract.pdf",
    "dancescrape.extract.siterules",
    "dancescrape.sinks.sqlite",
    "dancescrape.sinks.jsonl",
    "dancescrape.alerts.log",
)
