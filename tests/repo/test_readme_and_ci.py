"""The README promises two set-up commands; CI must run the second one verbatim."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _command(which: str) -> str:
    out = subprocess.run(
        [sys.executable, str(ROOT / ".ci" / "readme_command.py"), which],
        capture_output=True,
        text=True,
        check=True,
    )
    return out.stdout.strip()


def test_readme_has_an_install_and_run_command_and_a_test_command() -> None:
    run, test = _command("run"), _command("test")
    assert run.startswith("pip install .") and run.endswith("dancescrape run")
    assert "pytest" in test and "cargo test" in test


def test_ci_runs_the_readme_test_command() -> None:
    ci = (ROOT / ".ci" / "run").read_text().splitlines()
    assert _command("test") in ci  # a line of its own, verbatim
    assert "set -euo pipefail" in ci
