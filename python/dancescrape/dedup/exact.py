"""The exact key columns of a frame, straight from the Rust core.

The key (xxh3-128 over folded title, place and start minute) is the first dedup step
and the basis of the stable `event_id`; `dedup()` uses it inside the core. This
function exposes the key columns for inspection and tests.
"""

from __future__ import annotations

import polars as pl

from dancescrape import _core

__all__ = ["KEY_INPUTS", "key_frame"]

KEY_INPUTS = ("title", "venue", "city", "start", "source", "source_event_id")


def key_frame(frame: pl.DataFrame) -> pl.DataFrame:
    """Key columns from the core: title_norm, place_norm, exact_key, source_key."""
    return pl.DataFrame(_core.exact_keys(frame.select(KEY_INPUTS)))
