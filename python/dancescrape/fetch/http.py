"""One http(s) request on httpx: timeouts, a redirect limit and a body-size cap, streamed.

Retries, politeness, robots.txt and the per-document deadline live in `fetcher`; this
module only turns one attempt into a response or a typed error that says whether trying
again could help.
"""

from __future__ import annotations

import zlib
from dataclasses import dataclass

import httpx

from dancescrape.errors import FetchError
from dancescrape.fetch.limits import FetchLimits, human_bytes
from dancescrape.fetch.retry import parse_retry_after

__all__ = ["HttpFetcher", "HttpResponse", "HttpStatusError", "TransientError"]


class TransientError(FetchError):
    """A timeout or connection failure: the same request may well work a moment later."""


class HttpStatusError(FetchError):
    """The server answered with an error status; `retry_after` is its Retry-After in seconds."""

    def __init__(self, url: str, status: int, reason: str, retry_after: float | None) -> None:
        self.status = status
        self.retry_after = retry_after
        super().__init__(url, reason)


@dataclass(slots=True, frozen=True)
class HttpResponse:
    url: str  # after redirects
    status: int
    content: bytes
    content_type: str
    headers: dict[str, str]


class HttpFetcher:
    """One shared async client; every failure becomes a `FetchError` naming the URL."""

    def __init__(self, limits: FetchLimits) -> None:
        self.limits = limits
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(limits.timeout_seconds),
            # Documents follow redirects hop by hop in `fetcher`, so each hop is checked
            # against robots.txt and paced per host; robots.txt itself asks httpx to follow.
            follow_redirects=False,
            max_redirects=limits.max_redirects,
            headers={"User-Agent": limits.user_agent, "Accept-Encoding": "gzip, deflate"},
            limits=httpx.Limits(
                max_connections=limits.concurrency, max_keepalive_connections=limits.concurrency
            ),
        )

    async def get(
        self, url: str, headers: dict[str, str] | None = None, *, follow_redirects: bool = False
    ) -> HttpResponse:
        """The response to one GET; 3xx and 304 are returned, statuses ≥ 400 raise."""
        cap = self.limits.max_body_bytes
        try:
            async with self.client.stream(
                "GET", url, headers=headers, follow_redirects=follow_redirects
            ) as response:
                if response.status_code >= 400:
                    raise HttpStatusError(
                        url,
                        response.status_code,
                        f"HTTP {response.status_code} {response.reason_phrase}".strip(),
                        parse_retry_after(response.headers.get("retry-after")),
                    )
                declared = response.headers.get("content-length", "")
                if declared.isdigit() and int(declared) > cap:
                    raise FetchError(
                        url,
                        f"body of {human_bytes(int(declared))} exceeds the {human_bytes(cap)} limit",
                    )
                body = bytearray()
                async for chunk in response.aiter_raw():
                    body += chunk
                    if len(body) > cap:
                        raise FetchError(url, f"body exceeds the {human_bytes(cap)} limit")
                content = bytes(body)
                if response.headers.get("content-encoding"):
                    # aiter_raw skips decompression so the cap counts wire bytes; decode now.
                    content = _decompress(url, content, response.headers["content-encoding"], cap)
                return HttpResponse(
                    str(response.url),
                    response.status_code,
                    content,
                    response.headers.get("content-type", ""),
                    dict(response.headers),
                )
        except FetchError:
            raise
        except httpx.TooManyRedirects:
            raise FetchError(
                url, f"more than {self.limits.max_redirects} redirects (a redirect loop?)"
            ) from None
        except httpx.TimeoutException:
            raise TransientError(url, f"timed out after {self.limits.timeout_seconds:g}s") from None
        except (httpx.ConnectError, httpx.RemoteProtocolError, httpx.ReadError) as exc:
            raise TransientError(url, f"{_kind(exc)}: {exc or type(exc).__name__}") from None
        except httpx.InvalidURL as exc:
            raise FetchError(url, f"invalid URL: {exc}") from None
        except httpx.HTTPError as exc:
            raise FetchError(url, f"{type(exc).__name__}: {exc}") from None

    async def aclose(self) -> None:
        await self.client.aclose()


def _kind(exc: httpx.HTTPError) -> str:
    if isinstance(exc, httpx.ConnectError):
        return "cannot connect"
    return "connection broken"


def _decompress(url: str, data: bytes, encoding: str, cap: int) -> bytes:
    encoding = encoding.strip().lower()
    if encoding in ("identity", ""):
        return data
    if encoding not in ("gzip", "deflate", "x-gzip"):
        raise FetchError(url, f"unsupported Content-Encoding {encoding!r}")
    wbits = 16 + zlib.MAX_WBITS if "gzip" in encoding else zlib.MAX_WBITS
    decompressor = zlib.decompressobj(wbits)
    try:
        out = decompressor.decompress(data, cap + 1)
    except zlib.error as exc:
        raise FetchError(url, f"corrupt {encoding} body: {exc}") from None
    if len(out) > cap:
        raise FetchError(url, f"decompressed body exceeds the {human_bytes(cap)} limit")
    return out
