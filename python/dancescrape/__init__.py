"""dancescrape: harvest social dance events into one deduplicated table."""

from importlib.metadata import PackageNotFoundError, version

try:
    __version__ = version("dancescrape")
except PackageNotFoundError:  # running from a source tree without an install
    __version__ = "0.0.0+unknown"

from dancescrape.alerts.base import Alert, AlertChannel
from dancescrape.extract.base import ExtractContext, Extractor
from dancescrape.hookspecs import hookimpl
from dancescrape.model.document import Document, Target
from dancescrape.model.event import Event, Provenance
from dancescrape.sinks.base import Sink
from dancescrape.sources.base import Source, SourceSpec

__all__ = [
    "Alert",
    "AlertChannel",
    "Document",
    "Event",
    "ExtractContext",
    "Extractor",
    "Provenance",
    "Sink",
    "Source",
    "SourceSpec",
    "Target",
    "__version__",
    "hookimpl",
]
