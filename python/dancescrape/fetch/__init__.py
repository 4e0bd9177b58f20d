"""The fetch stage: documents from http(s) and local files, politely and within limits."""

from dancescrape.fetch.breaker import BreakerBoard, CircuitBreaker, CircuitOpen
from dancescrape.fetch.conditional import ValidatorStore
from dancescrape.fetch.fetcher import Fetcher
from dancescrape.fetch.limits import FetchLimits, HostLimits
from dancescrape.fetch.render import Renderer, RenderLimits, looks_script_built

__all__ = [
    "BreakerBoard",
    "CircuitBreaker",
    "CircuitOpen",
    "FetchLimits",
    "Fetcher",
    "HostLimits",
    "RenderLimits",
    "Renderer",
    "ValidatorStore",
    "looks_script_built",
]
