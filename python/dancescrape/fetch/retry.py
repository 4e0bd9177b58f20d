"""When to try a request again and how long to wait: exponential backoff, full jitter, Retry-After."""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime
from email.utils import parsedate_to_datetime

__all__ = ["RETRY_STATUSES", "RetryPolicy", "parse_retry_after"]

#: Statuses that say "not now" rather than "never": rate limits and server trouble.
RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})


def parse_retry_after(value: str | None, now: datetime | None = None) -> float | None:
    """Seconds to wait from a Retry-After header (delta-seconds or an HTTP date); None if unusable."""
    if not value:
        return None
    text = value.strip()
    # ASCII digits only: str.isdigit() also accepts "²", which int() refuses.
    if text.isascii() and text.isdigit():
        return float(int(text))
    try:
        when = parsedate_to_datetime(text)
    except (TypeError, ValueError, IndexError, OverflowError):
        return None
    if when.tzinfo is None:
        when = when.replace(tzinfo=UTC)
    return max(0.0, (when - (now or datetime.now(UTC))).total_seconds())


@dataclass(slots=True, frozen=True)
class RetryPolicy:
    """`retries` more attempts after the first, waits growing as base·2^n, capped, fully jittered."""

    retries: int = 3
    base_seconds: float = 0.5
    max_seconds: float = 30.0

    def should_retry(self, attempt: int, status: int | None = None) -> bool:
        """Whether attempt number `attempt` (0 = the first) may be followed by another.

        `status` None means a timeout or connection error, which is always worth another go.
        """
        if attempt >= self.retries:
            return False
        return status is None or status in RETRY_STATUSES

    def delay(
        self, attempt: int, retry_after: float | None = None, rng: random.Random | None = None
    ) -> float:
        """Seconds before the attempt after `attempt`; a server's Retry-After wins but is capped."""
        if retry_after is not None:
            return min(max(retry_after, 0.0), self.max_seconds)
        # Full jitter spreads clients that failed together, so they do not return together.
        ceiling = min(self.max_seconds, self.base_seconds * (2.0 ** min(attempt, 62)))
        return (rng or random).uniform(0.0, ceiling)
