"""The harvest window: which local dates a run keeps."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from dancescrape.model.event import Event

__all__ = ["Window"]


@dataclass(slots=True, frozen=True)
class Window:
    """Inclusive range of local dates."""

    start: date
    end: date

    @classmethod
    def from_options(
        cls, start: date | None, end: date | None, horizon_days: int, today: date
    ) -> Window:
        first = start or today
        last = end or first + timedelta(days=horizon_days)
        if last < first:
            raise ValueError(f"--to {last.isoformat()} is before --from {first.isoformat()}")
        return cls(first, last)

    def keeps(self, event: Event) -> bool:
        """False for events that end before the window or start after it (in local time)."""
        if event.start.date() > self.end:
            return False
        if event.end is None:
            return event.start.date() >= self.start
        # An exclusive all-day end at midnight belongs to the day before.
        last_moment = (
            event.end - timedelta(microseconds=1) if event.end > event.start else event.end
        )
        return last_moment.date() >= self.start
