"""Properties of the pure parts of the fetcher: backoff, Retry-After, breaker, robots, store."""

from __future__ import annotations

import random
import tempfile
from datetime import UTC, datetime, timedelta
from email.utils import format_datetime
from pathlib import Path

from hypothesis import example, given, settings
from hypothesis import strategies as st

from dancescrape.fetch.breaker import BreakerBoard, CircuitBreaker, CircuitOpen
from dancescrape.fetch.conditional import ValidatorStore
from dancescrape.fetch.retry import RETRY_STATUSES, RetryPolicy, parse_retry_after
from dancescrape.fetch.robots import agent_token, parse_robots


@given(
    attempt=st.integers(0, 200),
    base=st.floats(0.0, 10.0),
    cap=st.floats(0.0, 120.0),
    seed=st.integers(),
)
def test_backoff_stays_within_its_exponential_ceiling(
    attempt: int, base: float, cap: float, seed: int
) -> None:
    policy = RetryPolicy(3, base, cap)
    wait = policy.delay(attempt, rng=random.Random(seed))
    assert 0.0 <= wait <= min(cap, base * 2.0 ** min(attempt, 62)) + 1e-9


@given(retry_after=st.floats(-100.0, 1e6), cap=st.floats(0.0, 120.0))
def test_retry_after_wins_but_is_capped(retry_after: float, cap: float) -> None:
    wait = RetryPolicy(3, 0.5, cap).delay(0, retry_after)
    assert wait == min(max(retry_after, 0.0), cap)


@given(st.integers(0, 10), st.one_of(st.none(), st.integers(100, 599)))
def test_only_transient_failures_are_retried(attempt: int, status: int | None) -> None:
    policy = RetryPolicy(retries=3)
    expected = attempt < 3 and (status is None or status in RETRY_STATUSES)
    assert policy.should_retry(attempt, status) is expected


@given(st.text(max_size=80))
@example("²")  # a Unicode digit that int() refuses
def test_retry_after_parsing_never_raises(text: str) -> None:
    value = parse_retry_after(text)
    assert value is None or value >= 0.0


@given(st.integers(0, 10**6))
def test_retry_after_reads_seconds_and_http_dates(seconds: int) -> None:
    now = datetime(2026, 11, 29, 12, 0, tzinfo=UTC)
    assert parse_retry_after(str(seconds), now) == float(seconds)
    as_date = format_datetime(now + timedelta(seconds=seconds), usegmt=True)
    assert parse_retry_after(as_date, now) == float(seconds)


class Clock:
    def __init__(self) -> None:
        self.now = 0.0

    def __call__(self) -> float:
        return self.now


@given(st.lists(st.sampled_from(["ok", "fail", "wait"]), max_size=60), st.integers(1, 5))
def test_breaker_state_machine(steps: list[str], threshold: int) -> None:
    clock = Clock()
    breaker = CircuitBreaker("h", threshold, 10.0, clock)
    streak = 0
    for step in steps:
        if step == "wait":
            clock.now += 10.0
            continue
        try:
            breaker.acquire()
        except CircuitOpen as exc:
            assert breaker.state == "open" or breaker.probing
            assert exc.retry_in >= 0.0
            continue
        if step == "ok":
            breaker.success()
            streak = 0
            assert breaker.state == "closed"
        else:
            was_probe = breaker.probing
            breaker.failure()
            streak += 1
            if streak >= threshold or was_probe:
                assert breaker.state == "open"


def test_half_open_admits_exactly_one_probe() -> None:
    clock = Clock()
    board = BreakerBoard(threshold=1, cooldown_seconds=5.0, clock=clock)
    board["h"].failure()
    assert board.states() == {"h": {"state": "open", "consecutive_failures": 1}}
    clock.now = 5.0
    assert board["h"].state == "half-open"
    board["h"].acquire()
    try:
        board["h"].acquire()
        raise AssertionError("a second probe went through")
    except CircuitOpen:
        pass
    board["h"].success()
    assert board.states()["h"]["state"] == "closed"


@settings(max_examples=200)
@given(st.text(max_size=500))
def test_robots_parsing_never_raises(text: str) -> None:
    rules = parse_robots(text)
    assert isinstance(rules.allowed("https://example.org/a/b", "dancescrape"), bool)
    assert rules.crawl_delay("dancescrape") >= 0.0


def test_robots_groups_and_wildcards() -> None:
    rules = parse_robots(
        "User-agent: dancescrape\nDisallow: /*.pdf$\nAllow: /events\nCrawl-delay: 3\n\n"
        "User-agent: *\nDisallow: /\n\nSitemap: https://example.org/sitemap.xml\n"
    )
    agent = agent_token("dancescrape/1.0 (+https://example.org)")
    assert agent == "dancescrape"
    assert rules.allowed("https://example.org/events/x", agent)
    assert not rules.allowed("https://example.org/files/june.pdf", agent)
    assert not rules.allowed("https://example.org/events", "otherbot")
    assert rules.crawl_delay(agent) == 3.0
    assert rules.sitemaps() == ["https://example.org/sitemap.xml"]


@settings(max_examples=50)
@given(
    st.dictionaries(
        st.text(min_size=1, max_size=30),
        st.tuples(
            st.one_of(st.none(), st.text(max_size=20)),
            st.one_of(st.none(), st.text(max_size=30)),
            st.binary(max_size=50),
        ),
        max_size=8,
    )
)
def test_validator_store_round_trips(
    entries: dict[str, tuple[str | None, str | None, bytes]],
) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "state" / "validators.json"
        store = ValidatorStore(path)
        for url, (etag, modified, body) in entries.items():
            headers = {k: v for k, v in (("ETag", etag), ("Last-Modified", modified)) if v}
            assert store.remember(url, headers, body) is False
        store.save()
        again = ValidatorStore(path)
        for url, (etag, modified, body) in entries.items():
            expected = {}
            if etag:
                expected["If-None-Match"] = etag
            if modified:
                expected["If-Modified-Since"] = modified
            assert again.request_headers(url) == expected
            assert again.remember(url, {}, body) is True


def test_validator_store_survives_a_damaged_file(tmp_path: Path) -> None:
    path = tmp_path / "validators.json"
    path.write_text("{not json", "utf-8")
    store = ValidatorStore(path)
    assert store.request_headers("https://x/") == {}
    assert store.remember("https://x/", {"ETag": '"1"'}, b"a") is False
    assert store.remember("https://x/", {"ETag": '"1"'}, b"a") is True
    store.save()
    again = ValidatorStore(path)
    assert again.request_headers("https://x/") == {"If-None-Match": '"1"'}
