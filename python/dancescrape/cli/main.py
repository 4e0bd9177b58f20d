"""The `dancescrape` command line."""

from __future__ import annotations

import json
import sys
from datetime import date
from pathlib import Path
from typing import Any

import click
from rich.console import Console
from rich.table import Table

from dancescrape import __version__
from dancescrape.cli.bench import bench
from dancescrape.errors import ConfigError, DancescrapeError, PluginError
from dancescrape.ops.config import Settings, load_settings, sanitised
from dancescrape.ops.logging import configure_logging
from dancescrape.plugins.host import PluginHost

__all__ = ["cli", "main"]

stderr = Console(stderr=True)


def _date(_: click.Context, param: click.Parameter, value: str | None) -> date | None:
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise click.BadParameter(f"{value!r} is not an ISO date such as 2026-12-31") from None


@click.group(context_settings={"help_option_names": ["-h", "--help"]})
@click.version_option(__version__, prog_name="dancescrape")
@click.option("--log-level", default="INFO", show_default=True, help="DEBUG, INFO, WARNING, ERROR.")
@click.option("--log-json", is_flag=True, help="Structured JSON logs on stderr.")
def cli(log_level: str, log_json: bool) -> None:
    """Harvest social dance events into one deduplicated table."""
    configure_logging(log_level.upper(), json_logs=log_json)


def _settings(config: str | None, env: str | None, overrides: dict[str, Any]) -> Settings:
    try:
        return load_settings(config, env, overrides)
    except ConfigError as exc:
        raise click.ClickException(str(exc)) from None


@cli.command()
@click.option(
    "--config", "config_file", type=click.Path(dir_okay=False), help="A YAML config file."
)
@click.option("--env", help="Environment: loads config/ENV.yaml over the embedded default.")
@click.option("--source", "sources", multiple=True, help="URL, file or folder (repeatable).")
@click.option(
    "--sink", "sinks", multiple=True, help="KIND:TARGET, e.g. sqlite:events.db (repeatable)."
)
@click.option("--timezone", help="IANA zone for sources that give none.")
@click.option("--from", "date_from", callback=_date, help="First local date to keep (ISO).")
@click.option("--to", "date_to", callback=_date, help="Last local date to keep (ISO).")
@click.option(
    "--plugins", help="Third-party plugins to load, comma-separated; '' for built-ins only."
)
@click.option("--strict-plugins", is_flag=True, help="A plugin that fails to load ends the run.")
@click.option(
    "--report", "report_file", type=click.Path(dir_okay=False), help="Write the run report as JSON."
)
@click.option("--no-progress", is_flag=True, help="No progress bar.")
def run(
    config_file: str | None,
    env: str | None,
    sources: tuple[str, ...],
    sinks: tuple[str, ...],
    timezone: str | None,
    date_from: date | None,
    date_to: date | None,
    plugins: str | None,
    strict_plugins: bool,
    report_file: str | None,
    no_progress: bool,
) -> None:
    """Run the pipeline: the configured one, or an ad-hoc one from --source/--sink."""
    from dancescrape.cli.render import progress_display, render_report
    from dancescrape.pipeline.runner import Pipeline
    from dancescrape.pipeline.window import Window

    overrides: dict[str, Any] = {}
    if sources:
        overrides["sources"] = [{"url": s} for s in sources]
    if sinks:
        overrides["sinks"] = list(sinks)
    if timezone:
        overrides["run"] = {"timezone": timezone}
    settings = _settings(config_file, env, overrides)
    if timezone:  # init overrides replace whole sections; keep the rest of `run`
        settings.run = settings.run.model_copy(update={"timezone": timezone})
    try:
        host = PluginHost.from_environment(
            plugins if plugins is not None else settings.plugins, strict=strict_plugins
        )
    except PluginError as exc:
        raise click.ClickException(str(exc)) from None
    try:
        window = Window.from_options(date_from, date_to, settings.run.horizon_days, date.today())
    except ValueError as exc:
        raise click.BadParameter(str(exc)) from None
    stdout = Console()
    with progress_display(stderr, not no_progress) as progress:
        report = Pipeline(settings, host, window, progress).run()
    render_report(report, stdout)
    if report_file:
        Path(report_file).write_text(json.dumps(report.as_dict(), indent=2) + "\n", "utf-8")
    if report.outcome == "failed":
        sys.exit(1)


@cli.command()
@click.option("--json", "as_json", is_flag=True, help="Machine-readable output.")
@click.option("--plugins", help="Third-party plugins to load, comma-separated.")
def plugins(as_json: bool, plugins: str | None) -> None:
    """List loaded plugins with their versions, hooks and components."""
    host = PluginHost.from_environment(plugins)
    infos = [info.as_dict() for info in host.plugins()]
    if as_json:
        click.echo(json.dumps(infos, indent=2))
        return
    table = Table(title="dancescrape plugins", title_justify="left")
    for column in ("plugin", "version", "hooks", "components", "status"):
        table.add_column(column, overflow="fold")
    for info in infos:
        components = "; ".join(f"{k}: {', '.join(v)}" for k, v in info["components"].items())
        status = "[red]failed[/red]: " + info["error"] if info["error"] else "[green]ok[/green]"
        name = info["name"] + (" (built-in)" if info["builtin"] else "")
        table.add_row(name, info["version"] or "?", ", ".join(info["hooks"]), components, status)
    Console().print(table)


@cli.group()
def config() -> None:
    """Show or check the configuration."""


@config.command("show")
@click.option("--config", "config_file", type=click.Path(dir_okay=False))
@click.option("--env")
def config_show(config_file: str | None, env: str | None) -> None:
    """Print the effective configuration with secrets masked."""
    click.echo(json.dumps(sanitised(_settings(config_file, env, {})), indent=2, default=str))


@config.command("validate")
@click.option("--config", "config_file", type=click.Path(dir_okay=False))
@click.option("--env")
def config_validate(config_file: str | None, env: str | None) -> None:
    """Check the configuration; exit 1 with the reason when it is invalid."""
    settings = _settings(config_file, env, {})
    click.echo(f"configuration is valid (env: {settings.env}, {len(settings.sources)} source(s))")


cli.add_command(bench)


def main() -> None:
    try:
        cli(standalone_mode=True)
    except DancescrapeError as exc:  # a last guard: never a traceback for our own errors
        stderr.print(f"[red]error:[/red] {exc}")
        sys.exit(2)
