"""The extract stage: fetched documents into typed events."""

from dancescrape.extract.base import ExtractContext, Extractor

__all__ = ["ExtractContext", "Extractor"]
