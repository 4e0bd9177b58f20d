"""The normalise stage over one frame: text, styles, types, countries."""

from __future__ import annotations

import polars as pl

from dancescrape.normalise.addresses import fill_places
from dancescrape.normalise.event_types import event_type_expr
from dancescrape.normalise.styles import STYLE_SLUGS, styles_expr

__all__ = ["normalise_frame"]

_TEXT_COLUMNS = ("title", "description", "venue", "address", "city", "organizer", "price")


def _clean(column: str) -> pl.Expr:
    cleaned = pl.col(column).str.replace_all(r"\s+", " ").str.strip_chars()
    return pl.when(cleaned == "").then(None).otherwise(cleaned).alias(column)


def normalise_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Clean text, infer dance styles and event types, upper-case country codes."""
    if frame.is_empty():
        return frame
    frame = frame.with_columns(*(_clean(c) for c in _TEXT_COLUMNS))
    frame = fill_places(frame)
    text = pl.concat_str(
        # Not the venue: "Rivoli Ballroom" names a room, not a dance style.
        [pl.col("title"), pl.col("description"), pl.col("organizer")],
        separator=" \u2029 ",
        ignore_nulls=True,
    )
    known = set(STYLE_SLUGS)
    given = pl.col("dance_styles").list.eval(pl.element().filter(pl.element().is_in(list(known))))
    return frame.with_columns(
        pl.when(given.list.len() > 0)
        .then(given)
        .otherwise(styles_expr(text))
        .alias("dance_styles"),
        event_type_expr(pl.col("title"), pl.col("description"), pl.col("event_type")).alias(
            "event_type"
        ),
        pl.col("country").str.to_uppercase(),
        pl.col("currency").str.to_uppercase(),
    )
