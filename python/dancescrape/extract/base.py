"""The extractor contract: a fetched document in, typed events out."""

from __future__ import annotations

from abc import ABC, abstractmethod
from dataclasses import dataclass, field
from datetime import date

from dancescrape.errors import ExtractError
from dancescrape.model.document import Document
from dancescrape.model.event import Event

__all__ = ["ExtractContext", "Extractor", "conclude"]


@dataclass(slots=True)
class ExtractContext:
    """What an extractor may need beyond the document itself."""

    #: Zone for times given without one: the source's, else the run's `--timezone`.
    timezone: str
    #: Inclusive window of local dates; recurring series are expanded inside it.
    window_start: date
    window_end: date
    #: Problems with parts of a document whose other parts were fine.
    problems: list[ExtractError] = field(default_factory=list)

    def problem(self, url: str, reason: str) -> None:
        """Record a problem with one item; the document's other events are kept."""
        self.problems.append(ExtractError(url, reason))


class Extractor(ABC):
    """Turns one kind of document into events.

    Subclass it and register the class from a plugin::

        from dancescrape import Event, Extractor, hookimpl
        from dancescrape.errors import ExtractError

        class CsvSchedule(Extractor):
            name = "csv-schedule"

            def accepts(self, document):
                return document.media_type == "text/csv"

            def extract(self, document, context):
                events = [...]  # build dancescrape.Event objects
                if not events:
                    raise ExtractError(document.url, "no rows in the schedule")
                return events

        @hookimpl
        def register_extractors(register):
            register(CsvSchedule)

    Raise `ExtractError` for a document that holds nothing usable; call
    `context.problem(...)` for one bad item among good ones.
    """

    name: str
    #: Lower numbers are asked first when several extractors accept a document.
    priority: int = 100

    @abstractmethod
    def accepts(self, document: Document) -> bool:
        """Whether this extractor can read `document` (by media type, URL or a peek)."""

    @abstractmethod
    def extract(self, document: Document, context: ExtractContext) -> list[Event]:
        """The events in `document`."""


def conclude(
    document: Document,
    context: ExtractContext,
    events: list[Event],
    problems: list[str],
    found: int,
    nothing: str,
) -> list[Event]:
    """The verdict at the end of an extraction.

    Events come back with the other items' problems recorded; no events but some found
    means all fell outside the window (not an error); nothing found is an `ExtractError`
    saying `nothing`, with the first few problems as detail.
    """
    if not events:
        if found:
            return []
        detail = "; ".join(problems[:5])
        raise ExtractError(document.url, nothing + (f" ({detail})" if detail else ""))
    for reason in problems:
        context.problem(document.url, reason)
    return events
