"""Fuzzing the whole fetcher with a raw TCP server that answers arbitrary bytes."""

from __future__ import annotations

import asyncio
import socket
import threading
from collections.abc import Iterator
from contextlib import contextmanager

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dancescrape.errors import FetchError
from dancescrape.fetch.fetcher import Fetcher
from dancescrape.fetch.limits import FetchLimits, HostLimits
from dancescrape.model.document import Document, Target


@contextmanager
def raw_server(answer: list[bytes]) -> Iterator[str]:
    """Answer every connection with `answer[0]` after reading the request head, then close."""
    listener = socket.socket()
    listener.bind(("127.0.0.1", 0))
    listener.listen(8)
    listener.settimeout(0.2)
    stop = threading.Event()

    def loop() -> None:
        while not stop.is_set():
            try:
                conn, _ = listener.accept()
            except OSError:
                continue
            with conn:
                conn.settimeout(1.0)
                try:
                    conn.recv(65536)
                    conn.sendall(answer[0])
                except OSError:
                    pass

    thread = threading.Thread(target=loop, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{listener.getsockname()[1]}"
    finally:
        stop.set()
        thread.join(2)
        listener.close()


status_lines = st.one_of(
    st.sampled_from(
        [b"HTTP/1.1 200 OK", b"HTTP/1.1 301 Moved", b"HTTP/1.0 503 Busy", b"HTTP/1.1 999 ?"]
    ),
    st.binary(max_size=30),
)
header_lines = st.lists(
    st.one_of(
        st.sampled_from(
            [
                b"Content-Type: text/html; charset=utf-8",
                b"Content-Type: text/html; charset=bogus",
                b"Content-Encoding: gzip",
                b"Content-Length: 5",
                b"Content-Length: -1",
                b"Location: /",
                b"Location: http://[::1",
                b"Retry-After: soon",
                b"Transfer-Encoding: chunked",
            ]
        ),
        st.binary(max_size=40),
    ),
    max_size=5,
)

LIMITS = FetchLimits(
    timeout_seconds=1.0,
    deadline_seconds=2.0,
    retries=0,
    max_redirects=3,
    max_body_bytes=4096,
    per_host=HostLimits(4, 0.0),
    obey_robots=False,
    breaker_failures=10_000,
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(status_lines, header_lines, st.binary(max_size=200))
def test_any_answer_is_a_document_or_a_fetch_error(
    status: bytes, headers: list[bytes], body: bytes
) -> None:
    answer = [b"\r\n".join([status, *headers, b"", body])]
    with raw_server(answer) as base:

        async def once() -> Document | FetchError:
            async with Fetcher(LIMITS) as fetcher:
                try:
                    return await fetcher.fetch(Target(base + "/page.html", "fuzz"))
                except FetchError as exc:
                    return exc

        outcome = asyncio.run(once())
    if isinstance(outcome, FetchError):
        assert outcome.reason
    else:
        assert outcome.status < 400 and outcome.url.startswith(base)
