"""file:// fetching, under the same size cap as HTTP."""

from __future__ import annotations

import mimetypes
from pathlib import Path
from urllib.parse import unquote, urlparse

from dancescrape.errors import FetchError
from dancescrape.fetch.limits import FetchLimits, human_bytes

__all__ = ["guess_media_type", "read_local"]

_EXTRA_TYPES = {".jsonld": "application/ld+json", ".ics": "text/calendar"}


def guess_media_type(path: Path) -> str:
    suffix = path.suffix.lower()
    return (
        _EXTRA_TYPES.get(suffix) or mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    )


def read_local(url: str, limits: FetchLimits) -> tuple[bytes, str]:
    """(content, media type) of a file:// URL, or `FetchError`."""
    path = Path(unquote(urlparse(url).path))
    try:
        size = path.stat().st_size
        if size > limits.max_body_bytes:
            raise FetchError(
                url,
                f"file of {human_bytes(size)} exceeds the {human_bytes(limits.max_body_bytes)} limit",
            )
        return path.read_bytes(), guess_media_type(path)
    except OSError as exc:
        raise FetchError(url, f"cannot read file: {exc.strerror or exc}") from None
