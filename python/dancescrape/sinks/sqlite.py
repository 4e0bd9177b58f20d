"""`sqlite:PATH`: the embedded default. Upserts on event_id, so reruns add no duplicates."""

from __future__ import annotations

import json
import sqlite3
from collections.abc import Callable
from pathlib import Path
from typing import Any

import polars as pl

from dancescrape.errors import SinkError
from dancescrape.hookspecs import hookimpl
from dancescrape.model.records import iter_records
from dancescrape.model.schema import EVENT_COLUMNS
from dancescrape.sinks.base import Sink

__all__ = ["SCHEMA_VERSION", "SqliteSink"]

SCHEMA_VERSION = 1
_TYPES = {
    "all_day": "INTEGER NOT NULL",
    "latitude": "REAL",
    "longitude": "REAL",
    "price_min": "REAL",
    "price_max": "REAL",
}
# Columns beyond the contract, for querying: the start instant in UTC sorts correctly.
_EXTRA = ("start_utc",)
_KEEP_ON_UPDATE = ("first_seen",)


def _ddl() -> str:
    cols = [f"{c} {_TYPES.get(c, 'TEXT')}" for c in EVENT_COLUMNS if c != "event_id"]
    return (
        "CREATE TABLE IF NOT EXISTS events (\n  event_id TEXT PRIMARY KEY,\n  "
        + ",\n  ".join([*cols, "start_utc TEXT NOT NULL"])
        + "\n)"
    )


class SqliteSink(Sink):
    """One `events` table with the contract's columns; lists are stored as JSON text."""

    kind = "sqlite"

    def open(self) -> None:
        path = Path(self.target)
        try:
            if path.parent != Path():
                path.parent.mkdir(parents=True, exist_ok=True)
            self.db = sqlite3.connect(path)
            self.db.execute("PRAGMA journal_mode=WAL")
            self._migrate()
        except (sqlite3.Error, OSError) as exc:
            raise SinkError(f"sqlite:{self.target}: cannot open database: {exc}") from None

    def _migrate(self) -> None:
        (version,) = self.db.execute("PRAGMA user_version").fetchone()
        if version > SCHEMA_VERSION:
            raise SinkError(
                f"sqlite:{self.target}: database schema v{version} is newer than this "
                f"dancescrape (v{SCHEMA_VERSION}); upgrade dancescrape"
            )
        with self.db:
            self.db.execute(_ddl())
            self.db.execute("CREATE INDEX IF NOT EXISTS events_start ON events (start_utc)")
            self.db.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")

    def write(self, frame: pl.DataFrame) -> int:
        columns = [*EVENT_COLUMNS, *_EXTRA]
        updates = ", ".join(
            f"{c} = excluded.{c}" for c in columns if c != "event_id" and c not in _KEEP_ON_UPDATE
        )
        sql = (
            f"INSERT INTO events ({', '.join(columns)}) VALUES ({', '.join('?' * len(columns))}) "
            f"ON CONFLICT(event_id) DO UPDATE SET {updates}, "
            "first_seen = min(events.first_seen, excluded.first_seen)"
        )
        starts = frame["start"].dt.strftime("%Y-%m-%dT%H:%M:%SZ").to_list()
        rows = [
            [_cell(record[c]) for c in EVENT_COLUMNS] + [start]
            for record, start in zip(iter_records(frame), starts, strict=True)
        ]
        try:
            with self.db:
                self.db.executemany(sql, rows)
        except sqlite3.Error as exc:
            raise SinkError(f"sqlite:{self.target}: write failed: {exc}") from None
        return len(rows)

    def close(self) -> None:
        db = getattr(self, "db", None)
        if db is not None:
            db.close()


def _cell(value: Any) -> Any:
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, bool):
        return int(value)
    return value


@hookimpl
def register_sinks(register: Callable[[type[Sink]], None]) -> None:
    register(SqliteSink)
