"""Shared fixtures: paths to the bundled examples and the shared real-world corpus."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(Path(__file__).resolve().parent))  # for `loopback`


@pytest.fixture(scope="session")
def examples_dir() -> Path:
    return ROOT / "examples" / "sites"


@pytest.fixture(scope="session")
def corpus_dir() -> Path:
    """The shared read-only corpus (../shared/corpus/real-world); skipped when absent."""
    path = ROOT.parent / "shared" / "corpus" / "real-world"
    if not path.is_dir():
        pytest.skip(f"shared corpus not found at {path}")
    return path
