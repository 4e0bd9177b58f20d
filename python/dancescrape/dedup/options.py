"""Options of the dedup stage, one frozen dataclass that config can map onto."""

from __future__ import annotations

import math
from dataclasses import dataclass, field

__all__ = ["DedupOptions"]


@dataclass(frozen=True, slots=True, kw_only=True)
class DedupOptions:
    """How candidate pairs are scored and which scores merge.

    A pair's score is the weighted mean of title, venue and time similarity, each in
    0..1. Pairs at or above `accept` merge; pairs in `[review, accept)` are reported
    for review and left apart.
    """

    window_minutes: float = 90.0
    """Starts further apart than this (same city and local date) never merge."""
    accept: float = 0.85
    review: float = 0.70
    venue_reject: float = 0.5
    """Venue similarity below this means clearly different places: never merged, even by chaining."""
    venue_missing: float = 0.7
    """Venue score used when either side has no venue."""
    title_weight: float = 0.65
    venue_weight: float = 0.25
    time_weight: float = 0.10
    cross_source_only: bool = True
    """Fuzzy merges only join different sources, and a cluster holds one event per source."""
    source_priority: tuple[str, ...] = field(default_factory=tuple)
    """Sources whose record leads a cluster, best first; unlisted sources follow."""

    def __post_init__(self) -> None:
        if not (math.isfinite(self.window_minutes) and self.window_minutes >= 0):
            raise ValueError(f"DedupOptions.window_minutes must be >= 0, got {self.window_minutes}")
        for name in ("accept", "review", "venue_reject", "venue_missing"):
            value = getattr(self, name)
            if not 0.0 <= value <= 1.0:
                raise ValueError(f"DedupOptions.{name} must be within 0..1, got {value}")
        if self.review > self.accept:
            raise ValueError(
                f"DedupOptions.review ({self.review}) must not exceed accept ({self.accept})"
            )
        weights = (self.title_weight, self.venue_weight, self.time_weight)
        if any(not (math.isfinite(w) and w >= 0) for w in weights) or sum(weights) <= 0:
            raise ValueError(
                f"DedupOptions weights must be >= 0 with a positive sum, got {weights}"
            )
        # A list passed by a config loader still freezes into a tuple.
        object.__setattr__(self, "source_priority", tuple(self.source_priority))
