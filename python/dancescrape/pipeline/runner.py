"""The pipeline: sources → fetch → extract → normalise → dedup → sinks.

The harvest is a work queue: each source's targets are seeds; a fetched page may be
rendered in Chromium (`render: js`, or `auto` for a script-built page with no events),
is extracted, and, for a source with `crawl` rules, leads to new targets.

Every failure is recorded against the input at fault and the run goes on; events
already extracted are never dropped because a later document or sink failed.
"""

from __future__ import annotations

import asyncio
import uuid
from collections.abc import Callable, Coroutine, Iterable
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlparse

import polars as pl
from loguru import logger

from dancescrape import __version__
from dancescrape.dedup.cache import HashCache, HashCacheError
from dancescrape.errors import DocumentError, PluginError, SourceError
from dancescrape.extract.base import ExtractContext, Extractor
from dancescrape.fetch.conditional import ValidatorStore
from dancescrape.fetch.fetcher import Fetcher
from dancescrape.fetch.limits import FetchLimits, HostLimits
from dancescrape.fetch.render import RenderLimits, looks_script_built
from dancescrape.model.document import Document, Target
from dancescrape.model.event import Event
from dancescrape.model.schema import empty_frame, events_to_frame
from dancescrape.normalise.normaliser import normalise_frame
from dancescrape.ops.config import Settings, SourceSettings
from dancescrape.pipeline.deduplicate import deduplicate
from dancescrape.pipeline.names import source_name
from dancescrape.pipeline.publish import send_alerts, write_sinks
from dancescrape.pipeline.report import RunReport
from dancescrape.pipeline.window import Window
from dancescrape.plugins.host import PluginHost, Registered
from dancescrape.sources.base import SourceSpec
from dancescrape.sources.crawl import (
    CrawlRules,
    Frontier,
    is_sitemap,
    may_paginate,
    page_links,
    sitemap_locations,
    sitemap_text,
)

__all__ = ["Pipeline", "Progress"]


@dataclass(slots=True)
class Progress:
    """Callbacks for a progress display; the CLI plugs rich in, tests leave them empty."""

    total: Callable[[int], None] = lambda n: None
    advance: Callable[[str], None] = lambda url: None


@dataclass(slots=True)
class _Job:
    """One document to fetch, its crawl depth and its place in the run's output order."""

    target: Target
    depth: int
    order: tuple[int, int, str]
    events: list[Event] = field(default_factory=list)


@dataclass(slots=True)
class _Extraction:
    events: list[Event] = field(default_factory=list)
    #: (stage, subject, reason), reported by `Pipeline._settle`.
    problems: list[tuple[str, str, str]] = field(default_factory=list)
    #: The document held nothing usable (as opposed to an extractor that broke).
    empty: bool = False


#: Documents at least this big (and every binary one, such as a PDF) leave the event loop.
_INLINE_EXTRACT_BYTES = 256 * 1024


def _script_built(document: Document) -> bool:
    return (
        bool(document.text)
        and "html" in document.media_type
        and looks_script_built(document.text or "")
    )


