"""Typed face of the Rust extension (rust/bindings.rs)."""

from typing import Any

__version__: str

class CoreInputError(ValueError):
    """A frame handed to the core has a missing or mistyped column."""

class CoreCacheError(ValueError):
    """The hash cache on disk is damaged or cannot be read or written."""

class ArrowStream:
    """Batches from the core; import with `polars.DataFrame(stream)` (Arrow PyCapsule interface)."""

    def __arrow_c_stream__(self, requested_schema: object | None = None) -> Any: ...

class HashStore:
    """The persistent fingerprint store; `dancescrape.dedup.cache.HashCache` wraps it."""

    @staticmethod
    def open(path: str, salvage: bool) -> HashStore: ...
    def observe(self, frame: Any, now_micros: int) -> ArrowStream:
        """first_seen, last_seen and change for every row (event_id + string content columns)."""
    def page_changed(self, url: str, content: bytes, now_micros: int) -> bool: ...
    def save(self) -> None: ...
    def compact(self) -> None: ...
    @property
    def problems(self) -> list[str]: ...
    def __len__(self) -> int: ...

def exact_keys(frame: Any) -> ArrowStream:
    """title_norm, place_norm, exact_key and source_key for every row of `frame`."""

def dedup(
    frame: Any,
    *,
    window_minutes: float,
    accept: float,
    review: float,
    venue_reject: float,
    venue_missing: float,
    title_weight: float,
    venue_weight: float,
    time_weight: float,
    cross_source_only: bool,
    source_priority: list[str],
) -> tuple[ArrowStream, ArrowStream, dict[str, int | float]]:
    """Normalise, key and dedup `frame`: (per-row results, review pairs, stats)."""

def fold_text(text: str) -> str:
    """Fold one string exactly as the keys do: NFKC + casefold, punctuation to spaces."""

def title_norm(text: str) -> str:
    """The title form fuzzy matching compares: folded, noise words dropped."""

def venue_norm(text: str) -> str:
    """The venue form fuzzy matching compares: folded, generic words dropped, short suffixes."""

def indel_similarity(a: str, b: str) -> float:
    """1 - Indel distance / total length, over code points (first 256 of each)."""

def token_set_similarity(a: str, b: str) -> float:
    """Token-set similarity in 0..1 (rapidfuzz's token_set_ratio / 100)."""
