"""The plugin host with real installed distributions (dist-info folders on sys.path)."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import textwrap
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest

from dancescrape.errors import PluginError
from dancescrape.plugins.builtins import BUILTIN_PLUGINS
from dancescrape.plugins.host import ENV_LOAD_PLUGINS, PluginHost, parse_selection

GOOD = """
from dancescrape import Sink, hookimpl

class NullSink(Sink):
    kind = "null"
    def write(self, frame):
        return frame.height

@hookimpl
def register_sinks(register):
    register(NullSink)

@hookimpl
def run_started(run):
    raise RuntimeError("lifecycle boom")
"""
BROKEN_IMPORT = "import module_that_does_not_exist_anywhere\n"
RAISES = """
from dancescrape import hookimpl

@hookimpl
def register_extractors(register):
    raise ValueError("cannot register today")
"""
CLASH = """
from dancescrape import Sink, hookimpl

class FakeSqlite(Sink):
    kind = "sqlite"
    def write(self, frame):
        return 0

@hookimpl
def register_sinks(register):
    register(FakeSqlite)
"""


def _install(site: Path, dist: str, version: str, module: str, code: str) -> None:
    (site / f"{module}.py").write_text(textwrap.dedent(code))
    info = site / f"{dist.replace('-', '_')}-{version}.dist-info"
    info.mkdir()
    (info / "METADATA").write_text(f"Metadata-Version: 2.1\nName: {dist}\nVersion: {version}\n")
    (info / "entry_points.txt").write_text(f"[dancescrape]\n{dist} = {module}\n")


@pytest.fixture
def site(tmp_path: Path) -> Iterator[Path]:
    site = tmp_path / "site"
    site.mkdir()
    _install(site, "ds-good", "1.2.0", "ds_good", GOOD)
    _install(site, "ds-broken", "0.1.0", "ds_broken", BROKEN_IMPORT)
    _install(site, "ds-raises", "2.0.0", "ds_raises", RAISES)
    _install(site, "ds-clash", "0.3.0", "ds_clash", CLASH)
    sys.path.insert(0, str(site))
    yield site
    sys.path.remove(str(site))
    for name in ("ds_good", "ds_broken", "ds_raises", "ds_clash"):
        sys.modules.pop(name, None)


def test_builtins_register_through_the_same_hooks() -> None:
    host = PluginHost([])
    host.load()
    assert {i.name for i in host.plugins() if i.builtin} == {
        m.removeprefix("dancescrape.") for m in BUILTIN_PLUGINS
    }
    assert {"sqlite", "jsonl"} <= set(host.sinks())
    assert "jsonld" in host.extractors()
    assert {"local", "web"} <= set(host.sources())
    assert "log" in host.alert_channels()
    assert host.failures == []


def test_broken_plugins_are_reported_and_the_rest_load(site: Path) -> None:
    host = PluginHost(None)
    host.load()
    assert "null" in host.sinks()
    assert host.sinks()["sqlite"].plugin == "sinks.sqlite"  # a clash never replaces a built-in
    failures = {f.plugin: f for f in host.failures}
    assert set(failures) == {"ds-broken", "ds-raises", "ds-clash"}
    broken = failures["ds-broken"]
    assert (broken.version, broken.hook) == ("0.1.0", "import")
    assert "module_that_does_not_exist_anywhere" in broken.reason
    assert "ds-raises" in str(failures["ds-raises"]) and "2.0.0" in str(failures["ds-raises"])
    assert failures["ds-raises"].hook == "register_extractors"
    assert "already registered by plugin 'sinks.sqlite'" in failures["ds-clash"].reason
    host.notify("run_started", run={"run_id": "x"})
    assert any(f.hook == "run_started" and "lifecycle boom" in f.reason for f in host.failures)


def test_selection_limits_third_party_plugins(site: Path) -> None:
    host = PluginHost(["ds-good"])
    host.load()
    assert "null" in host.sinks()
    assert host.failures == []
    only_builtins = PluginHost(parse_selection(""))
    only_builtins.load()
    assert "null" not in only_builtins.sinks()
    assert not [i for i in only_builtins.plugins() if not i.builtin]


def test_unknown_requested_plugin_is_named() -> None:
    host = PluginHost(["no-such-plugin"])
    host.load()
    assert [(f.plugin, f.hook) for f in host.failures] == [("no-such-plugin", "load")]


def test_strict_makes_a_failure_fatal(site: Path) -> None:
    with pytest.raises(PluginError, match="ds-broken"):
        PluginHost(["ds-broken"], strict=True).load()


def test_cli_lists_plugins_as_json_and_survives_broken_ones(site: Path) -> None:
    env = {**os.environ, "PYTHONPATH": f"{site}{os.pathsep}{os.environ.get('PYTHONPATH', '')}"}
    env.pop(ENV_LOAD_PLUGINS, None)

    def plugins_json() -> list[dict[str, Any]]:
        out = subprocess.run(
            [sys.executable, "-m", "dancescrape", "plugins", "--json"],
            env=env,
            capture_output=True,
            text=True,
            timeout=60,
            check=True,
        )
        return list(json.loads(out.stdout))

    listed = {p["name"]: p for p in plugins_json()}
    assert listed["sinks.sqlite"]["components"] == {"sink": ["sqlite"]}
    assert listed["sinks.sqlite"]["hooks"] == ["register_sinks"]
    assert listed["ds-good"]["version"] == "1.2.0"
    assert listed["ds-good"]["components"] == {"sink": ["null"]}
    assert set(listed["ds-good"]["hooks"]) == {"register_sinks", "run_started"}
    assert "module_that_does_not_exist_anywhere" in listed["ds-broken"]["error"]
    env[ENV_LOAD_PLUGINS] = ""
    assert all(p["builtin"] for p in plugins_json())
