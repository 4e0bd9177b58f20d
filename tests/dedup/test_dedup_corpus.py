"""Dedup on real-world listings: the Upcoming.org export from the shared corpus.

Its events are real titles and venues. Listed once, nothing merges; relisted by a
second source in another spelling (case, emoji, "presents", a later start, the venue
cut to its name), every event merges with its own copy and with no other.
"""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from zoneinfo import ZoneInfo

import icalendar
import polars as pl

from dancescrape.dedup import dedup
from dedup.strategies import to_frame

PORTLAND = ZoneInfo("America/Los_Angeles")


def _listings(corpus_dir: Path) -> list[dict[str, object]]:
    text = (corpus_dir / "ics" / "calagator" / "ical_upcoming_many.ics").read_bytes()
    rows = []
    for event in icalendar.Calendar.from_ical(text).walk("VEVENT"):
        start = event.decoded("DTSTART")
        if not isinstance(start, datetime):
            continue
        start = start.replace(tzinfo=start.tzinfo or PORTLAND).astimezone(UTC)
        rows.append(
            {
                "title": str(event.get("SUMMARY")),
                "venue": str(event.get("LOCATION", "")) or None,
                "city": "Portland", "timezone": "America/Los_Angeles", "start": start,
                "source": "upcoming", "source_url": "https://upcoming.example/",
                "source_event_id": str(event.get("UID")), "url": None, "price": None,
            }
        )  # fmt: skip
    return rows


def _relisted(row: dict[str, object]) -> dict[str, object]:
    venue = row["venue"]
    start = row["start"]
    assert isinstance(start, datetime)
    return row | {
        "title": f"DJ Ana presents {str(row['title']).upper()} 🎶",
        "venue": venue.split(" @ ")[0] if isinstance(venue, str) else None,
        "start": start + timedelta(minutes=30),
        "source": "tickets",
        "source_event_id": None,
    }


def test_real_listings_merge_only_with_their_own_copies(corpus_dir: Path) -> None:
    rows = _listings(corpus_dir)
    assert len(rows) >= 5  # the timed ones (all-day events have no start minute to shift)
    alone = dedup(to_frame(rows))
    merged_alone = alone.stats.merged
    both = dedup(to_frame(rows + [_relisted(r) for r in rows]))
    # Each copy joins exactly its original: one more merge per listing.
    assert both.stats.merged == merged_alone + len(rows)
    pairs = both.clusters.with_columns(original=pl.int_range(pl.len()) % len(rows))
    per_event = pairs.group_by("event_id").agg(pl.col("original").n_unique())
    assert (per_event["original"] == 1).all()
