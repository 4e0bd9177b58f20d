"""The hash cache: new/changed/unchanged, first/last seen, pages, round trips, damage."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import polars as pl
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from dancescrape.dedup import HashCache, HashCacheError

T0 = datetime(2026, 3, 1, tzinfo=UTC)


def events(rows: dict[int, str]) -> pl.DataFrame:
    """Events keyed by a small number, with a price as their content."""
    return pl.DataFrame(
        {
            "event_id": [f"{k:032x}" for k in rows],
            "title": ["Salsa"] * len(rows),
            "price": list(rows.values()),
        },
        schema={"event_id": pl.String, "title": pl.String, "price": pl.String},
    )


def test_new_changed_unchanged_and_seen_times(tmp_path: Path) -> None:
    path = tmp_path / "cache.dshc"
    cache = HashCache.open(path)
    first = cache.observe(events({1: "$10", 2: "$12"}), T0)
    assert first["change"].to_list() == ["new", "new"]
    cache.save()
    later = T0 + timedelta(days=1)
    again = HashCache.open(path).observe(events({1: "$10", 2: "$15", 3: "$5"}), later)
    assert again["change"].to_list() == ["unchanged", "changed", "new"]
    assert again["first_seen"].to_list() == [T0, T0, later]
    assert again["last_seen"].to_list() == [later] * 3


def test_pages_tell_whether_content_changed(tmp_path: Path) -> None:
    cache = HashCache.open(tmp_path / "c")
    assert cache.page_changed("https://a.example/", b"<html>1</html>")
    assert not cache.page_changed("https://a.example/", b"<html>1</html>")
    assert cache.page_changed("https://a.example/", "<html>2</html>")
    cache.save()
    assert not HashCache.open(tmp_path / "c").page_changed("https://a.example/", "<html>2</html>")


def test_observe_needs_event_ids(tmp_path: Path) -> None:
    cache = HashCache.open(tmp_path / "c")
    with pytest.raises(ValueError, match="event_id"):
        cache.observe(pl.DataFrame({"title": ["x"]}))
    with pytest.raises(ValueError, match="event_id"):
        cache.observe(pl.DataFrame({"event_id": ["not-hex"]}))


_batches = st.lists(
    st.dictionaries(st.integers(0, 40), st.sampled_from(["$5", "$10", "free"]), max_size=25),
    min_size=1,
    max_size=6,
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(_batches)
def test_cache_round_trips_across_saves_and_reopens(
    tmp_path: Path, batches: list[dict[int, str]]
) -> None:
    path = tmp_path / f"rt-{abs(hash(str(batches)))}.dshc"
    model: dict[int, tuple[str, datetime]] = {}  # key -> (content, first seen)
    for day, batch in enumerate(batches):
        now = T0 + timedelta(days=day)
        cache = HashCache.open(path, on_corrupt="raise")
        seen = cache.observe(events(batch), now) if batch else None
        for i, (key, price) in enumerate(batch.items()):
            expected = (
                "new" if key not in model else "unchanged" if model[key][0] == price else "changed"
            )
            assert seen is not None and seen["change"][i] == expected
            assert seen["first_seen"][i] == (model[key][1] if key in model else now)
            model[key] = (price, model[key][1] if key in model else now)
        cache.save()
    assert len(HashCache.open(path, on_corrupt="raise")) == len(model)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(0, 10_000), st.sampled_from(["snapshot", "log"]))
def test_a_truncated_file_is_an_error_or_a_rebuild(tmp_path: Path, cut: int, which: str) -> None:
    path = tmp_path / f"t-{cut}-{which}.dshc"
    cache = HashCache.open(path)
    cache.observe(events(dict.fromkeys(range(100), "$1")), T0)
    cache.save()  # a snapshot
    cache.observe(events({1: "$2", 2: "$2"}), T0 + timedelta(days=1))
    cache.save()  # a small change: a log append
    target = path if which == "snapshot" else Path(f"{path}.log")
    data = target.read_bytes()
    cut %= len(data)
    target.write_bytes(data[:cut])
    if which == "log" and cut == 16:
        # Cut exactly after the header: the state before the last save, which is atomic.
        kept = HashCache.open(path, on_corrupt="raise").observe(events({1: "$1"}), T0)
        assert kept["change"].to_list() == ["unchanged"]
        return
    with pytest.raises(HashCacheError, match=target.name):
        HashCache.open(path, on_corrupt="raise")
    rebuilt = HashCache.open(path)  # the default: set the damage aside, keep what checks out
    assert rebuilt.problems and target.name in rebuilt.problems[0]
    assert Path(f"{target}.corrupt").exists()  # never silently deleted
    if which == "log":
        assert len(rebuilt) == 100  # the snapshot is intact
    rebuilt.observe(events({500: "$9"}), T0)
    rebuilt.save()
    assert not HashCache.open(path, on_corrupt="raise").problems


@settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.binary(max_size=300), st.booleans())
def test_fuzz_arbitrary_bytes_never_escape_as_anything_but_hash_cache_error(
    tmp_path: Path, data: bytes, as_log: bool
) -> None:
    path = tmp_path / "fuzz.dshc"
    for leftover in tmp_path.iterdir():
        leftover.unlink()
    (Path(f"{path}.log") if as_log else path).write_bytes(data)
    try:
        HashCache.open(path, on_corrupt="raise")
    except HashCacheError as exc:
        assert "fuzz.dshc" in str(exc)
    assert isinstance(len(HashCache.open(path)), int)
