"""The sink contract: frames of deduplicated events go out to one target."""

from __future__ import annotations

from abc import ABC, abstractmethod
from typing import ClassVar

import polars as pl

__all__ = ["Sink"]


class Sink(ABC):
    """Writes event frames to one target, given on the command line as `KIND:TARGET`.

    Subclass it and register the class from a plugin::

        import polars as pl
        from dancescrape import Sink, hookimpl
        from dancescrape.model import iter_records

        class PrintSink(Sink):
            kind = "print"

            def write(self, frame: pl.DataFrame) -> int:
                for record in iter_records(frame):
                    print(record["title"], record["start"])
                return frame.height

        @hookimpl
        def register_sinks(register):
            register(PrintSink)

    Frames arrive in `dancescrape.model.EVENT_SCHEMA`, datetimes in UTC.
    """

    kind: ClassVar[str]

    def __init__(self, target: str) -> None:
        self.target = target

    def open(self) -> None:
        """Prepare the target (create tables, open files). Raise `SinkError` on failure."""

    @abstractmethod
    def write(self, frame: pl.DataFrame) -> int:
        """Write one batch; return how many events were written."""

    def close(self) -> None:
        """Flush and release the target."""

    def describe(self) -> str:
        """The target as it may be shown in logs: never with secrets."""
        from dancescrape.ops.secrets import mask_secrets

        return f"{self.kind}:{mask_secrets(self.target)}"
