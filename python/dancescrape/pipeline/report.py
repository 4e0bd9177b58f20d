"""What a run did: counts, problems and the outcome, for the summary table and for hooks."""

from __future__ import annotations

from dataclasses import asdict, dataclass, field
from datetime import datetime
from typing import Any, Literal

from dancescrape.ops.secrets import mask_secrets

__all__ = ["Outcome", "Problem", "RunReport"]

Outcome = Literal["ok", "partial", "failed"]


@dataclass(slots=True, frozen=True)
class Problem:
    """One thing that went wrong: the stage, the input at fault, and why."""

    stage: str  # source, fetch, extract, plugin, sink, alert
    subject: str  # the URL, source spec, sink or plugin
    reason: str

    def as_dict(self) -> dict[str, str]:
        return {k: mask_secrets(v) for k, v in asdict(self).items()}


@dataclass(slots=True)
class RunReport:
    run_id: str
    started_at: datetime
    finished_at: datetime | None = None
    documents_fetched: int = 0
    documents_failed: int = 0
    events_extracted: int = 0
    events_outside_window: int = 0
    duplicates_merged: int = 0
    pairs_for_review: int = 0
    events_new: int = 0
    events_changed: int = 0
    events_written: dict[str, int] = field(default_factory=dict)
    problems: list[Problem] = field(default_factory=list)
    targets: int = 0
    sinks_failed: int = 0

    def add(self, stage: str, subject: str, reason: str) -> None:
        self.problems.append(Problem(stage, subject, reason))

    @property
    def seconds(self) -> float:
        end = self.finished_at or self.started_at
        return (end - self.started_at).total_seconds()

    @property
    def outcome(self) -> Outcome:
        nothing_fetched = self.targets == 0 or self.documents_fetched == 0
        all_sinks_failed = self.sinks_failed > 0 and not self.events_written
        if nothing_fetched or all_sinks_failed:
            return "failed"
        return "partial" if self.problems else "ok"

    def as_dict(self) -> dict[str, Any]:
        return {
            "run_id": self.run_id,
            "outcome": self.outcome,
            "started_at": self.started_at.isoformat(),
            "finished_at": self.finished_at.isoformat() if self.finished_at else None,
            "seconds": round(self.seconds, 3),
            "targets": self.targets,
            "documents_fetched": self.documents_fetched,
            "documents_failed": self.documents_failed,
            "events_extracted": self.events_extracted,
            "events_outside_window": self.events_outside_window,
            "duplicates_merged": self.duplicates_merged,
            "pairs_for_review": self.pairs_for_review,
            "events_new": self.events_new,
            "events_changed": self.events_changed,
            "events_written": {mask_secrets(k): v for k, v in self.events_written.items()},
            "problems": [p.as_dict() for p in self.problems],
        }
