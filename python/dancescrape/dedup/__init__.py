"""The dedup stage, backed by the Rust core (`dancescrape._core`).

The pipeline calls `dedup(frame, options)`; `HashCache` remembers events and pages
between runs.
"""

from dancescrape.dedup.cache import HashCache, HashCacheError
from dancescrape.dedup.core import DedupResult, DedupRows, DedupStats, dedup, dedup_rows
from dancescrape.dedup.exact import KEY_INPUTS, key_frame
from dancescrape.dedup.frames import DedupInputError
from dancescrape.dedup.options import DedupOptions

__all__ = [
    "KEY_INPUTS",
    "DedupInputError",
    "DedupOptions",
    "DedupResult",
    "DedupRows",
    "DedupStats",
    "HashCache",
    "HashCacheError",
    "dedup",
    "dedup_rows",
    "key_frame",
]
