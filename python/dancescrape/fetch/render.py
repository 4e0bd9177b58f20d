"""JavaScript rendering with Playwright on the system's (Debian's) Chromium.

One browser per run, launched on first use; one reused context; a cap on open pages;
images, fonts and media blocked; a timeout on every step. No browser is downloaded:
Chromium comes from the OS (`apt-get install chromium`) and is found on PATH.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from selectolax.lexbor import LexborHTMLParser

from dancescrape.errors import FetchError

if TYPE_CHECKING:
    from playwright.async_api import Page

__all__ = ["CHROMIUM_FLAGS", "RenderLimits", "Renderer", "find_chromium", "looks_script_built"]

#: Root needs --no-sandbox; the rest stop Chromium phoning home on a closed network.
CHROMIUM_FLAGS = (
    "--no-sandbox",
    "--disable-gpu",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--disable-dev-shm-usage",
)
_BLOCKED = frozenset({"image", "font", "media"})
_MOUNT_POINTS = "#root, #app, #__next, #__nuxt, [data-reactroot], [ng-app], [ng-version]"


@dataclass(slots=True, frozen=True)
class RenderLimits:
    executable: str | None = None
    max_pages: int = 4
    timeout_seconds: float = 20.0
    #: Extra settle time after the network goes idle, for calendars that render on a timer.
    settle_seconds: float = 0.2


def find_chromium(configured: str | None = None) -> str:
    """The Chromium to launch: the configured path, else the first of the usual names on PATH."""
    if configured:
        if not Path(configured).is_file():
            raise FileNotFoundError(f"configured Chromium {configured!r} does not exist")
        return configured
    for name in ("chromium", "chromium-browser", "google-chrome", "chrome"):
        found = shutil.which(name)
        if found:
            return found
    raise FileNotFoundError(
        "no Chromium on PATH; install Debian's `chromium` or set fetch.render.executable"
    )


def looks_script_built(html: str) -> bool:
    """Whether a page is plainly an app that builds its content with JavaScript.

    Scripts plus next to no text, or an app mount point (#root, #app, ...) with little
    text, or a <noscript> asking for JavaScript.
    """
    tree = LexborHTMLParser(html)
    scripts = tree.css("script")
    if not any(s.attributes.get("src") or (s.text() or "").strip() for s in scripts):
        return False
    noscript = " ".join(n.text() or "" for n in tree.css("noscript")).lower()
    mounted = bool(tree.css_first(_MOUNT_POINTS))
    tree.strip_tags(["script", "style", "noscript", "template"])
    body = tree.body
    text_length = len(" ".join((body.text(separator=" ") if body else "").split()))
    return text_length < 200 or (mounted and text_length < 2000) or "javascript" in noscript


class Renderer:
    """`html = await renderer.render(url)`; close with `await renderer.aclose()`."""

    def __init__(self, limits: RenderLimits, user_agent: str) -> None:
        self.limits = limits
        self.user_agent = user_agent
        self._pages = asyncio.Semaphore(limits.max_pages)
        self._start = asyncio.Lock()
        self._playwright: object | None = None
        self._browser: object | None = None
        self._context: object | None = None
        self.rendered = 0

    async def _context_ready(self, url: str) -> object:
        from playwright.async_api import Route, async_playwright

        async with self._start:
            if self._context is not None:
                return self._context
            try:
                executable = find_chromium(self.limits.executable)
            except FileNotFoundError as exc:
                raise FetchError(url, f"cannot render JavaScript: {exc}") from None
            timeout_ms = self.limits.timeout_seconds * 1000
            playwright = await async_playwright().start()
            self._playwright = playwright
            browser = await playwright.chromium.launch(
                executable_path=executable, args=list(CHROMIUM_FLAGS), timeout=timeout_ms
            )
            self._browser = browser
            context = await browser.new_context(
                user_agent=self.user_agent, java_script_enabled=True, service_workers="block"
            )
            context.set_default_timeout(timeout_ms)

            async def block_heavy(route: Route) -> None:
                if route.request.resource_type in _BLOCKED:
                    await route.abort()
                else:
                    await route.continue_()

            await context.route("**/*", block_heavy)
            self._context = context
            return context

    async def render(self, url: str) -> str:
        """The page's HTML after its scripts ran, or `FetchError` naming the URL and the step."""
        from playwright.async_api import BrowserContext
        from playwright.async_api import Error as PlaywrightError

        step = "launching Chromium"
        seconds = self.limits.timeout_seconds
        try:
            async with asyncio.timeout(seconds * 3):  # launch + load + settle, never longer
                context = await self._context_ready(url)
                assert isinstance(context, BrowserContext)
                async with self._pages:
                    step = "opening a page"
                    page = await context.new_page()
                    try:
                        step = "loading the page"
                        response = await page.goto(url, wait_until="load")
                        if response is not None and response.status >= 400:
                            raise FetchError(url, f"rendering got HTTP {response.status}")
                        step = "waiting for the network to go idle"
                        await self._settle(page)
                        step = "reading the rendered page"
                        html = await page.content()
                    finally:
                        await page.close()
        except FetchError:
            raise
        except TimeoutError:
            raise FetchError(url, f"rendering timed out while {step}") from None
        except PlaywrightError as exc:
            first = (exc.message or str(exc)).strip().splitlines()[0][:300]
            raise FetchError(url, f"rendering failed while {step}: {first}") from None
        self.rendered += 1
        return html

    async def _settle(self, page: Page) -> None:
        """Let scripts finish. A page that polls forever never goes idle: after the idle
        wait runs out we read it as it stands rather than lose what it has drawn."""
        from playwright.async_api import TimeoutError as PlaywrightTimeout

        idle_ms = min(self.limits.timeout_seconds, 5.0) * 1000
        with contextlib.suppress(PlaywrightTimeout):
            await page.wait_for_load_state("networkidle", timeout=idle_ms)
        await asyncio.sleep(self.limits.settle_seconds)

    async def aclose(self) -> None:
        from playwright.async_api import Browser, Playwright

        browser, playwright = self._browser, self._playwright
        self._context = self._browser = self._playwright = None
        if isinstance(browser, Browser):
            # A dying browser must not hide the run's result.
            with contextlib.suppress(Exception):
                await asyncio.wait_for(browser.close(), self.limits.timeout_seconds)
        if isinstance(playwright, Playwright):
            with contextlib.suppress(Exception):
                await asyncio.wait_for(playwright.stop(), self.limits.timeout_seconds)
