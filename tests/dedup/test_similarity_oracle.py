"""The core's similarity measures against rapidfuzz as an oracle, and fuzzing of the text folds."""

from __future__ import annotations

from hypothesis import given, settings
from hypothesis import strategies as st
from rapidfuzz import fuzz
from rapidfuzz.distance import Indel

from dancescrape import _core

# Short words over a small alphabet (with non-ASCII) so that strings share a lot.
_word = st.text("abcsaléñ💃", min_size=1, max_size=6)
_phrase = st.lists(_word, max_size=6).map(" ".join)


@settings(max_examples=400)
@given(_phrase, _phrase)
def test_indel_matches_rapidfuzz(a: str, b: str) -> None:
    assert abs(_core.indel_similarity(a, b) - Indel.normalized_similarity(a, b)) < 1e-9


@settings(max_examples=400)
@given(_phrase, _phrase)
def test_token_set_matches_rapidfuzz(a: str, b: str) -> None:
    assert abs(_core.token_set_similarity(a, b) - fuzz.token_set_ratio(a, b) / 100) < 1e-9


@settings(max_examples=200)
@given(st.text(max_size=300), st.text(max_size=300))
def test_similarities_are_symmetric_and_bounded(a: str, b: str) -> None:
    for measure in (_core.indel_similarity, _core.token_set_similarity):
        s = measure(a, b)
        assert 0.0 <= s <= 1.0
        assert abs(s - measure(b, a)) < 1e-12


@settings(max_examples=300)
@given(st.text())
def test_folds_never_fail_and_are_idempotent(text: str) -> None:
    for fold in (_core.fold_text, _core.title_norm, _core.venue_norm):
        once = fold(text)
        assert fold(once) == once
        assert once == once.strip() and "  " not in once
