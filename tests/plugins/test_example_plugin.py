"""The tutorial's example plugin, really pip-installed, used through the real CLI."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(scope="module")
def installed(tmp_path_factory: pytest.TempPathFactory) -> Path:
    target = tmp_path_factory.mktemp("site")
    # Build from a copy: setuptools writes build/ and egg-info/ into the tree it builds.
    source = tmp_path_factory.mktemp("src") / "dancescrape-markdown"
    shutil.copytree(ROOT / "plugins" / "dancescrape-markdown", source)
    subprocess.run(
        [
            sys.executable,
            "-m",
            "pip",
            "install",
            "-q",
            "--no-deps",
            "--no-build-isolation",
            "--target",
            str(target),
            str(source),
        ],
        check=True,
        capture_output=True,
        timeout=300,
    )
    return target


def test_markdown_plugin_loads_and_writes(installed: Path, tmp_path: Path) -> None:
    env = {
        **os.environ,
        "PYTHONPATH": str(installed),
        "DANCESCRAPE_LOAD_PLUGINS": "dancescrape-markdown",
    }
    listed = subprocess.run(
        [sys.executable, "-m", "dancescrape", "plugins", "--json"],
        env=env,
        capture_output=True,
        text=True,
        check=True,
        timeout=60,
    )
    plugin = next(p for p in json.loads(listed.stdout) if p["name"] == "markdown")
    assert (plugin["version"], plugin["components"]) == ("0.1.0", {"sink": ["markdown"]})
    out = tmp_path / "events.md"
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "dancescrape",
            "run",
            "--no-progress",
            "--source",
            str(ROOT / "examples" / "sites" / "wcs-club"),
            "--timezone",
            "America/Los_Angeles",
            "--from",
            "2026-12-01",
            "--to",
            "2027-01-31",
            "--sink",
            f"markdown:{out}",
        ],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert run.returncode == 0, run.stderr
    lines = out.read_text().splitlines()
    assert lines[0] == "| when | event | styles | venue | price |"
    assert (
        lines[2]
        == "| 2026-12-12 19:00 | December WCS Monthly Dance | west-coast-swing | Fremont Dance Hall | $12 |"
    )
    assert lines[3].startswith("| 2027-01-09 19:30 | Country Two-Step & Line Dance Night |")
    assert len(lines) == 4
