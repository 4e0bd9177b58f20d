"""Limits and manners every fetch obeys, shared by the HTTP, local-file and browser fetchers."""

from __future__ import annotations

from dataclasses import dataclass, field

__all__ = ["FetchLimits", "HostLimits", "human_bytes"]


@dataclass(slots=True, frozen=True)
class HostLimits:
    """How hard one host may be hit: parallel requests and the gap between request starts."""

    concurrency: int = 2
    delay_seconds: float = 0.5


@dataclass(slots=True, frozen=True)
class FetchLimits:
    #: Per network step (connect, each read) as handed to httpx.
    timeout_seconds: float = 20.0
    #: Whole document, retries and trickling bodies included; it can never hang longer.
    deadline_seconds: float = 60.0
    max_redirects: int = 5
    max_body_bytes: int = 10 * 1024 * 1024
    #: Documents in flight across all hosts.
    concurrency: int = 8
    user_agent: str = "dancescrape"
    #: Polite defaults for every host, and overrides keyed by host or host:port.
    per_host: HostLimits = field(default_factory=HostLimits)
    hosts: dict[str, HostLimits] = field(default_factory=dict)
    #: Retries after the first attempt for timeouts, connection errors, 429 and 5xx.
    retries: int = 3
    backoff_seconds: float = 0.5
    backoff_max_seconds: float = 30.0
    #: Consecutive failures that open a host's circuit, and how long it stays open.
    breaker_failures: int = 5
    breaker_cooldown_seconds: float = 60.0
    obey_robots: bool = True

    def for_host(self, host: str) -> HostLimits:
        """The limits of `host` ("example.org" or "127.0.0.1:8080"); the port-less key also counts."""
        return self.hosts.get(host) or self.hosts.get(host.rsplit(":", 1)[0]) or self.per_host


def human_bytes(n: int) -> str:
    size = float(n)
    for unit in ("bytes", "KiB", "MiB"):
        if size < 1024 or unit == "MiB":
            return f"{size:.0f} {unit}" if unit == "bytes" else f"{size:.1f} {unit}"
        size /= 1024
    return f"{size:.1f} GiB"  # pragma: no cover - the loop returns first
