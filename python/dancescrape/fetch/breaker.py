"""A circuit breaker per host: stop hammering a host that keeps failing, probe it now and then.

closed → (N consecutive failures) → open → (cooldown passes) → half-open: one probe goes
through; its success closes the circuit, its failure opens it again for another cooldown.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import Literal

__all__ = ["BreakerBoard", "BreakerState", "CircuitBreaker", "CircuitOpen"]

BreakerState = Literal["closed", "open", "half-open"]


class CircuitOpen(Exception):
    """The host's circuit is open (or its one probe is already out); retry after `retry_in`."""

    def __init__(self, host: str, retry_in: float) -> None:
        self.host = host
        self.retry_in = retry_in
        super().__init__(
            f"circuit open for {host}: too many consecutive failures; next probe in {retry_in:.1f}s"
        )


@dataclass(slots=True)
class CircuitBreaker:
    host: str
    threshold: int = 5
    cooldown_seconds: float = 60.0
    clock: Callable[[], float] = time.monotonic
    failures: int = 0
    opened_at: float | None = None
    probing: bool = False

    @property
    def state(self) -> BreakerState:
        if self.opened_at is None:
            return "closed"
        if self.clock() - self.opened_at >= self.cooldown_seconds:
            return "half-open"
        return "open"

    def acquire(self) -> None:
        """Let a request through or raise `CircuitOpen`. Half-open admits exactly one probe."""
        state = self.state
        if state == "closed":
            return
        if state == "half-open" and not self.probing:
            self.probing = True
            return
        assert self.opened_at is not None
        remaining = self.cooldown_seconds - (self.clock() - self.opened_at)
        raise CircuitOpen(self.host, max(remaining, 0.0))

    def success(self) -> None:
        self.failures, self.opened_at, self.probing = 0, None, False

    def release(self) -> None:
        """Give back a probe that ended without a verdict (cancelled), so another may go."""
        self.probing = False

    def failure(self) -> None:
        self.failures += 1
        if self.probing or self.failures >= self.threshold:
            self.opened_at = self.clock()
        self.probing = False

    def snapshot(self) -> dict[str, object]:
        return {"state": self.state, "consecutive_failures": self.failures}


class BreakerBoard:
    """One breaker per host, created on first use; `states()` is what health and metrics read."""

    def __init__(
        self,
        threshold: int = 5,
        cooldown_seconds: float = 60.0,
        clock: Callable[[], float] = time.monotonic,
    ) -> None:
        self.threshold = threshold
        self.cooldown_seconds = cooldown_seconds
        self.clock = clock
        self._breakers: dict[str, CircuitBreaker] = {}

    def __getitem__(self, host: str) -> CircuitBreaker:
        breaker = self._breakers.get(host)
        if breaker is None:
            breaker = CircuitBreaker(host, self.threshold, self.cooldown_seconds, self.clock)
            self._breakers[host] = breaker
        return breaker

    def states(self) -> dict[str, dict[str, object]]:
        """{host: {"state": ..., "consecutive_failures": n}} for every host seen so far."""
        return {host: b.snapshot() for host, b in sorted(self._breakers.items())}
