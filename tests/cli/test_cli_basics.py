"""The CLI's own behaviour: version, the embedded default, whole-run failure, bad flags."""

from __future__ import annotations

import shutil
import sqlite3
from pathlib import Path

from clirun import run_cli
from dancescrape import __version__

ROOT = Path(__file__).resolve().parents[2]


def test_version() -> None:
    out = run_cli("--version")
    assert out.returncode == 0 and __version__ in out.stdout


def test_embedded_default_harvests_the_bundled_examples(tmp_path: Path) -> None:
    shutil.copytree(ROOT / "examples", tmp_path / "examples")
    first = run_cli("run", "--no-progress", cwd=tmp_path)
    assert first.returncode == 0, first.stderr
    db = tmp_path / "dancescrape.db"
    count = sqlite3.connect(db).execute("SELECT count(*) FROM events").fetchone()[0]
    # Weekly series keep the default window (today + 120 days) populated whatever today is.
    assert count >= 3 * 16
    again = run_cli("run", "--no-progress", cwd=tmp_path)
    assert again.returncode == 0, again.stderr
    assert sqlite3.connect(db).execute("SELECT count(*) FROM events").fetchone()[0] == count


def test_a_run_that_fetches_nothing_fails(tmp_path: Path) -> None:
    out = run_cli(
        "run",
        "--no-progress",
        "--source",
        "http://127.0.0.1:9/none",
        "--sink",
        f"jsonl:{tmp_path / 'x.jsonl'}",
        cwd=tmp_path,
    )
    assert out.returncode == 1
    assert "http://127.0.0.1:9/none" in out.stdout and "cannot connect" in out.stdout


def test_missing_source_and_unknown_sink_are_named(tmp_path: Path) -> None:
    out = run_cli(
        "run",
        "--no-progress",
        "--source",
        str(ROOT / "examples" / "sites" / "wcs-club"),
        "--source",
        str(tmp_path / "nowhere"),
        "--timezone",
        "America/Los_Angeles",
        "--sink",
        "nosuch:thing",
        "--sink",
        f"jsonl:{tmp_path / 'ok.jsonl'}",
        cwd=tmp_path,
    )
    assert out.returncode == 0, out.stderr  # partial: one sink worked
    assert "no such file or folder" in out.stdout
    assert "unknown sink kind 'nosuch'" in out.stdout
    assert (tmp_path / "ok.jsonl").read_text().count("\n") >= 1


def test_bad_flags_are_explained() -> None:
    out = run_cli("run", "--from", "next tuesday")
    assert out.returncode == 2 and "'next tuesday' is not an ISO date" in out.stderr
    out = run_cli("run", "--timezone", "Mars/Base")
    assert out.returncode == 1 and "Mars/Base" in out.stderr
