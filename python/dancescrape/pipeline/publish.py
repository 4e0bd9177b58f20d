"""The publish stage of a run: events out to every sink, problems out to every alert channel.

A sink or channel that fails is recorded against its spec (secrets masked) and the
others still get their turn.
"""

from __future__ import annotations

import polars as pl
from loguru import logger

from dancescrape.alerts.base import Alert, Severity
from dancescrape.errors import SinkError
from dancescrape.ops.config import Settings
from dancescrape.ops.secrets import mask_secrets
from dancescrape.pipeline.report import RunReport
from dancescrape.plugins.host import PluginHost

__all__ = ["send_alerts", "write_sinks"]


def write_sinks(
    frame: pl.DataFrame, settings: Settings, host: PluginHost, report: RunReport
) -> None:
    kinds = host.sinks()
    size = settings.run.batch_size
    for spec in settings.sinks:
        kind, _, target = spec.partition(":")
        shown = mask_secrets(spec)
        registered = kinds.get(kind)
        if registered is None:
            report.sinks_failed += 1
            report.add(
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
            report.events_written[shown] = written
            logger.info("wrote {} events to {}", written, shown)
        except SinkError as exc:
            report.sinks_failed += 1
            report.add("sink", shown, mask_secrets(str(exc)))
        except Exception as exc:  # a broken sink plugin must not end the run
            report.sinks_failed += 1
            report.add("sink", shown, mask_secrets(str(host.guard(registered, "write")(exc))))


def send_alerts(settings: Settings, host: PluginHost, report: RunReport) -> None:
    if not report.problems:
        return
    severity: Severity = "error" if report.outcome == "failed" else "warning"
    first = report.problems[:5]
    alert = Alert(
        severity=severity,
        title=f"run {report.run_id} {report.outcome}",
        message=f"{len(report.problems)} problem(s); first: "
        + "; ".join(f"[{p.stage}] {p.subject}: {p.reason}" for p in first),
        details={"run_id": report.run_id, "outcome": report.outcome},
    )
    channels = host.alert_channels()
    for name in settings.alerts:
        registered = channels.get(name)
        if registered is None:
            report.add(
                "alert", name, f"unknown alert channel (known: {', '.join(sorted(channels))})"
            )
            continue
        try:
            registered.component().send(alert)
        except Exception as exc:
            report.add("alert", name, str(host.guard(registered, "send")(exc)))
