"""Default names for sources that the config leaves unnamed."""

from __future__ import annotations

from pathlib import Path
from urllib.parse import urlparse

__all__ = ["source_name"]


def source_name(spec: str) -> str:
    """A readable default name: the host of a URL, the stem of a path."""
    parsed = urlparse(spec)
    if parsed.scheme in ("http", "https", "webcal") and parsed.hostname:
        return parsed.hostname
    return Path(parsed.path or spec).stem or spec
