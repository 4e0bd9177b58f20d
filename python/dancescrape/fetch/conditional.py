"""Conditional GET: remember each URL's ETag, Last-Modified and content hash between runs.

The validators live in a small JSON file at `fetch.state_path`. A 304, or a 200 whose
body is the same as last time, marks the document unchanged so extraction can be
skipped. Whether a body is the same is asked of the Rust hash cache when the store is
given one (`pages`), else of an xxhash digest kept in the JSON file.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

import xxhash

__all__ = ["PageHashes", "ValidatorStore", "Validators", "content_hash"]


class PageHashes(Protocol):
    """What the store needs of a page-hash cache (`dancescrape.dedup.cache.HashCache` fits)."""

    def page_changed(self, url: str, content: bytes) -> bool: ...

    def save(self) -> None: ...


def content_hash(content: bytes) -> str:
    return xxhash.xxh3_128_hexdigest(content)


@dataclass(slots=True, frozen=True)
class Validators:
    etag: str | None = None
    last_modified: str | None = None
    digest: str | None = None


class ValidatorStore:
    """URL → validators, loaded from and saved to `path` (None keeps it in memory only)."""

    def __init__(self, path: Path | None = None, pages: PageHashes | None = None) -> None:
        self.path = path
        self.pages = pages
        self._seen: dict[str, Validators] = {}
        if path is not None and path.is_file():
            self._seen = _load(path)

    def request_headers(self, url: str) -> dict[str, str]:
        known = self._seen.get(url)
        headers: dict[str, str] = {}
        if known is not None and known.etag:
            headers["If-None-Match"] = known.etag
        if known is not None and known.last_modified:
            headers["If-Modified-Since"] = known.last_modified
        return headers

    def remember(self, url: str, headers: dict[str, str], content: bytes) -> bool:
        """Record a 200 response; True when its body is the same as last time."""
        lower = {k.lower(): v for k, v in headers.items()}
        previous = self._seen.get(url)
        if self.pages is not None:
            same = not self.pages.page_changed(url, content)
            digest = None
        else:
            digest = content_hash(content)
            same = previous is not None and previous.digest == digest
        self._seen[url] = Validators(lower.get("etag"), lower.get("last-modified"), digest)
        return same

    def known(self, url: str) -> bool:
        return url in self._seen

    def save(self) -> None:
        """Write atomically, so a crash mid-write never leaves a half file."""
        if self.pages is not None:
            self.pages.save()
        if self.path is None:
            return
        data = {
            url: {"etag": v.etag, "last_modified": v.last_modified, "digest": v.digest}
            for url, v in sorted(self._seen.items())
        }
        self.path.parent.mkdir(parents=True, exist_ok=True)
        partial = self.path.with_name(self.path.name + ".part")
        partial.write_text(json.dumps(data, indent=0), "utf-8")
        partial.replace(self.path)


def _load(path: Path) -> dict[str, Validators]:
    # A damaged store only costs one full fetch of everything, so it is never an error.
    try:
        raw = json.loads(path.read_text("utf-8"))
    except (OSError, ValueError):
        return {}
    if not isinstance(raw, dict):
        return {}
    out: dict[str, Validators] = {}
    for url, value in raw.items():
        if isinstance(url, str) and isinstance(value, dict):
            fields = [value.get(k) for k in ("etag", "last_modified", "digest")]
            out[url] = Validators(*(f if isinstance(f, str) else None for f in fields))
    return out
