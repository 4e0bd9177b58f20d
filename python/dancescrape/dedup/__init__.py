"""The dedup stage, backed by the Rust core (`dancescrape._core`)."""

from dancescrape.dedup.exact import ExactDedup, exact_dedup, key_frame

__all__ = ["ExactDedup", "exact_dedup", "key_frame"]
