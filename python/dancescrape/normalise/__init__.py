"""The normalise stage: consistent text, styles, event types, prices and places."""

from dancescrape.normalise.normaliser import normalise_frame

__all__ = ["normalise_frame"]
