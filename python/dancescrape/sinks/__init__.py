"""The sink stage: deduplicated events out to databases, files and feeds."""

from dancescrape.sinks.base import Sink

__all__ = ["Sink"]
