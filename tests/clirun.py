"""Run the real `dancescrape` command in a subprocess, built-in plugins only."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

__all__ = ["run_cli"]


def run_cli(*args: str, cwd: Path | None = None) -> subprocess.CompletedProcess[str]:
    env = {**os.environ, "DANCESCRAPE_LOAD_PLUGINS": ""}
    return subprocess.run(
        [sys.executable, "-m", "dancescrape", *args],
        cwd=cwd,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
