"""The source contract: a kind of source turns one spec into documents to fetch."""

from __future__ import annotations

from abc import ABC, abstractmethod
from collections.abc import Iterable
from dataclasses import dataclass
from typing import ClassVar

from dancescrape.model.document import Target

__all__ = ["Source", "SourceSpec"]


@dataclass(slots=True, frozen=True)
class SourceSpec:
    """One configured source: what the user wrote, plus per-source settings."""

    spec: str
    name: str
    timezone: str | None = None
    extractor: str | None = None


class Source(ABC):
    """A kind of source, such as local folders or http(s) URLs.

    Subclass it and register the class from a plugin::

        from dancescrape import Source, SourceSpec, Target, hookimpl

        class StudioApi(Source):
            name = "studio-api"

            def matches(self, spec: str) -> bool:
                return spec.startswith("studio:")

            def targets(self, source: SourceSpec):
                slug = source.spec.removeprefix("studio:")
                yield Target(f"https://api.studio.example/{slug}/events", source.name)

        @hookimpl
        def register_sources(register):
            register(StudioApi)
    """

    name: ClassVar[str]
    #: Lower numbers are asked first when several kinds match a spec.
    priority: ClassVar[int] = 100

    @abstractmethod
    def matches(self, spec: str) -> bool:
        """Whether this kind understands `spec` (a URL, a path, ...)."""

    @abstractmethod
    def targets(self, source: SourceSpec) -> Iterable[Target]:
        """The documents to fetch. Raise `SourceError` when the spec cannot be used."""
