"""The hook contract of dancescrape: every plugin, built-in or third-party, implements these.

Plugins are found through the ``dancescrape`` entry-point group. Each ``register_*``
hook receives a ``register`` callable and calls it once per component class.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING, Any

import pluggy

if TYPE_CHECKING:
    from dancescrape.alerts.base import AlertChannel
    from dancescrape.extract.base import Extractor
    from dancescrape.pipeline.report import RunReport
    from dancescrape.sinks.base import Sink
    from dancescrape.sources.base import Source

__all__ = ["PROJECT", "hookimpl", "hookspec"]

PROJECT = "dancescrape"
hookspec = pluggy.HookspecMarker(PROJECT)
hookimpl = pluggy.HookimplMarker(PROJECT)


@hookspec
def register_sources(register: Callable[[type[Source]], None]) -> None:
    """Register source kinds that turn a source spec into documents to fetch."""


@hookspec
def register_extractors(register: Callable[[type[Extractor]], None]) -> None:
    """Register extractors that turn fetched documents into events."""


@hookspec
def register_sinks(register: Callable[[type[Sink]], None]) -> None:
    """Register sink kinds that write deduplicated events to a target."""


@hookspec
def register_alert_channels(register: Callable[[type[AlertChannel]], None]) -> None:
    """Register alert channels that tell operators about a run's problems."""


@hookspec
def run_started(run: dict[str, Any]) -> None:
    """Called once before the first source is read, with the run's id and settings."""


@hookspec
def run_finished(run: dict[str, Any], report: RunReport) -> None:
    """Called once after the sinks are closed, whether or not the run succeeded."""
