"""Layered configuration: embedded default, env file, --config, SCRAPER_* variables."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from dancescrape.errors import ConfigError
from dancescrape.ops.config import load_settings, sanitised


def test_embedded_default_points_at_the_bundled_examples() -> None:
    settings = load_settings()
    assert settings.sinks == ["sqlite:./dancescrape.db"]
    assert all(s.url.startswith("examples/sites/") for s in settings.sources)
    assert settings.run.horizon_days == 120


def test_layers_and_environment_override(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    (tmp_path / "config").mkdir()
    (tmp_path / "config" / "staging.yaml").write_text("run:\n  horizon_days: 30\n")
    extra = tmp_path / "extra.yaml"
    extra.write_text("fetch:\n  concurrency: 3\n")
    monkeypatch.setenv("SCRAPER_CONFIG_DIR", str(tmp_path / "config"))
    monkeypatch.setenv("SCRAPER_RUN__TIMEZONE", "Europe/Berlin")
    settings = load_settings(extra, "staging")
    assert (settings.env, settings.run.horizon_days, settings.fetch.concurrency) == (
        "staging",
        30,
        3,
    )
    assert settings.run.timezone == "Europe/Berlin"
    assert settings.fetch.timeout_seconds == 20  # untouched defaults survive deep merges


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("run:\n  timezone: Nowhere/City\n", "run.timezone"),
        ("fetch:\n  timeout_seconds: -1\n", "fetch.timeout_seconds"),
        ("sinks: ['nocolon']\n", "KIND:TARGET"),
        ("surprise: 1\n", "surprise"),
        ("- a list\n", "top level must be a mapping"),
        ("run: [unclosed\n", "not valid YAML"),
    ],
)
def test_invalid_config_names_file_and_field(tmp_path: Path, text: str, fragment: str) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    with pytest.raises(ConfigError) as info:
        load_settings(path)
    assert fragment in str(info.value)
    assert "bad.yaml" in str(info.value)


def test_missing_env_file_is_named(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("SCRAPER_CONFIG_DIR", str(tmp_path))
    with pytest.raises(ConfigError, match="environment 'prod'"):
        load_settings(env="prod")


def test_secrets_never_shown(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    path = tmp_path / "c.yaml"
    path.write_text("sinks: ['postgresql:postgresql://app:hunter2secret@db/events']\n")
    monkeypatch.setenv("SCRAPER_API__TOKEN", "tok-abcdef-123456")
    shown = json.dumps(sanitised(load_settings(path)))
    assert "hunter2secret" not in shown and "tok-abcdef-123456" not in shown
    assert "postgresql://app:***@db/events" in shown
    env = {**os.environ, "SCRAPER_API__TOKEN": "tok-abcdef-123456"}
    out = subprocess.run(
        [sys.executable, "-m", "dancescrape", "config", "show", "--config", str(path)],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=True,
    )
    assert "hunter2secret" not in out.stdout and "tok-abcdef-123456" not in out.stdout
    bad = subprocess.run(
        [
            sys.executable,
            "-m",
            "dancescrape",
            "config",
            "validate",
            "--config",
            str(tmp_path / "nope.yaml"),
        ],
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert bad.returncode == 1 and "nope.yaml" in bad.stderr
