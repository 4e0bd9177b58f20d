"""The Rust exact keys: stable bytes, cross-checked against Python's xxhash and unicodedata."""

from __future__ import annotations

import re
import unicodedata
from datetime import UTC, datetime

import polars as pl
import pyarrow as pa
import pytest
import xxhash
from hypothesis import given
from hypothesis import strategies as st

from dancescrape import _core
from dancescrape.dedup import dedup_rows
from dancescrape.dedup.exact import KEY_INPUTS, key_frame


def _fold(text: str) -> str:
    if not text.isascii():
        text = unicodedata.normalize("NFKC", unicodedata.normalize("NFKC", text).casefold())
    return " ".join(w for w in re.split(r"[\W_]+", text.lower()) if w)


def _reference_key(title: str, venue: str | None, city: str | None, start: datetime) -> str:
    place = _fold(venue or "") or _fold(city or "")
    minute = int(start.timestamp() // 60)
    material = f"dsk1\x1f{_fold(title)}\x1f{place}\x1f{minute}".encode()
    return xxhash.xxh3_128_hexdigest(material)


def _frame(rows: list[dict[str, object]]) -> pl.DataFrame:
    schema = {
        "title": pl.String,
        "venue": pl.String,
        "city": pl.String,
        "start": pl.Datetime("us", "UTC"),
        "source": pl.String,
        "source_event_id": pl.String,
    }
    return pl.DataFrame(rows, schema=schema)


def test_keys_match_the_python_reference_and_fold_variants() -> None:
    start = datetime(2027, 1, 16, 22, 0, 30, tzinfo=UTC)
    rows = [
        {
            "title": "Bachata Sensual Workshop with Ana & Luis",
            "venue": "Ritmo Latino Studio",
            "city": "Vancouver",
            "start": start,
            "source": "a",
            "source_event_id": "1",
        },
        {
            "title": "BACHATA SENSUAL WORKSHOP with Ana & Luis!",
            "venue": "ritmo latino studio",
            "city": None,
            "start": start.replace(second=5),
            "source": "b",
            "source_event_id": None,
        },
        {
            "title": "Milonga",
            "venue": None,
            "city": "Berlin",
            "start": start,
            "source": "c",
            "source_event_id": "x",
        },
    ]
    keys = key_frame(_frame(rows))
    assert keys.columns == ["title_norm", "place_norm", "exact_key", "source_key"]
    assert keys["exact_key"][0] == keys["exact_key"][1]
    assert keys["place_norm"][2] == "berlin"
    for row, key in zip(rows, keys["exact_key"], strict=True):
        assert key == _reference_key(row["title"], row["venue"], row["city"], row["start"])  # type: ignore[arg-type]
    assert keys["source_key"][1] is None
    assert keys["source_key"][0] == xxhash.xxh3_128_hexdigest(b"dsk1\x1fa\x1f1")


@given(st.text(alphabet=st.characters(codec="latin-1"), max_size=40))
def test_fold_matches_python_on_latin_text(text: str) -> None:
    assert _core.fold_text(text) == _fold(text)


def test_all_three_arrow_string_layouts_are_accepted() -> None:
    base = _frame(
        [
            {
                "title": "Salsa",
                "venue": "Loft",
                "city": None,
                "start": datetime(2027, 1, 1, tzinfo=UTC),
                "source": "s",
                "source_event_id": None,
            }
        ]
    )
    expected = key_frame(base)["exact_key"][0]
    table = base.to_arrow()
    for string_type in (pa.string(), pa.large_string(), pa.string_view()):
        cast = table.cast(
            pa.schema(
                [
                    pa.field(
                        f.name,
                        string_type
                        if pa.types.is_string(f.type)
                        or pa.types.is_large_string(f.type)
                        or pa.types.is_string_view(f.type)
                        else f.type,
                    )
                    for f in table.schema
                ]
            )
        )
        out = pl.DataFrame(_core.exact_keys(cast))
        assert out["exact_key"][0] == expected


def test_bad_input_names_the_column() -> None:
    frame = _frame([])
    assert key_frame(frame).height == 0
    with pytest.raises(_core.CoreInputError, match='column "venue" is missing'):
        _core.exact_keys(frame.drop("venue"))
    with pytest.raises(_core.CoreInputError, match='column "title" must be a string column'):
        _core.exact_keys(frame.with_columns(pl.lit(1).alias("title")))
    with pytest.raises(_core.CoreInputError, match='column "start" must be a timezone-aware'):
        _core.exact_keys(frame.with_columns(pl.col("start").dt.replace_time_zone(None)))
    with pytest.raises(TypeError, match="Arrow C stream"):
        _core.exact_keys([1, 2, 3])
    assert set(KEY_INPUTS) == set(frame.columns)


# ASCII, emoji, punctuation the fold drops, and characters NFKC or case folding change
# (™ -> tm, ① -> 1, ﬁ -> fi, ß -> ss, İ, a combining accent): the core's fast title
# paths must agree with the general fold everywhere.
_MIXED = st.sampled_from(
    [*"abcXYZ019 -!&", "💃", "🕺", "—", "“", "™", "①", "é", "\u0301", "ß", "İ", "ﬁ", "\u00a0"]
)


@given(st.text(_MIXED, max_size=30))
def test_dedup_title_fold_matches_the_key_reference(title: str) -> None:
    row = {"title": title, "venue": "Loft", "city": "Oslo", "source": "a", "source_event_id": None}
    frame = _frame([row | {"start": datetime(2027, 1, 1, tzinfo=UTC)}])
    rows = dedup_rows(frame.with_columns(timezone=pl.lit("Europe/Oslo"))).rows
    assert rows["exact_key"][0] == key_frame(frame)["exact_key"][0]
    assert (
        rows["title_norm"][0] == _core.title_norm(title) == _core.title_norm(_core.fold_text(title))
    )
