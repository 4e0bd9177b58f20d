"""Limits every fetch obeys, shared by the HTTP and local-file fetchers."""

from __future__ import annotations

from dataclasses import dataclass

__all__ = ["FetchLimits", "human_bytes"]


@dataclass(slots=True, frozen=True)
class FetchLimits:
    timeout_seconds: float = 20.0
    max_redirects: int = 5
    max_body_bytes: int = 10 * 1024 * 1024
    concurrency: int = 8
    user_agent: str = "dancescrape"


def human_bytes(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KiB", "MiB"):
        if size < 1024 or unit == "MiB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"  # pragma: no cover - the loop returns first
