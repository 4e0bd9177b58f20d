from __future__ import annotations

import json
import sqlite3
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

import polars as pl
import pytest

from dancescrape.errors import SinkError
from dancescrape.model import EVENT_COLUMNS, Event, events_to_frame
from dancescrape.sinks.jsonl import JsonlSink
from dancescrape.sinks.sqlite import SCHEMA_VERSION, SqliteSink


def _frame(seen: datetime, title: str = "Milonga") -> pl.DataFrame:
    tz = ZoneInfo("Europe/Berlin")
    event = Event(
        title=title,
        start=datetime(2026, 12, 6, 19, tzinfo=tz),
        timezone="Europe/Berlin",
        source="t",
        source_url="https://t.example/",
        dance_styles=["argentine-tango"],
        event_id="a" * 32,
        first_seen=seen,
        last_seen=seen,
    )
    return events_to_frame([event])


def _write(path: Path, frame: pl.DataFrame) -> int:
    sink = SqliteSink(str(path))
    sink.open()
    try:
        return sink.write(frame)
    finally:
        sink.close()


def test_upsert_keeps_first_seen_and_updates_the_rest(tmp_path: Path) -> None:
    db = tmp_path / "x" / "e.db"
    t1, t2 = datetime(2026, 11, 1, tzinfo=UTC), datetime(2026, 11, 2, tzinfo=UTC)
    assert _write(db, _frame(t1)) == 1
    assert _write(db, _frame(t2, "Milonga del Domingo")) == 1
    con = sqlite3.connect(db)
    con.row_factory = sqlite3.Row
    rows = [dict(r) for r in con.execute("SELECT * FROM events")]
    assert len(rows) == 1
    row = rows[0]
    assert set(EVENT_COLUMNS) <= set(row)
    assert row["title"] == "Milonga del Domingo"
    assert row["first_seen"] == "2026-11-01T00:00:00+00:00"
    assert row["last_seen"] == "2026-11-02T00:00:00+00:00"
    assert (
        row["start"] == "2026-12-06T19:00:00+01:00" and row["start_utc"] == "2026-12-06T18:00:00Z"
    )
    assert json.loads(row["dance_styles"]) == ["argentine-tango"]
    assert con.execute("PRAGMA user_version").fetchone()[0] == SCHEMA_VERSION


def test_newer_schema_is_refused_by_name(tmp_path: Path) -> None:
    db = tmp_path / "e.db"
    sqlite3.connect(db).execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
    with pytest.raises(SinkError, match=r"sqlite:.*e\.db: database schema v2 is newer"):
        SqliteSink(str(db)).open()


def test_unopenable_target_is_named(tmp_path: Path) -> None:
    (tmp_path / "dir.db").mkdir()
    with pytest.raises(SinkError, match=r"dir\.db: cannot open database"):
        SqliteSink(str(tmp_path / "dir.db")).open()


def test_jsonl_snapshot_is_atomic_and_contract_shaped(tmp_path: Path) -> None:
    out = tmp_path / "e.jsonl"
    sink = JsonlSink(str(out))
    sink.open()
    sink.write(_frame(datetime(2026, 11, 1, tzinfo=UTC)))
    assert not out.exists()  # nothing visible until close
    sink.close()
    (record,) = [json.loads(line) for line in out.read_text().splitlines()]
    assert list(record) == list(EVENT_COLUMNS)
    assert record["start"] == "2026-12-06T19:00:00+01:00"
    assert record["all_day"] is False and record["latitude"] is None
