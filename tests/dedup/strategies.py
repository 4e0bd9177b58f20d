"""Hypothesis strategies for frames of dance listings (shared by the dedup tests)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import polars as pl
from hypothesis import strategies as st

from dancescrape.model.schema import PROVENANCE_DTYPE

__all__ = ["CITY_ZONES", "frames"]

CITY_ZONES = {"Vancouver": "America/Vancouver", "Oslo": "Europe/Oslo", "Tokyo": "Asia/Tokyo"}
WORDS = [
    "salsa",
    "bachata",
    "social",
    "night",
    "class",
    "presents",
    "DJ Ana",
    "Tango",
    "💃",
    "Zürich",
]
VENUES = ["The Loft", "Loft Dance Studio", "Harbour Ballroom", "Rivoli", "Casa Latina, 12 Main St"]
SOURCES = ["site", "tickets", "ics", "flyer"]
BASE = datetime(2026, 3, 1, 17, tzinfo=UTC)


@st.composite
def _row(draw: st.DrawFn) -> dict[str, object]:
    city = draw(st.sampled_from(sorted(CITY_ZONES)))
    title = " ".join(draw(st.lists(st.sampled_from(WORDS), min_size=1, max_size=4)))
    return {
        "title": title,
        "venue": draw(st.none() | st.sampled_from(VENUES)),
        "city": city,
        "timezone": CITY_ZONES[city],
        "start": BASE + timedelta(minutes=draw(st.integers(0, 3 * 24 * 60)) // 5 * 5),
        "source": draw(st.sampled_from(SOURCES)),
        "source_url": "https://example.org/",
        "source_event_id": draw(st.none() | st.text("abc123", min_size=1, max_size=3)),
        "url": None,
        "price": draw(st.none() | st.just("$10")),
    }


def to_frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    frame = pl.DataFrame(
        rows,
        schema={
            "title": pl.String, "venue": pl.String, "city": pl.String, "timezone": pl.String,
            "start": pl.Datetime("us", "UTC"), "source": pl.String, "source_url": pl.String,
            "source_event_id": pl.String, "url": pl.String, "price": pl.String,
        },
    )  # fmt: skip
    provenance = pl.struct("source", "source_url", "source_event_id", "url")
    return frame.with_columns(sources=pl.concat_list(provenance).cast(pl.List(PROVENANCE_DTYPE)))


def frames(max_size: int = 30) -> st.SearchStrategy[pl.DataFrame]:
    """Frames of listings: few words, venues and sources, so duplicates are common."""
    return st.lists(_row(), min_size=0, max_size=max_size).map(to_frame)
