"""The polite fetcher against a real loopback server: deadlines, retries, robots, limits."""

from __future__ import annotations

import asyncio
import threading
import time
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import pytest

from dancescrape.errors import FetchError
from dancescrape.fetch.conditional import ValidatorStore
from dancescrape.fetch.fetcher import Fetcher, host_of
from dancescrape.fetch.limits import FetchLimits, HostLimits
from dancescrape.model.document import Target
from loopback import Concurrency, Reply, serve

HTML = {"Content-Type": "text/html; charset=utf-8"}
FAST = HostLimits(concurrency=4, delay_seconds=0.0)


def limits(**overrides: object) -> FetchLimits:
    base: dict[str, object] = {
        "timeout_seconds": 5.0,
        "deadline_seconds": 10.0,
        "per_host": FAST,
        "retries": 2,
        "backoff_seconds": 0.01,
        "backoff_max_seconds": 0.05,
        "user_agent": "dancescrape/test (+https://example.org/contact)",
    }
    base.update(overrides)
    return FetchLimits(**base)  # type: ignore[arg-type]


async def fetch(lim: FetchLimits, url: str, **kwargs: object) -> object:
    async with Fetcher(lim) as fetcher:
        return await fetcher.fetch(Target(url, "test"), **kwargs)  # type: ignore[arg-type]


def fetch_error(lim: FetchLimits, url: str, **kwargs: object) -> FetchError:
    with pytest.raises(FetchError) as caught:
        asyncio.run(fetch(lim, url, **kwargs))
    assert caught.value.url == url
    return caught.value


class Recorder:
    """A route that answers from a script of replies and notes when each request came."""

    def __init__(self, *replies: Reply) -> None:
        self.replies = list(replies)
        self.stamps: list[float] = []
        self.lock = threading.Lock()

    def __call__(self, handler: BaseHTTPRequestHandler) -> Reply:
        with self.lock:
            self.stamps.append(time.monotonic())
            index = min(len(self.stamps), len(self.replies)) - 1
            return self.replies[index]


def test_slow_trickle_hits_the_document_deadline() -> None:
    body = b"<html>" + b"x" * 2000 + b"</html>"
    trickle = Reply(200, body, HTML, delay=0.2, chunks=100)  # ~20 s in all, each read is quick
    with serve(routes={"/slow.html": trickle}) as server:
        error = fetch_error(limits(deadline_seconds=1.0), server.url("/slow.html"))
    assert "deadline" in error.reason


def test_redirect_loop_is_a_document_error() -> None:
    routes = {
        "/a": Reply(302, b"", {"Location": "/b"}),
        "/b": Reply(302, b"", {"Location": "/a"}),
    }
    with serve(routes=routes) as server:
        error = fetch_error(limits(max_redirects=4), server.url("/a"))
    assert "redirect" in error.reason


def test_huge_body_is_refused_by_its_size() -> None:
    with serve(routes={"/big.html": Reply(200, b"<p>" + b"a" * 50_000, HTML)}) as server:
        error = fetch_error(limits(max_body_bytes=10_000), server.url("/big.html"))
    assert "exceeds" in error.reason


def test_5xx_is_retried_until_it_works() -> None:
    flaky = Recorder(Reply(503, b"busy"), Reply(502, b"busy"), Reply(200, b"<p>ok</p>", HTML))
    with serve(routes={"/flaky.html": flaky}) as server:
        document = asyncio.run(fetch(limits(retries=3), server.url("/flaky.html")))
    assert getattr(document, "text", None) == "<p>ok</p>"
    assert len(flaky.stamps) == 3


def test_retries_give_up_and_say_how_often_they_tried() -> None:
    down = Recorder(Reply(500, b"down"))
    with serve(routes={"/down.html": down}) as server:
        error = fetch_error(limits(retries=2), server.url("/down.html"))
    assert "HTTP 500" in error.reason and "3 attempts" in error.reason
    assert len(down.stamps) == 3


def test_404_is_not_retried() -> None:
    gone = Recorder(Reply(404, b"gone"))
    with serve(routes={"/gone.html": gone}) as server:
        error = fetch_error(limits(retries=3), server.url("/gone.html"))
    assert "404" in error.reason
    assert len(gone.stamps) == 1


def test_retry_after_is_honoured() -> None:
    limited = Recorder(
        Reply(429, b"slow down", {"Retry-After": "1"}), Reply(200, b"<p>ok</p>", HTML)
    )
    with serve(routes={"/limited.html": limited}) as server:
        asyncio.run(fetch(limits(backoff_max_seconds=5.0), server.url("/limited.html")))
    assert len(limited.stamps) == 2
    assert limited.stamps[1] - limited.stamps[0] >= 0.95


