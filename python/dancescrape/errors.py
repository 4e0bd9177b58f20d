"""Every error dancescrape raises on purpose, each naming the input at fault."""

from __future__ import annotations

__all__ = [
    "ConfigError",
    "DancescrapeError",
    "DocumentError",
    "ExtractError",
    "FetchError",
    "PluginError",
    "SinkError",
    "SourceError",
]


class DancescrapeError(Exception):
    """Base class of dancescrape's own errors."""


class ConfigError(DancescrapeError):
    """The configuration (a file, an environment variable or a flag) is invalid."""


class PluginError(DancescrapeError):
    """A plugin failed to load or raised from a hook.

    The message always names the plugin, its version and the hook.
    """

    def __init__(self, plugin: str, version: str | None, hook: str, reason: str) -> None:
        self.plugin = plugin
        self.version = version
        self.hook = hook
        self.reason = reason
        super().__init__(
            f"plugin {plugin!r} ({version or 'unknown version'}) failed in {hook}: {reason}"
        )


class SourceError(DancescrapeError):
    """A source spec (URL, path or folder) cannot be used."""


class DocumentError(DancescrapeError):
    """One document could not be fetched or read. The run goes on without it."""

    stage = "document"

    def __init__(self, url: str, reason: str) -> None:
        self.url = url
        self.reason = reason
        super().__init__(f"{url}: {reason}")


class FetchError(DocumentError):
    """A document could not be fetched: unreachable host, HTTP error, too large, ..."""

    stage = "fetch"


class ExtractError(DocumentError):
    """A fetched document held no usable events, or malformed structured data."""

    stage = "extract"


class SinkError(DancescrapeError):
    """A sink could not be opened or written."""
