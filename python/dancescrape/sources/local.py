"""Local files and folders as sources: a folder yields every document file inside it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from pathlib import Path
from urllib.parse import unquote, urlparse

from dancescrape.errors import SourceError
from dancescrape.hookspecs import hookimpl
from dancescrape.model.document import Target
from dancescrape.sources.base import Source, SourceSpec

__all__ = ["DOCUMENT_SUFFIXES", "LocalSource"]

#: File endings a folder walk picks up; others (images, CSS) are not event documents.
DOCUMENT_SUFFIXES = frozenset({".html", ".htm", ".xhtml", ".json", ".jsonld", ".ics", ".pdf"})


def _path_of(spec: str) -> Path:
    if spec.startswith("file://"):
        return Path(unquote(urlparse(spec).path))
    return Path(spec).expanduser()


class LocalSource(Source):
    """A file, or a folder walked recursively in sorted order."""

    name = "local"
    priority = 200  # after URL kinds: a bare word is a path only if nothing else claims it

    def matches(self, spec: str) -> bool:
        scheme = urlparse(spec).scheme
        # A single-letter "scheme" is a Windows drive letter, not a URL.
        return scheme in ("", "file") or len(scheme) == 1

    def targets(self, source: SourceSpec) -> Iterator[Target]:
        path = _path_of(source.spec)
        if not path.exists():
            raise SourceError(f"source {source.spec!r}: no such file or folder")
        if path.is_file():
            yield self._target(path, source)
            return
        files = sorted(
            p for p in path.rglob("*") if p.is_file() and p.suffix.lower() in DOCUMENT_SUFFIXES
        )
        if not files:
            raise SourceError(
                f"source {source.spec!r}: folder holds no documents "
                f"({', '.join(sorted(DOCUMENT_SUFFIXES))})"
            )
        for file in files:
            yield self._target(file, source)

    @staticmethod
    def _target(path: Path, source: SourceSpec) -> Target:
        return Target(path.resolve().as_uri(), source.name, source.timezone, source.extractor)


@hookimpl
def register_sources(register: Callable[[type[Source]], None]) -> None:
    register(LocalSource)