def test_robots_txt_disallow_and_the_per_source_exception() -> None:
    robots = Reply(200, b"User-agent: *\nDisallow: /private\n", {"Content-Type": "text/plain"})
    page = Reply(200, b"<p>members only</p>", HTML)
    with serve(routes={"/robots.txt": robots, "/private/page.html": page}) as server:
        url = server.url("/private/page.html")
        error = fetch_error(limits(), url)
        allowed = asyncio.run(fetch(limits(), url, obey_robots=False))
        paths = [p for p, _ in server.requests]
    assert "disallowed by robots.txt" in error.reason
    assert getattr(allowed, "text", None) == "<p>members only</p>"
    assert paths.count("/private/page.html") == 1  # only the exempted fetch reached it


@pytest.mark.parametrize(
    ("robots", "allowed"),
    [(Reply(404, b"none"), True), (Reply(503, b"down", {"Retry-After": "0"}), False)],
)
def test_unavailable_robots_txt_follows_rfc_9309(robots: Reply, allowed: bool) -> None:
    page = Reply(200, b"<p>hello</p>", HTML)
    with serve(routes={"/robots.txt": robots, "/page.html": page}) as server:
        url = server.url("/page.html")
        if allowed:
            assert getattr(asyncio.run(fetch(limits(retries=0), url)), "status", None) == 200
        else:
            assert "robots.txt unavailable" in fetch_error(limits(retries=0), url).reason


def test_crawl_delay_spaces_requests_to_a_host() -> None:
    robots = Reply(
        200, b"User-agent: dancescrape\nCrawl-delay: 0.4\n", {"Content-Type": "text/plain"}
    )
    page = Recorder(Reply(200, b"<p>a</p>", HTML))
    with serve(routes={"/robots.txt": robots, "/p": page}) as server:

        async def three() -> None:
            async with Fetcher(limits()) as fetcher:
                await asyncio.gather(
                    *(fetcher.fetch(Target(server.url(f"/p?n={n}"), "t")) for n in range(3))
                )

        asyncio.run(three())
    gaps = [b - a for a, b in zip(page.stamps, page.stamps[1:], strict=False)]
    assert len(gaps) == 2 and min(gaps) >= 0.35


def test_per_host_concurrency_is_capped() -> None:
    slow = Concurrency(Reply(200, b"<p>x</p>", HTML), hold=0.15)

    with serve(routes={"/s": slow}) as server:
        lim = limits(concurrency=8, hosts={host_of(server.base): HostLimits(2, 0.0)})

        async def many() -> None:
            async with Fetcher(lim) as fetcher:
                await asyncio.gather(
                    *(fetcher.fetch(Target(server.url(f"/s?n={n}"), "t")) for n in range(6))
                )

        asyncio.run(many())
    assert slow.peak == 2


def test_breaker_opens_then_lets_one_probe_through() -> None:
    answers: dict[str, Reply] = {"reply": Reply(500, b"down")}
    hits: list[str] = []

    def route(handler: BaseHTTPRequestHandler) -> Reply:
        hits.append(handler.path)
        return answers["reply"]

    with serve(routes={"/x": route, "/robots.txt": Reply(404, b"")}) as server:
        lim = limits(retries=0, breaker_failures=2, breaker_cooldown_seconds=0.3)

        async def scenario() -> list[str]:
            outcomes: list[str] = []
            async with Fetcher(lim) as fetcher:
                for n in range(3):
                    try:
                        await fetcher.fetch(Target(server.url(f"/x?n={n}"), "t"))
                        outcomes.append("ok")
                    except FetchError as exc:
                        outcomes.append(exc.reason)
                outcomes.append(str(fetcher.breakers.states()[host_of(server.base)]["state"]))
                await asyncio.sleep(0.35)
                answers["reply"] = Reply(200, b"<p>back</p>", HTML)
                await fetcher.fetch(Target(server.url("/x?n=probe"), "t"))
                outcomes.append(str(fetcher.breakers.states()[host_of(server.base)]["state"]))
            return outcomes

        outcomes = asyncio.run(scenario())
    assert outcomes[0].startswith("HTTP 500") and outcomes[1].startswith("HTTP 500")
    assert "circuit open" in outcomes[2]
    assert outcomes[3] == "open" and outcomes[4] == "closed"
    assert len(hits) == 3  # two failures and the probe; the open circuit sent nothing


