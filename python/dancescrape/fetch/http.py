"""http(s) fetching on httpx: timeouts, a redirect limit and a body-size cap, streamed."""

from __future__ import annotations

import httpx

from dancescrape.errors import FetchError
from dancescrape.fetch.limits import FetchLimits, human_bytes

__all__ = ["HttpFetcher"]


class HttpFetcher:
    """One shared async client; every failure becomes a `FetchError` naming the URL."""

    def __init__(self, limits: FetchLimits) -> None:
        self.limits = limits
        self.client = httpx.AsyncClient(
            timeout=httpx.Timeout(limits.timeout_seconds),
            follow_redirects=True,
            max_redirects=limits.max_redirects,
            headers={"User-Agent": limits.user_agent, "Accept-Encoding": "gzip, deflate"},
            limits=httpx.Limits(max_connections=limits.concurrency * 2),
        )

    async def get(self, url: str) -> tuple[str, bytes, str, int, dict[str, str]]:
        """(final URL, body, content type, status, headers) of a successful GET."""
        cap = self.limits.max_body_bytes
        try:
            async with self.client.stream("GET", url) as response:
                if response.status_code >= 400:
                    raise FetchError(
                        url, f"HTTP {response.status_code} {response.reason_phrase}".strip()
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
                return (
                    str(response.url),
                    content,
                    response.headers.get("content-type", ""),
                    response.status_code,
                    dict(response.headers),
                )
        except FetchError:
            raise
        except httpx.TooManyRedirects:
            raise FetchError(url, f"more than {self.limits.max_redirects} redirects") from None
        except httpx.TimeoutException:
            raise FetchError(url, f"timed out after {self.limits.timeout_seconds:g}s") from None
        except httpx.ConnectError as exc:
            raise FetchError(url, f"cannot connect: {exc or 'connection refused'}") from None
        except httpx.HTTPError as exc:
            raise FetchError(url, f"{type(exc).__name__}: {exc}") from None

    async def aclose(self) -> None:
        await self.client.aclose()


def _decompress(url: str, data: bytes, encoding: str, cap: int) -> bytes:
    import zlib

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
