"""The fetch stage: a target in, a decoded `Document` out, by URL scheme, politely.

For http(s) every document passes, in order: the host's circuit breaker, robots.txt,
the host's concurrency and delay gate, then attempts with backoff. All of it runs under
one per-document deadline, so a server that trickles bytes cannot hold a fetch forever.
"""

from __future__ import annotations

import asyncio
from contextvars import ContextVar
from dataclasses import replace
from types import TracebackType
from urllib.parse import urljoin, urlsplit

from loguru import logger

from dancescrape.errors import FetchError
from dancescrape.fetch.breaker import BreakerBoard, CircuitOpen
from dancescrape.fetch.conditional import ValidatorStore
from dancescrape.fetch.decode import decode_text
from dancescrape.fetch.http import HttpFetcher, HttpResponse, HttpStatusError, TransientError
from dancescrape.fetch.limits import FetchLimits, human_bytes
from dancescrape.fetch.local import read_local
from dancescrape.fetch.politeness import HostGate
from dancescrape.fetch.render import Renderer, RenderLimits
from dancescrape.fetch.retry import RetryPolicy
from dancescrape.fetch.robots import RobotsCache, RobotsRules, agent_token
from dancescrape.model.document import Document, Target

__all__ = ["Fetcher", "host_of", "is_textual"]

_BINARY_TYPES = (
    "application/pdf",
    "application/octet-stream",
    "application/gzip",
    "application/x-gzip",
    "application/zip",
    "image/",
    "audio/",
    "video/",
)


def is_textual(media_type: str) -> bool:
    return not media_type.startswith(_BINARY_TYPES)


#: When the current document's deadline falls (loop time), so a retry can see it coming.
_DEADLINE: ContextVar[float | None] = ContextVar("dancescrape_fetch_deadline", default=None)


def _header(headers: dict[str, str], name: str) -> str | None:
    return next((v for k, v in headers.items() if k.lower() == name), None)


def host_of(url: str) -> str:
    """The key politeness and breakers use: host, plus the port when one is given."""
    return urlsplit(url).netloc.lower().rsplit("@", 1)[-1]


