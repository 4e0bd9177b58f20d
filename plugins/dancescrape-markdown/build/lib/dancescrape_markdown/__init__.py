"""A `markdown:PATH` sink: the harvested events as a Markdown table, soonest first.

This is the plugin the tutorial in the project README builds, step by step.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path

import polars as pl

from dancescrape import Sink, hookimpl
from dancescrape.errors import SinkError
from dancescrape.model import iter_records

__all__ = ["MarkdownSink"]

_HEADER = "| when | event | styles | venue | price |\n|---|---|---|---|---|\n"


def _cell(value: object) -> str:
    return str(value or "").replace("|", "\\|").replace("\n", " ")


class MarkdownSink(Sink):
    kind = "markdown"

    def open(self) -> None:
        self._rows: list[tuple[str, str]] = []

    def write(self, frame: pl.DataFrame) -> int:
        for record in iter_records(frame):
            line = (
                "| "
                + " | ".join(
                    _cell(v)
                    for v in (
                        record["start"][:16].replace("T", " "),
                        record["title"],
                        ", ".join(record["dance_styles"]),
                        record["venue"],
                        record["price"],
                    )
                )
                + " |\n"
            )
            self._rows.append((record["start"], line))
        return frame.height

    def close(self) -> None:
        text = _HEADER + "".join(line for _, line in sorted(self._rows))
        try:
            Path(self.target).write_text(text, encoding="utf-8")
        except OSError as exc:
            raise SinkError(f"markdown:{self.target}: {exc.strerror or exc}") from None


@hookimpl
def register_sinks(register: Callable[[type[Sink]], None]) -> None:
    register(MarkdownSink)
