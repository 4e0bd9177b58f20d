"""What the CLI shows people: the summary table, problems, progress."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from rich.console import Console
from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn
from rich.table import Table

from dancescrape.pipeline.report import RunReport
from dancescrape.pipeline.runner import Progress as PipelineProgress

__all__ = ["progress_display", "render_report"]

_MAX_PROBLEMS_SHOWN = 25


def render_report(report: RunReport, console: Console) -> None:
    table = Table(title=f"dancescrape run {report.run_id}: {report.outcome}", title_justify="left")
    table.add_column("step")
    table.add_column("count", justify="right")
    table.add_row("documents fetched", str(report.documents_fetched))
    table.add_row("documents failed", str(report.documents_failed))
    table.add_row("events extracted", str(report.events_extracted))
    table.add_row("outside window", str(report.events_outside_window))
    table.add_row("duplicates merged", str(report.duplicates_merged))
    table.add_row("pairs left for review", str(report.pairs_for_review))
    table.add_row("new / changed events", f"{report.events_new} / {report.events_changed}")
    for sink, count in report.events_written.items():
        table.add_row(f"events written → {sink}", str(count))
    table.add_row("time taken", f"{report.seconds:.2f} s")
    console.print(table)
    if report.problems:
        problems = Table(title=f"{len(report.problems)} problem(s)", title_justify="left")
        problems.add_column("stage")
        problems.add_column("input", overflow="fold")
        problems.add_column("reason", overflow="fold")
        for p in report.problems[:_MAX_PROBLEMS_SHOWN]:
            d = p.as_dict()
            problems.add_row(d["stage"], d["subject"], d["reason"])
        if len(report.problems) > _MAX_PROBLEMS_SHOWN:
            problems.add_row(
                "…", f"{len(report.problems) - _MAX_PROBLEMS_SHOWN} more", "see --report"
            )
        console.print(problems)


@contextmanager
def progress_display(console: Console, enabled: bool) -> Iterator[PipelineProgress]:
    """A rich progress bar over documents, shown only on a terminal."""
    if not enabled or not console.is_terminal:
        yield PipelineProgress()
        return
    with Progress(
        TextColumn("[bold]harvesting"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        TextColumn("{task.description}", style="dim"),
        console=console,
        transient=True,
    ) as bar:
        task = bar.add_task("", total=None)
        yield PipelineProgress(
            total=lambda n: bar.update(task, total=n),
            advance=lambda url: bar.update(task, advance=1, description=url[-60:]),
        )
