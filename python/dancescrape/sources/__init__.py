"""The source stage: specs (URLs, files, folders) into documents to fetch."""

from dancescrape.sources.base import Source, SourceSpec

__all__ = ["Source", "SourceSpec"]
