"""What a frame handed to dedup must hold, and the error when it does not."""

from __future__ import annotations

import polars as pl

from dancescrape import _core
from dancescrape.dedup.exact import KEY_INPUTS

__all__ = ["CORE_INPUTS", "DedupInputError", "check_columns"]

#: Columns the core reads; `sources` (provenance of events merged earlier) is optional.
CORE_INPUTS = (*KEY_INPUTS, "timezone")


class DedupInputError(_core.CoreInputError):
    """A frame handed to dedup has a missing or mistyped column, or a bad value in one."""


def check_columns(frame: pl.DataFrame) -> None:
    """Raise `DedupInputError` naming the first of `CORE_INPUTS` the frame lacks.

    The core checks the same (and every type and value) itself; this is for code that
    works on such frames in polars.
    """
    missing = [c for c in CORE_INPUTS if c not in frame.columns]
    if missing:
        raise DedupInputError(
            f"column {missing[0]!r} is missing (frame has: {', '.join(frame.columns)})"
        )