def test_conditional_get_marks_an_unchanged_page(tmp_path: Path) -> None:
    (tmp_path / "site").mkdir()
    (tmp_path / "site" / "events.html").write_text("<p>Salsa on Friday</p>", "utf-8")
    store_path = tmp_path / "state" / "validators.json"
    with serve(tmp_path / "site") as server:
        url = server.url("/events.html")

        async def once() -> tuple[int, bool]:
            async with Fetcher(limits(), validators=ValidatorStore(store_path)) as fetcher:
                document = await fetcher.fetch(Target(url, "t"))
                return document.status, url in fetcher.unchanged

        first, second = asyncio.run(once()), asyncio.run(once())
        sent = [headers for path, headers in server.requests if path == "/events.html"]
    assert first == (200, False)
    assert second == (304, True)
    assert "If-None-Match" not in sent[0] and "If-None-Match" in sent[1]


def test_user_agent_names_the_contact_url() -> None:
    with serve(routes={"/ua": Reply(200, b"<p>x</p>", HTML)}) as server:
        asyncio.run(fetch(limits(), server.url("/ua")))
        agents = {headers.get("User-Agent") for _, headers in server.requests}
    assert agents == {"dancescrape/test (+https://example.org/contact)"}


def test_unreachable_host_is_retried_then_reported() -> None:
    with serve() as server:
        url = server.url("/x")
    # The server is gone: connections are refused.
    error = fetch_error(limits(retries=1, obey_robots=False), url)
    assert "cannot connect" in error.reason


def test_a_trickling_robots_txt_cannot_hang_the_fetch() -> None:
    robots = Reply(
        200,
        b"User-agent: *\nAllow: /\n" + b"#" * 200,
        {"Content-Type": "text/plain"},
        delay=0.2,
        chunks=50,
    )
    with serve(routes={"/robots.txt": robots, "/p": Reply(200, b"<p>x</p>", HTML)}) as server:
        error = fetch_error(limits(deadline_seconds=1.0), server.url("/p"))
    assert "deadline" in error.reason or "robots.txt unavailable" in error.reason


def test_redirects_are_followed_hop_by_hop_and_each_hop_obeys_robots() -> None:
    robots = Reply(200, b"User-agent: *\nDisallow: /private\n", {"Content-Type": "text/plain"})
    routes = {
        "/robots.txt": robots,
        "/old": Reply(301, b"", {"Location": "/new"}),
        "/new": Reply(302, b"", {"Location": "/final.html"}),
        "/final.html": Reply(200, b"<p>here</p>", HTML),
        "/sneaky": Reply(302, b"", {"Location": "/private/page.html"}),
        "/private/page.html": Reply(200, b"<p>secret</p>", HTML),
    }
    with serve(routes=routes) as server:
        document = asyncio.run(fetch(limits(), server.url("/old")))
        blocked = fetch_error(limits(), server.url("/sneaky"))
        paths = [p for p, _ in server.requests]
    assert getattr(document, "url", None) == server.url("/final.html")
    assert getattr(document, "text", None) == "<p>here</p>"
    assert "disallowed by robots.txt" in blocked.reason and "/private/page.html" in blocked.reason
    assert "/private/page.html" not in paths


def test_a_redirect_loop_is_named_with_its_chain() -> None:
    routes = {
        "/a": Reply(302, b"", {"Location": "/b"}),
        "/b": Reply(302, b"", {"Location": "/a"}),
    }
    with serve(routes=routes) as server:
        error = fetch_error(limits(max_redirects=10), server.url("/a"))
    assert error.reason.startswith("redirect loop: ")
    assert error.reason.count("→") == 2


def test_a_retry_after_past_the_deadline_fails_at_once_and_says_why() -> None:
    busy = Recorder(Reply(503, b"busy", {"Retry-After": "30"}))
    with serve(routes={"/busy.html": busy}) as server:
        began = time.monotonic()
        error = fetch_error(
            limits(deadline_seconds=5.0, backoff_max_seconds=60.0), server.url("/busy.html")
        )
        waited = time.monotonic() - began
    assert "past the deadline" in error.reason and "HTTP 503" in error.reason
    assert len(busy.stamps) == 1
    assert waited < 5.0  # it did not sit out the deadline first


def test_a_redirect_without_a_location_is_a_document_error() -> None:
    with serve(routes={"/nowhere": Reply(302, b"moved?", HTML)}) as server:
        error = fetch_error(limits(), server.url("/nowhere"))
    assert "without a Location" in error.reason
