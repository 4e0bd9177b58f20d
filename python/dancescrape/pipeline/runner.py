"""The pipeline: sources → fetch → extract → normalise → dedup → sinks.

Every failure is recorded against the input at fault and the run goes on; events
already extracted are never dropped because a later document or sink failed.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from urllib.parse import urlparse

import polars as pl
from loguru import logger

from dancescrape import __version__
from dancescrape.alerts.base import Alert
from dancescrape.dedup.exact import exact_dedup
from dancescrape.errors import DocumentError, PluginError, SinkError, SourceError
from dancescrape.extract.base import ExtractContext, Extractor
from dancescrape.fetch.fetcher import Fetcher
from dancescrape.fetch.limits import FetchLimits
from dancescrape.model.document import Document, Target
from dancescrape.model.event import Event
from dancescrape.model.schema import empty_frame, events_to_frame
from dancescrape.normalise.normaliser import normalise_frame
from dancescrape.ops.config import Settings, SourceSettings
from dancescrape.ops.secrets import mask_secrets
from dancescrape.pipeline.report import RunReport
from dancescrape.pipeline.window import Window
from dancescrape.plugins.host import PluginHost, Registered
from dancescrape.sources.base import SourceSpec

__all__ = ["Pipeline", "Progress", "source_name"]


@dataclass(slots=True)
class Progress:
    """Callbacks for a progress display; the CLI plugs rich in, tests leave them empty."""

    total: Callable[[int], None] = lambda n: None
    advance: Callable[[str], None] = lambda url: None


def source_name(spec: str) -> str:
    """A readable default name: the host of a URL, the stem of a path."""
    parsed = urlparse(spec)
    if parsed.scheme in ("http", "https", "webcal") and parsed.hostname:
        return parsed.hostname
    return Path(parsed.path or spec).stem or spec


class Pipeline:
    def __init__(
        self,
        settings: Settings,
        host: PluginHost,
        window: Window,
        progress: Progress | None = None,
    ) -> None:
        self.settings = settings
        self.host = host
        self.window = window
        self.progress = progress or Progress()
        self.report = RunReport(run_id=uuid.uuid4().hex[:12], started_at=datetime.now(UTC))
        for failure in host.failures:
            self.report.add("plugin", failure.plugin, str(failure))
        self._extractors = sorted(
            host.extractors().values(), key=lambda r: (r.component.priority, r.component.name)
        )

    # -- the run ---------------------------------------------------------------------------

    def run(self) -> RunReport:
        return asyncio.run(self.arun())

    async def arun(self) -> RunReport:
        info = {"run_id": self.report.run_id, "version": __version__, "env": self.settings.env}
        self.host.notify("run_started", run=info)
        try:
            targets = list(self._targets(self.settings.sources))
            self.report.targets = len(targets)
            events = await self._harvest(targets)
            frame = self._build_frame(events)
            deduped = exact_dedup(frame)
            self.report.duplicates_merged = deduped.merged
            now = datetime.now(UTC)
            final = deduped.events.with_columns(
                first_seen=pl.lit(now, dtype=pl.Datetime("us", "UTC")),
                last_seen=pl.lit(now, dtype=pl.Datetime("us", "UTC")),
            )
            self._write(final)
        finally:
            self.report.finished_at = datetime.now(UTC)
            self._alert()
            self.host.notify("run_finished", run=info, report=self.report)
        return self.report

    # -- sources ---------------------------------------------------------------------------

    def _targets(self, sources: Iterable[SourceSettings]) -> Iterable[Target]:
        kinds = sorted(
            self.host.sources().values(), key=lambda r: (r.component.priority, r.component.name)
        )
        for conf in sources:
            spec = SourceSpec(
                conf.url, conf.name or source_name(conf.url), conf.timezone, conf.extractor
            )
            kind = next((k for k in kinds if k.component().matches(spec.spec)), None)
            if kind is None:
                self.report.add("source", spec.spec, "no source kind understands this spec")
                continue
            try:
                yield from list(kind.component().targets(spec))
            except SourceError as exc:
                self.report.add("source", spec.spec, str(exc))
            except Exception as exc:
                self.report.add("source", spec.spec, str(self.host.guard(kind, "targets")(exc)))

    # -- fetch and extract -----------------------------------------------------------------

    async def _harvest(self, targets: list[Target]) -> list[Event]:
        fetch = self.settings.fetch
        limits = FetchLimits(
            timeout_seconds=fetch.timeout_seconds,
            max_redirects=fetch.max_redirects,
            max_body_bytes=fetch.max_body_bytes,
            concurrency=fetch.concurrency,
            user_agent=fetch.user_agent.format(version=__version__),
        )
        self.progress.total(len(targets))
        gate = asyncio.Semaphore(fetch.concurrency)
        # Results are kept in target order, so the run is deterministic however fetches interleave:
        # the first source in the config leads when duplicates merge.
        per_target: list[list[Event]] = [[] for _ in targets]
        async with Fetcher(limits) as fetcher:

            async def one(index: int) -> tuple[int, Document | DocumentError]:
                async with gate:
                    try:
                        return index, await fetcher.fetch(targets[index])
                    except DocumentError as exc:
                        return index, exc

            for next_done in asyncio.as_completed([one(i) for i in range(len(targets))]):
                index, result = await next_done
                if isinstance(result, DocumentError):
                    self.report.documents_failed += 1
                    self.report.add(result.stage, result.url, result.reason)
                else:
                    self.report.documents_fetched += 1
                    per_target[index] = self._extract(result)
                self.progress.advance(targets[index].url)
        return [event for events in per_target for event in events]

    def _choose(self, document: Document) -> Registered[Extractor] | None:
        wanted = document.target.extractor
        if wanted is not None:
            return next((r for r in self._extractors if r.component.name == wanted), None)
        for registered in self._extractors:
            try:
                if registered.component().accepts(document):
                    return registered
            except Exception as exc:
                self.report.add(
                    "plugin", registered.plugin, str(self.host.guard(registered, "accepts")(exc))
                )
        return None

    def _extract(self, document: Document) -> list[Event]:
        registered = self._choose(document)
        if registered is None:
            reason = (
                f"no extractor named {document.target.extractor!r}"
                if document.target.extractor
                else f"no extractor accepts this document (type {document.media_type or 'unknown'})"
            )
            self.report.add("extract", document.url, reason)
            return []
        context = ExtractContext(
            timezone=document.target.timezone or self.settings.run.timezone,
            window_start=self.window.start,
            window_end=self.window.end,
        )
        try:
            events = list(registered.component().extract(document, context))
        except DocumentError as exc:
            self.report.add(exc.stage, exc.url, exc.reason)
            return []
        except Exception as exc:  # a broken extractor must not end the run
            error: PluginError = self.host.guard(registered, "extract")(exc)
            self.report.add("extract", document.url, str(error))
            return []
        finally:
            for problem in context.problems:
                self.report.add(problem.stage, problem.url, problem.reason)
        bad = [e for e in events if not isinstance(e, Event)]
        if bad:
            self.report.add(
                "extract",
                document.url,
                f"extractor {registered.component.name!r} returned {type(bad[0]).__name__}, not Event",
            )
            events = [e for e in events if isinstance(e, Event)]
        self.report.events_extracted += len(events)
        return events

    # -- normalise, window -----------------------------------------------------------------

    def _build_frame(self, events: list[Event]) -> pl.DataFrame:
        kept = [e for e in events if self.window.keeps(e)]
        self.report.events_outside_window = len(events) - len(kept)
        size = self.settings.run.batch_size
        batches = [
            normalise_frame(events_to_frame(kept[i : i + size])) for i in range(0, len(kept), size)
        ]
        return pl.concat(batches) if batches else empty_frame()

    # -- sinks and alerts ------------------------------------------------------------------

    def _write(self, frame: pl.DataFrame) -> None:
        kinds = self.host.sinks()
        size = self.settings.run.batch_size
        for spec in self.settings.sinks:
            kind, _, target = spec.partition(":")
            shown = mask_secrets(spec)
            registered = kinds.get(kind)
            if registered is None:
                self.report.sinks_failed += 1
                self.report.add(
                    "sink", shown, f"unknown sink kind {kind!r} (known: {', '.join(sorted(kinds))})"
                )
                continue
            try:
                sink = registered.component(target)
                sink.open()
                written = 0
                try:
                    for offset in range(0, frame.height, size):
                        written += sink.write(frame.slice(offset, size))
                finally:
                    sink.close()
                self.report.events_written[shown] = written
                logger.info("wrote {} events to {}", written, shown)
            except SinkError as exc:
                self.report.sinks_failed += 1
                self.report.add("sink", shown, mask_secrets(str(exc)))
            except Exception as exc:
                self.report.sinks_failed += 1
                self.report.add(
                    "sink", shown, mask_secrets(str(self.host.guard(registered, "write")(exc)))
                )

    def _alert(self) -> None:
        report = self.report
        if not report.problems:
            return
        severity = "error" if report.outcome == "failed" else "warning"
        first = report.problems[:5]
        alert = Alert(
            severity=severity,
            title=f"run {report.run_id} {report.outcome}",
            message=f"{len(report.problems)} problem(s); first: "
            + "; ".join(f"[{p.stage}] {p.subject}: {p.reason}" for p in first),
            details={"run_id": report.run_id, "outcome": report.outcome},
        )
        channels = self.host.alert_channels()
        for name in self.settings.alerts:
            registered = channels.get(name)
            if registered is None:
                report.add(
                    "alert", name, f"unknown alert channel (known: {', '.join(sorted(channels))})"
                )
                continue
            try:
                registered.component().send(alert)
            except Exception as exc:
                report.add("alert", name, str(self.host.guard(registered, "send")(exc)))