class Fetcher:
    """Use as `async with Fetcher(limits) as fetcher: doc = await fetcher.fetch(target)`."""

    def __init__(
        self,
        limits: FetchLimits,
        *,
        validators: ValidatorStore | None = None,
        render: RenderLimits | None = None,
    ) -> None:
        self.limits = limits
        self.validators = validators
        self.breakers = BreakerBoard(limits.breaker_failures, limits.breaker_cooldown_seconds)
        self.gate = HostGate(limits)
        self.policy = RetryPolicy(
            limits.retries, limits.backoff_seconds, limits.backoff_max_seconds
        )
        self.robots = RobotsCache(self._load_robots)
        self.agent = agent_token(limits.user_agent)
        self._render_limits = render or RenderLimits()
        self._renderer: Renderer | None = None
        self._http: HttpFetcher | None = None
        #: Target URLs whose content is the same as in the last run (conditional GET).
        self.unchanged: set[str] = set()

    async def __aenter__(self) -> Fetcher:
        return self

    async def __aexit__(
        self,
        exc_type: type[BaseException] | None,
        exc: BaseException | None,
        tb: TracebackType | None,
    ) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if self._renderer is not None:
            await self._renderer.aclose()
            self._renderer = None
        if self._http is not None:
            await self._http.aclose()
            self._http = None
        if self.validators is not None:
            self.validators.save()

    @property
    def http(self) -> HttpFetcher:
        if self._http is None:
            self._http = HttpFetcher(self.limits)
        return self._http

    # -- documents -------------------------------------------------------------------------

    async def fetch(
        self, target: Target, *, obey_robots: bool | None = None, conditional: bool = True
    ) -> Document:
        """Fetch `target`, or raise `FetchError` naming its URL and the reason.

        `obey_robots` False is a per-source exception to robots.txt; `conditional` False
        sends no validators, so a known page comes in full (crawl hubs need their links);
        its content hash still tells whether it changed.
        """
        scheme = urlsplit(target.url).scheme.lower()
        if scheme == "file":
            content, content_type = read_local(target.url, self.limits)
            return self._document(target, HttpResponse(target.url, 200, content, content_type, {}))
        if scheme not in ("http", "https"):
            raise FetchError(target.url, f"unsupported URL scheme {scheme!r}")
        deadline = self.limits.deadline_seconds
        try:
            async with asyncio.timeout(deadline):
                token = _DEADLINE.set(asyncio.get_running_loop().time() + deadline)
                try:
                    response = await self._fetch_http(target.url, obey_robots, conditional)
                finally:
                    _DEADLINE.reset(token)
        except TimeoutError:
            raise FetchError(
                target.url, f"no complete response within the {deadline:g}s deadline"
            ) from None
        return self._document(target, response)

    def _document(self, target: Target, response: HttpResponse) -> Document:
        media_type = response.content_type.split(";", 1)[0].strip().lower()
        text: str | None = None
        if response.status == 304:
            text = ""
        elif is_textual(media_type):
            text = decode_text(response.url, response.content, response.content_type)
        return Document(
            target,
            response.url,
            response.content,
            response.content_type,
            response.status,
            response.headers,
            text,
        )

    async def _fetch_http(
        self, url: str, obey_robots: bool | None, conditional: bool
    ) -> HttpResponse:
        host = host_of(url)
        breaker = self.breakers[host]
        try:
            breaker.acquire()
        except CircuitOpen as exc:
            raise FetchError(url, str(exc)) from None
        try:
            response = await self._polite_get(url, obey_robots, conditional)
        except (TransientError, HttpStatusError) as exc:
            if isinstance(exc, TransientError) or exc.status >= 500 or exc.status == 429:
                breaker.failure()
            else:
                breaker.success()  # a 404 is a healthy host saying no
            raise
        except FetchError:
            breaker.success()  # too large, robots.txt, redirects: the host itself is fine
            raise
        except BaseException:
            breaker.release()  # cancelled by the deadline or the run: no verdict on the host
            raise
        breaker.success()
        return response

    async def _polite_get(
        self, url: str, obey_robots: bool | None, conditional: bool
    ) -> HttpResponse:
        """GET `url`, following redirects one hop at a time: each hop obeys robots.txt and
        its own host's pace, and a loop is named as such."""
        obey = self.limits.obey_robots if obey_robots is None else obey_robots
        headers = self.validators.request_headers(url) if self.validators and conditional else {}
        chain = [url]
        while True:
            response = await self._attempts(url, chain[-1], obey, headers)
            location = _header(response.headers, "location")
            if not 300 <= response.status < 400 or response.status == 304:
                break
            if not location:
                raise FetchError(url, f"HTTP {response.status} without a Location to follow")
            try:
                hop = urljoin(chain[-1], location.strip())
            except ValueError:
                raise FetchError(url, f"redirected to an invalid URL {location!r}") from None
            if urlsplit(hop).scheme.lower() not in ("http", "https"):
                raise FetchError(url, f"redirected to {hop!r}, which is not http(s)")
            if hop in chain:
                raise FetchError(url, "redirect loop: " + " → ".join([*chain, hop]))
            if len(chain) > self.limits.max_redirects:
                raise FetchError(url, f"more than {self.limits.max_redirects} redirects")
            chain.append(hop)
            headers = {}
        if self.validators is not None:
            if response.status == 304:
                self.unchanged.add(url)
            elif self.validators.remember(url, response.headers, response.content):
                self.unchanged.add(url)  # fetched in full, but the same bytes as last time
        return response

    async def _attempts(
        self, target_url: str, url: str, obey: bool, headers: dict[str, str]
    ) -> HttpResponse:
        """One hop: robots.txt, the host's gate, then attempts with backoff."""
        rules: RobotsRules | None = None
        if obey:
            rules = await self.robots.rules(url)
            if not rules.allowed(url, self.agent):
                why = f" ({rules.reason})" if rules.reason else ""
                where = "" if url == target_url else f"redirected to {url}, "
                raise FetchError(target_url, f"{where}disallowed by robots.txt{why}")
        crawl_delay = rules.crawl_delay(self.agent) if rules is not None else 0.0
        host = host_of(url)
        attempt = 0
        while True:
            try:
                async with self.gate.slot(host, crawl_delay):
                    return await self.http.get(url, headers)
            except (TransientError, HttpStatusError) as exc:
                status = exc.status if isinstance(exc, HttpStatusError) else None
                if not self.policy.should_retry(attempt, status):
                    if attempt:
                        exc.reason = f"{exc.reason} (after {attempt + 1} attempts)"
                        exc.args = (f"{exc.url}: {exc.reason}",)
                    raise
                retry_after = exc.retry_after if isinstance(exc, HttpStatusError) else None
                wait = self.policy.delay(attempt, retry_after)
                deadline = _DEADLINE.get()
                if deadline is not None and asyncio.get_running_loop().time() + wait >= deadline:
                    # Waiting would only end in the deadline; say why now instead.
                    exc.reason = f"{exc.reason}; the next try (in {wait:.1f}s) is past the deadline"
                    exc.args = (f"{exc.url}: {exc.reason}",)
                    raise
                logger.debug("{}: {}; retrying in {:.2f}s", url, exc.reason, wait)
                await asyncio.sleep(wait)
                attempt += 1

    async def _load_robots(self, robots_url: str) -> str:
        # Shared by every page of the origin, so it gets a deadline of its own.
        deadline = self.limits.deadline_seconds
        try:
            async with asyncio.timeout(deadline):
                response = await self.http.get(robots_url, follow_redirects=True)
        except TimeoutError:
            raise TransientError(robots_url, f"no complete response within {deadline:g}s") from None
        return decode_text(robots_url, response.content, response.content_type or "text/plain")

    # -- JavaScript ------------------------------------------------------------------------

    async def render(self, document: Document) -> Document:
        """`document` again, its text and content replaced by the page as a browser builds it."""
        if self._renderer is None:
            self._renderer = Renderer(self._render_limits, self.limits.user_agent)
        url = document.url
        # robots.txt was checked when the page itself was fetched; keep the host's pace.
        async with self.gate.slot(host_of(url)):
            html = await self._renderer.render(url)
        content = html.encode("utf-8")
        if len(content) > self.limits.max_body_bytes:
            cap = human_bytes(self.limits.max_body_bytes)
            raise FetchError(
                url, f"rendered page of {human_bytes(len(content))} exceeds the {cap} limit"
            )
        return replace(
            document,
            content=html.encode("utf-8"),
            content_type="text/html; charset=utf-8",
            text=html,
        )
