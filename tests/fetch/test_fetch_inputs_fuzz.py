"""Fuzzing the fetcher's parsers of untrusted input: bodies, charsets and the state file."""

from __future__ import annotations

import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from pydantic import ValidationError

from dancescrape.errors import FetchError
from dancescrape.fetch.conditional import ValidatorStore
from dancescrape.fetch.decode import decode_text
from dancescrape.ops.config import SourceSettings

content_types = st.one_of(
    st.just(""),
    st.sampled_from(["text/html", "text/html; charset=utf-8", "text/html; charset=latin-1"]),
    st.sampled_from(["base64", "zlib", "rot13", "hex", "utf-16", "idna", "punycode", "utf-7"]).map(
        lambda c: "text/html; charset=" + c
    ),
    st.text(max_size=40).map(lambda t: "text/html; charset=" + t),
)


@settings(max_examples=300)
@given(st.binary(max_size=300), content_types)
def test_decoding_gives_text_or_a_fetch_error(content: bytes, content_type: str) -> None:
    try:
        text = decode_text("https://x.example/", content, content_type)
    except FetchError as exc:
        assert exc.url == "https://x.example/" and exc.reason
        return
    assert isinstance(text, str)


@settings(max_examples=100)
@given(st.binary(max_size=300))
def test_a_damaged_state_file_is_never_an_error(raw: bytes) -> None:
    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "validators.json"
        path.write_bytes(raw)
        store = ValidatorStore(path)
        assert isinstance(store.request_headers("https://x.example/"), dict)


def test_crawl_and_render_settings_are_validated() -> None:
    source = SourceSettings(
        url="https://studio.example/",
        render="js",
        robots=False,
        crawl={"follow": [r"/events/\d+"], "max_depth": 2, "max_pages": 50},
    )
    assert source.crawl is not None and source.crawl.follow == [r"/events/\d+"]
    with pytest.raises(ValidationError, match="not a regular expression"):
        SourceSettings(url="https://s.example/", crawl={"follow": ["(unclosed"]})
    with pytest.raises(ValidationError):
        SourceSettings(url="https://s.example/", render="sometimes")
    with pytest.raises(ValidationError):
        SourceSettings(url="https://s.example/", crawl={"max_dept": 2})  # extra="forbid"
