"""The fetch stage: a target in, a decoded `Document` out, by URL scheme."""

from __future__ import annotations

from types import TracebackType
from urllib.parse import urlparse

from dancescrape.errors import FetchError
from dancescrape.fetch.decode import decode_text
from dancescrape.fetch.http import HttpFetcher
from dancescrape.fetch.limits import FetchLimits
from dancescrape.fetch.local import read_local
from dancescrape.model.document import Document, Target

__all__ = ["Fetcher", "is_textual"]

_BINARY_TYPES = ("application/pdf", "application/octet-stream", "image/", "audio/", "video/")


def is_textual(media_type: str) -> bool:
    return not media_type.startswith(_BINARY_TYPES)


class Fetcher:
    """Use as `async with Fetcher(limits) as fetcher: doc = await fetcher.fetch(target)`."""

    def __init__(self, limits: FetchLimits) -> None:
        self.limits = limits
        self._http: HttpFetcher | None = None

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        if self._http is not None:
            await self._http.aclose()

    async def fetch(self, target: Target) -> Document:
        scheme = urlparse(target.url).scheme.lower()
        if scheme == "file":
            content, content_type = read_local(target.url, self.limits)
            url, status, headers = target.url, 200, {}
        elif scheme in ("http", "https"):
            if self._http is None:
                self._http = HttpFetcher(self.limits)
            url, content, content_type, status, headers = await self._http.get(target.url)
        else:
            raise FetchError(target.url, f"unsupported URL scheme {scheme!r}")
        media_type = content_type.split(";", 1)[0].strip().lower()
        text = decode_text(url, content, content_type) if is_textual(media_type) else None
        return Document(target, url, content, content_type, status, headers, text)