def _run_async(work: Coroutine[Any, Any, RunReport]) -> RunReport:
    """Run on uvloop where it is installed (it cuts the event loop's share of a big crawl
    by about a sixth), else on asyncio's own loop."""
    try:
        import uvloop
    except ImportError:  # pragma: no cover - uvloop is a dependency off Windows
        return asyncio.run(work)
    with asyncio.Runner(loop_factory=uvloop.new_event_loop) as runner:
        return runner.run(work)


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
        self._source_conf: dict[str, SourceSettings] = {}
        # One thread (started on first use): extractors need not be thread-safe (pdfium is
        # not), yet the event loop stays free while a heavy document is read.
        self._extract_thread = ThreadPoolExecutor(1, thread_name_prefix="dancescrape-extract")
        #: Each host's circuit breaker after the harvest, for health checks and metrics.
        self.host_health: dict[str, dict[str, object]] = {}
        self._extractors = sorted(
            host.extractors().values(), key=lambda r: (r.component.priority, r.component.name)
        )

    # -- the run ---------------------------------------------------------------------------

    def run(self) -> RunReport:
        return _run_async(self.arun())

    async def arun(self) -> RunReport:
        info = {"run_id": self.report.run_id, "version": __version__, "env": self.settings.env}
        self.host.notify("run_started", run=info)
        try:
            targets = list(self._targets(self.settings.sources))
            self.report.targets = len(targets)
            events = await self._harvest(targets)
            frame = self._build_frame(events)
            events_out = deduplicate(frame, self.settings, self.report)
            write_sinks(events_out, self.settings, self.host, self.report)
        finally:
            self.report.finished_at = datetime.now(UTC)
            send_alerts(self.settings, self.host, self.report)
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
            self._source_conf.setdefault(spec.name, conf)
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

    # -- fetch, render, crawl and extract ------------------------------------------------

    def _limits(self) -> FetchLimits:
        fetch = self.settings.fetch
        return FetchLimits(
            timeout_seconds=fetch.timeout_seconds,
            deadline_seconds=fetch.deadline_seconds,
            max_redirects=fetch.max_redirects,
            max_body_bytes=fetch.max_body_bytes,
            concurrency=fetch.concurrency,
            # replace, not format: a stray brace in a user's agent string is not an error
            user_agent=fetch.user_agent.replace("{version}", __version__).replace(
                "{contact}", fetch.contact_url
            ),
            per_host=HostLimits(fetch.per_host_concurrency, fetch.per_host_delay_seconds),
            hosts={h: HostLimits(v.concurrency, v.delay_seconds) for h, v in fetch.hosts.items()},
            retries=fetch.retries,
            backoff_seconds=fetch.backoff_seconds,
            backoff_max_seconds=fetch.backoff_max_seconds,
            breaker_failures=fetch.breaker_failures,
            breaker_cooldown_seconds=fetch.breaker_cooldown_seconds,
            obey_robots=fetch.obey_robots,
        )

    def _fetcher(self) -> Fetcher:
        fetch = self.settings.fetch
        render = RenderLimits(
            fetch.render.executable, fetch.render.max_pages, fetch.render.timeout_seconds
        )
        return Fetcher(self._limits(), validators=self._validators(), render=render)

    def _validators(self) -> ValidatorStore | None:
        """Conditional GET state at `fetch.state_path`, page hashes in the Rust hash cache."""
        if not self.settings.fetch.state_path:
            return None
        path = Path(self.settings.fetch.state_path)
        pages_path = path.with_name(path.name + ".pages")
        try:
            pages: HashCache | None = HashCache.open(pages_path)
        except HashCacheError as exc:  # fall back to digests in the JSON file
            self.report.add("fetch", str(pages_path), f"page hash cache unusable: {exc}")
            pages = None
        return ValidatorStore(path, pages)

    async def _harvest(self, targets: list[Target]) -> list[Event]:
        frontier = Frontier()
        # Pagination and shallow pages first: they lead to the rest, so every worker stays busy
        # instead of the next listing page waiting behind the event pages of the last one.
        queue: asyncio.PriorityQueue[tuple[int, int, _Job]] = asyncio.PriorityQueue()
        jobs: list[_Job] = []

        def enqueue(
            target: Target, depth: int, order: tuple[int, int, str], leads: bool = False
        ) -> None:
            job = _Job(target, depth, order)
            jobs.append(job)
            queue.put_nowait((0 if leads else depth + 1, len(jobs), job))

        for index, target in enumerate(targets):
            conf = self._source_conf.get(target.source)
            rules = CrawlRules.from_settings(conf.crawl) if conf and conf.crawl else None
            if frontier.add_seed(target, rules):
                enqueue(target, 0, (index, 0, ""))
        self.report.targets = len(jobs)
        self.progress.total(len(jobs))

        self._extract_thread = ThreadPoolExecutor(1, thread_name_prefix="dancescrape-extract")
        async with self._fetcher() as fetcher:

            async def worker() -> None:
                while True:
                    _, _, job = await queue.get()
                    try:
                        try:
                            found = await self._process(fetcher, frontier, job)
                        except Exception as exc:  # a bug here must cost one document, not the run
                            logger.exception("{}: unexpected failure", job.target.url)
                            self.report.documents_failed += 1
                            self.report.add("fetch", job.target.url, f"{type(exc).__name__}: {exc}")
                            found = []
                        for target, depth, pagination in found:
                            enqueue(target, depth, (job.order[0], depth, target.url), pagination)
                        if found:
                            self.report.targets = len(jobs)
                            self.progress.total(len(jobs))
                    finally:
                        self.progress.advance(job.target.url)
                        queue.task_done()

            workers = [
                asyncio.create_task(worker()) for _ in range(self.settings.fetch.concurrency)
            ]
            try:
                await queue.join()
            finally:
                for task in workers:
                    task.cancel()
                await asyncio.gather(*workers, return_exceptions=True)
                self.host_health = fetcher.breakers.states()
                self._extract_thread.shutdown(wait=False, cancel_futures=True)
        # Source order first, then depth and URL: the same events in the same order however
        # fetches interleave, and the first source in the config leads when duplicates merge.
        jobs.sort(key=lambda j: j.order)
        return [event for job in jobs for event in job.events]

    async def _process(
        self, fetcher: Fetcher, frontier: Frontier, job: _Job
    ) -> list[tuple[Target, int, bool]]:
        """Fetch, render and extract one job; return the new targets its page leads to."""
        target, depth = job.target, job.depth
        conf = self._source_conf.get(target.source)
        rules = frontier.rules(target.source)
        render = conf.render if conf else "auto"
        # A page whose links we follow must be fetched in full, even if unchanged.
        hub = rules is not None and (depth < rules.max_depth or rules.pagination)
        try:
            document = await fetcher.fetch(
                target, obey_robots=conf.robots if conf else None, conditional=not hub
            )
            if render == "js" and document.status != 304:
                document = await fetcher.render(document)
        except DocumentError as exc:
            self.report.documents_failed += 1
            self.report.add(exc.stage, exc.url, exc.reason)
            return []
        self.report.documents_fetched += 1
        if document.url != target.url:
            frontier.fetched(target.source, document.url)
        found = await self._discover(fetcher, frontier, document, depth) if rules else []
        if rules is not None and is_sitemap(document):
            return found  # a sitemap holds pages to visit, not events
        if target.url in fetcher.unchanged:
            logger.debug("{}: unchanged since the last run; extraction skipped", target.url)
            return found
        outcome = await self._extract_off_loop(document)
        if not outcome.events and render == "auto" and _script_built(document):
            rendered = await self._render_auto(fetcher, document, outcome)
            if rendered is not None:
                document, outcome = rendered
                if rules is not None:
                    found += await self._discover(fetcher, frontier, document, depth)
        # A page above the crawl's last level is a hub: holding no events is its nature.
        hub_level = rules is not None and depth < rules.max_depth
        self._settle(document, outcome, quiet_if_empty=bool(found) or hub_level)
        job.events = outcome.events
        return found

    async def _render_auto(
        self, fetcher: Fetcher, document: Document, static: _Extraction
    ) -> tuple[Document, _Extraction] | None:
        """Render a script-built page that had no events; None (and problems) if that fails."""
        try:
            rendered = await fetcher.render(document)
        except DocumentError as exc:
            static.problems.append(
                ("fetch", exc.url, f"page looks built by JavaScript and {exc.reason}")
            )
            return None
        logger.debug("{}: no events in the static page; rendered it with Chromium", document.url)
        return rendered, await self._extract_off_loop(rendered)

    async def _discover(
        self, fetcher: Fetcher, frontier: Frontier, document: Document, depth: int
    ) -> list[tuple[Target, int, bool]]:
        rules = frontier.rules(document.source)
        if rules is None:
            return []
        seed = document.target
        found: list[tuple[Target, int, bool]] = []

        def offer(url: str, at_depth: int, pagination: bool) -> None:
            admitted = frontier.admit(seed, url, pagination)
            if admitted is not None:
                found.append((admitted, at_depth, pagination))

        sitemap = sitemap_text(document)
        if sitemap is not None:
            if rules.sitemaps:
                pages, sitemaps = sitemap_locations(sitemap)
                for url in sitemaps:
                    offer(url, depth, True)
                for url in pages:
                    if depth < rules.max_depth:
                        offer(url, depth + 1, False)
            return found
        if depth == 0 and rules.sitemaps and urlparse(document.url).scheme in ("http", "https"):
            for url in (await fetcher.robots.rules(document.url)).sitemaps():
                offer(url, 0, True)
        if depth >= rules.max_depth and not (rules.pagination and may_paginate(document)):
            return found  # a leaf: only a "next page" link could lead on, and there is none
        for link in page_links(document):
            if link.pagination and rules.pagination:
                offer(link.url, depth, True)
            elif depth < rules.max_depth:
                offer(link.url, depth + 1, False)
        return found

    async def _extract_off_loop(self, document: Document) -> _Extraction:
        """Extract small text documents inline; PDFs and big pages on the extraction thread,
        so fetches in flight keep their timers honest while a heavy document is read."""
        if document.text is not None and len(document.content) < _INLINE_EXTRACT_BYTES:
            return self._extract(document)
        loop = asyncio.get_running_loop()
        limit = self.settings.fetch.deadline_seconds
        work = loop.run_in_executor(self._extract_thread, self._extract, document)
        try:
            return await asyncio.wait_for(work, limit)
        except TimeoutError:
            late = _Extraction(empty=True)
            late.problems.append(
                ("extract", document.url, f"extraction took longer than {limit:g}s")
            )
            return late

    def _choose(self, document: Document) -> Registered[Extractor] | None:
        wanted = document.target.extractor
        if wanted is not None:
            # "siterules:rules.yaml" names the extractor before the colon and its argument after.
            name = wanted.split(":", 1)[0]
            return next((r for r in self._extractors if r.component.name == name), None)
        for registered in self._extractors:
            try:
                if registered.component().accepts(document):
                    return registered
            except Exception as exc:
                self.report.add(
                    "plugin", registered.plugin, str(self.host.guard(registered, "accepts")(exc))
                )
        return None

    def _extract(self, document: Document) -> _Extraction:
        """Events and problems of one document; nothing is reported yet (see `_settle`)."""
        outcome = _Extraction()
        registered = self._choose(document)
        if registered is None:
            reason = (
                f"no extractor named {document.target.extractor!r}"
                if document.target.extractor
                else f"no extractor accepts this document (type {document.media_type or 'unknown'})"
            )
            outcome.problems.append(("extract", document.url, reason))
            outcome.empty = True
            return outcome
        context = ExtractContext(
            timezone=document.target.timezone or self.settings.run.timezone,
            window_start=self.window.start,
            window_end=self.window.end,
        )
        try:
            events = list(registered.component().extract(document, context))
        except DocumentError as exc:
            outcome.problems.append((exc.stage, exc.url, exc.reason))
            outcome.empty = True
            events = []
        except Exception as exc:  # a broken extractor must not end the run
            error: PluginError = self.host.guard(registered, "extract")(exc)
            outcome.problems.append(("extract", document.url, str(error)))
            events = []
        finally:
            outcome.problems.extend((p.stage, p.url, p.reason) for p in context.problems)
        bad = [e for e in events if not isinstance(e, Event)]
        if bad:
            outcome.problems.append(
                (
                    "extract",
                    document.url,
                    f"extractor {registered.component.name!r} returned {type(bad[0]).__name__}, not Event",
                )
            )
            events = [e for e in events if isinstance(e, Event)]
        outcome.events = events
        return outcome

    def _settle(self, document: Document, outcome: _Extraction, *, quiet_if_empty: bool) -> None:
        """Report an extraction. A crawled hub page that led to other pages may hold no
        events without that being a problem; a broken extractor is reported all the same."""
        self.report.events_extracted += len(outcome.events)
        if quiet_if_empty and outcome.empty and not outcome.events:
            logger.debug("{}: no events on a page that links to others", document.url)
            return
        for stage, subject, reason in outcome.problems:
            self.report.add(stage, subject, reason)

    # -- normalise, window -----------------------------------------------------------------

    def _build_frame(self, events: list[Event]) -> pl.DataFrame:
        kept = [e for e in events if self.window.keeps(e)]
        self.report.events_outside_window = len(events) - len(kept)
        size = self.settings.run.batch_size
        batches = [
            normalise_frame(events_to_frame(kept[i : i + size])) for i in range(0, len(kept), size)
        ]
        return pl.concat(batches) if batches else empty_frame()
