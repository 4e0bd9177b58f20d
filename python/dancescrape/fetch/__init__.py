"""The fetch stage: documents from http(s) and local files, within limits."""

from dancescrape.fetch.fetcher import Fetcher
from dancescrape.fetch.limits import FetchLimits

__all__ = ["FetchLimits", "Fetcher"]
