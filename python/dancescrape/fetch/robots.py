"""robots.txt per origin, fetched once per run and read with protego (wildcards, Crawl-delay).

Unavailability follows RFC 9309: a 4xx robots.txt allows everything; a 5xx or an
unreachable one disallows everything for this run, since the site may be down or
overloaded and silence is not consent.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from urllib.parse import urlsplit

from protego import Protego

from dancescrape.errors import FetchError
from dancescrape.fetch.http import HttpStatusError

__all__ = ["RobotsCache", "RobotsRules", "agent_token", "origin_of"]

#: Fetches a robots.txt URL and returns its text; raises `FetchError` on failure.
RobotsLoader = Callable[[str], Awaitable[str]]


def origin_of(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme.lower()}://{parts.netloc.lower()}"


def agent_token(user_agent: str) -> str:
    """The product token robots.txt groups match on: "dancescrape/1.0 (+url)" → "dancescrape"."""
    return user_agent.split("/", 1)[0].split(" ", 1)[0].strip() or "*"


@dataclass(slots=True, frozen=True)
class RobotsRules:
    """What one origin's robots.txt says to one agent."""

    parser: Protego | None  # None means the verdict below applies to every path
    allow_all: bool = True
    reason: str = ""

    def allowed(self, url: str, agent: str) -> bool:
        if self.parser is None:
            return self.allow_all
        return bool(self.parser.can_fetch(url, agent))

    def crawl_delay(self, agent: str) -> float:
        if self.parser is None:
            return 0.0
        delay = self.parser.crawl_delay(agent)
        rate = self.parser.request_rate(agent)
        from_rate = rate.seconds / rate.requests if rate and rate.requests else 0.0
        return float(max(delay or 0.0, from_rate))

    def sitemaps(self) -> list[str]:
        return list(self.parser.sitemaps) if self.parser is not None else []


def parse_robots(text: str) -> RobotsRules:
    return RobotsRules(Protego.parse(text))


class RobotsCache:
    """The rules of each origin, loaded once even when many fetches ask at the same time."""

    def __init__(self, load: RobotsLoader) -> None:
        self._load = load
        self._rules: dict[str, asyncio.Future[RobotsRules]] = {}
        self._known: dict[str, RobotsRules] = {}

    async def rules(self, url: str) -> RobotsRules:
        origin = origin_of(url)
        known = self._known.get(origin)
        if known is not None:  # the common case: no future, no shield
            return known
        pending = self._rules.get(origin)
        if pending is None:
            pending = asyncio.ensure_future(self._fetch(origin))
            self._rules[origin] = pending
        rules = await asyncio.shield(pending)
        self._known[origin] = rules
        return rules

    async def _fetch(self, origin: str) -> RobotsRules:
        robots_url = origin + "/robots.txt"
        try:
            text = await self._load(robots_url)
        except HttpStatusError as exc:
            if 400 <= exc.status < 500:
                return RobotsRules(None, True, f"robots.txt answered HTTP {exc.status}")
            return RobotsRules(None, False, f"robots.txt unavailable ({exc.reason})")
        except FetchError as exc:
            return RobotsRules(None, False, f"robots.txt unavailable ({exc.reason})")
        return parse_robots(text)
