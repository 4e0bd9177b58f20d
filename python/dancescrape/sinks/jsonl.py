"""`jsonl:PATH`: one JSON object per event, written atomically (temp file, then rename)."""

from __future__ import annotations

import json
import os
import tempfile
from collections.abc import Callable
from pathlib import Path
from typing import IO

import polars as pl

from dancescrape.errors import SinkError
from dancescrape.hookspecs import hookimpl
from dancescrape.model.records import iter_records
from dancescrape.sinks.base import Sink

__all__ = ["JsonlSink"]


class JsonlSink(Sink):
    """The run's events as a JSON Lines snapshot; `-` writes to standard output."""

    kind = "jsonl"

    def open(self) -> None:
        self._count = 0
        if self.target == "-":
            import sys

            self._file: IO[str] = sys.stdout
            self._tmp: str | None = None
            return
        path = Path(self.target)
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            fd, self._tmp = tempfile.mkstemp(prefix=f".{path.name}.", dir=path.parent)
            self._file = os.fdopen(fd, "w", encoding="utf-8")
        except OSError as exc:
            raise SinkError(f"jsonl:{self.target}: cannot open: {exc.strerror or exc}") from None

    def write(self, frame: pl.DataFrame) -> int:
        for record in iter_records(frame):
            self._file.write(json.dumps(record, ensure_ascii=False) + "\n")
        self._count += frame.height
        return frame.height

    def close(self) -> None:
        if self._tmp is None:
            self._file.flush()
            return
        self._file.close()
        try:
            Path(self._tmp).replace(self.target)
        except OSError as exc:
            raise SinkError(f"jsonl:{self.target}: cannot finish: {exc.strerror or exc}") from None


@hookimpl
def register_sinks(register: Callable[[type[Sink]], None]) -> None:
    register(JsonlSink)
