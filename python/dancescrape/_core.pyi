"""Typed face of the Rust extension (rust/bindings.rs)."""

from typing import Any

__version__: str

class CoreInputError(ValueError):
    """A frame handed to the core has a missing or mistyped column."""

class ArrowStream:
    """Batches from the core; import with `polars.DataFrame(stream)` (Arrow PyCapsule interface)."""

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> Any: ...

def exact_keys(frame: Any) -> ArrowStream:
    """title_norm, place_norm, exact_key and source_key for every row of `frame`."""

def fold_text(text: str) -> str:
    """Fold one string exactly as the keys do: NFKC + casefold, punctuation to spaces."""
