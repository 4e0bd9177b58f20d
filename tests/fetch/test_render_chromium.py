"""JavaScript rendering with the real system Chromium against a loopback server."""

from __future__ import annotations

import asyncio
import json
import os
import shutil
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from dancescrape.errors import FetchError
from dancescrape.fetch.fetcher import Fetcher
from dancescrape.fetch.limits import FetchLimits, HostLimits
from dancescrape.fetch.render import Renderer, RenderLimits, looks_script_built
from dancescrape.model.document import Target
from loopback import Concurrency, Reply, serve

FIXTURES = Path(__file__).resolve().parent.parent / "fixtures" / "js"
# Skipped on a developer machine without Chromium; under CI (CI=true) a missing browser fails.
needs_chromium = pytest.mark.skipif(
    shutil.which("chromium") is None and not os.environ.get("CI"),
    reason="Debian's chromium package is not installed (apt-get install chromium)",
)


async def render(url: str, limits: RenderLimits | None = None) -> str:
    renderer = Renderer(limits or RenderLimits(timeout_seconds=15.0), "dancescrape/test")
    try:
        return await renderer.render(url)
    finally:
        await renderer.aclose()


@needs_chromium
def test_renders_the_script_built_calendar_and_blocks_images() -> None:
    events = json.loads((FIXTURES / "calendar" / "events.json").read_text("utf-8"))["events"]
    with serve(FIXTURES) as server:
        html = asyncio.run(render(server.url("/calendar/")))
        paths = [path for path, _ in server.requests]
    assert all(event["name"] in html for event in events)
    assert 'type="application/ld+json"' in html
    assert "/calendar/events.json" in paths  # the script really ran and fetched its data
    assert "/calendar/banner.png" not in paths  # images are blocked


@needs_chromium
def test_a_page_that_never_loads_times_out_with_its_step() -> None:
    stuck = Reply(
        200,
        b'<html><body><script src="/never.js"></script></body></html>',
        {"Content-Type": "text/html; charset=utf-8"},
    )
    never = Reply(
        200, b"//" + b" " * 200, {"Content-Type": "text/javascript"}, delay=1.0, chunks=100
    )
    with serve(routes={"/stuck.html": stuck, "/never.js": never}) as server:
        url = server.url("/stuck.html")
        with pytest.raises(FetchError) as caught:
            asyncio.run(render(url, RenderLimits(timeout_seconds=1.5)))
    assert caught.value.url == url
    assert "timed out" in caught.value.reason or "Timeout" in caught.value.reason


@needs_chromium
def test_http_errors_while_rendering_are_document_errors() -> None:
    with serve(routes={}) as server:
        url = server.url("/missing.html")
        with pytest.raises(FetchError) as caught:
            asyncio.run(render(url))
    assert "HTTP 404" in caught.value.reason


def test_a_missing_browser_is_a_clear_document_error(tmp_path: Path) -> None:
    with pytest.raises(FetchError) as caught:
        asyncio.run(render("http://127.0.0.1:9/", RenderLimits(executable=str(tmp_path / "nope"))))
    assert "cannot render JavaScript" in caught.value.reason


def test_script_built_pages_are_told_from_plain_ones() -> None:
    calendar = (FIXTURES / "calendar" / "index.html").read_text("utf-8")
    details = (FIXTURES / "calendar" / "details.html").read_text("utf-8")
    assert looks_script_built(calendar)
    assert not looks_script_built(details)
    prose = "<p>" + "Salsa every Tuesday at the hall. " * 30 + "</p><script>track()</script>"
    assert not looks_script_built(prose)


@settings(max_examples=200)
@given(st.text(max_size=400))
def test_script_built_check_never_raises(text: str) -> None:
    assert isinstance(looks_script_built(text), bool)


@needs_chromium
def test_open_pages_are_capped_and_the_browser_is_reused() -> None:
    page = Reply(200, b"<html><body><p>hi</p></body></html>", {"Content-Type": "text/html"})
    slow = Concurrency(page, hold=0.3)

    async def three(base: str) -> tuple[list[str], int]:
        renderer = Renderer(RenderLimits(max_pages=1, timeout_seconds=15.0), "dancescrape/test")
        try:
            pages = await asyncio.gather(*(renderer.render(f"{base}/p{n}.html") for n in range(3)))
            return list(pages), renderer.rendered
        finally:
            await renderer.aclose()

    with serve(routes={f"/p{n}.html": slow for n in range(3)}) as server:
        pages, rendered = asyncio.run(three(server.base))
    assert all("<p>hi</p>" in page for page in pages)
    assert rendered == 3
    assert slow.peak == 1


@needs_chromium
def test_a_rendered_page_over_the_size_cap_is_refused() -> None:
    grows = Reply(
        200,
        b"<html><body><script>document.body.textContent = 'salsa '.repeat(20000);</script></body></html>",
        {"Content-Type": "text/html; charset=utf-8"},
    )
    limits = FetchLimits(max_body_bytes=20_000, per_host=HostLimits(2, 0.0), obey_robots=False)

    async def fetch_and_render(url: str) -> None:
        async with Fetcher(limits, render=RenderLimits(timeout_seconds=15.0)) as fetcher:
            await fetcher.render(await fetcher.fetch(Target(url, "t")))

    with serve(routes={"/grows.html": grows}) as server, pytest.raises(FetchError) as caught:
        asyncio.run(fetch_and_render(server.url("/grows.html")))
    assert "rendered page" in caught.value.reason and "exceeds" in caught.value.reason


@needs_chromium
def test_a_page_that_polls_forever_is_read_as_it_stands() -> None:
    poller = Reply(
        200,
        b"<html><body><p id='x'>waiting</p><script>"
        b"document.getElementById('x').textContent = 'Bachata Friday';"
        b"setInterval(() => fetch('/poll?' + Date.now()).catch(() => {}), 200);"
        b"</script></body></html>",
        {"Content-Type": "text/html; charset=utf-8"},
    )
    with serve(
        routes={
            "/live.html": poller,
            "/poll": Reply(200, b"{}", {"Content-Type": "application/json"}),
        }
    ) as server:
        html = asyncio.run(render(server.url("/live.html"), RenderLimits(timeout_seconds=2.0)))
    assert "Bachata Friday" in html
