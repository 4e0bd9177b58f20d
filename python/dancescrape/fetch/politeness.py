"""Per-host manners: at most N requests in flight to a host, and a gap between their starts."""

from __future__ import annotations

import asyncio
import time
from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from dataclasses import dataclass, field

from dancescrape.fetch.limits import FetchLimits

__all__ = ["HostGate"]


@dataclass(slots=True)
class _Host:
    slots: asyncio.Semaphore
    turn: asyncio.Lock = field(default_factory=asyncio.Lock)
    next_start: float = 0.0


class HostGate:
    """`async with gate.slot(host, extra_delay): ...` waits for the host's turn, then holds a slot.

    The gap is the larger of the host's configured delay and `extra_delay` (robots.txt's
    Crawl-delay), measured between request starts so slow responses do not add up.
    """

    def __init__(self, limits: FetchLimits, clock: Callable[[], float] = time.monotonic) -> None:
        self.limits = limits
        self.clock = clock
        self._hosts: dict[str, _Host] = {}

    def _host(self, host: str) -> _Host:
        state = self._hosts.get(host)
        if state is None:
            state = _Host(asyncio.Semaphore(self.limits.for_host(host).concurrency))
            self._hosts[host] = state
        return state

    @asynccontextmanager
    async def slot(self, host: str, extra_delay: float = 0.0) -> AsyncIterator[None]:
        state = self._host(host)
        delay = max(self.limits.for_host(host).delay_seconds, extra_delay)
        async with state.slots:
            if delay > 0 or state.next_start > self.clock():
                async with state.turn:
                    wait = state.next_start - self.clock()
                    if wait > 0:
                        await asyncio.sleep(wait)
                    state.next_start = self.clock() + delay
            yield
